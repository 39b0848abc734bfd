// One destination, one object: two objects delivering to the same file, Secret or S3 object are an
// error at the second, naming the first (its address and position). Offline: paths are compared by
// name, never resolved on the filesystem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../load-files.js';

const sinkRoot = mkdtempSync(join(tmpdir(), 'vault-gitops-sinks-'));
afterAll(() => rmSync(sinkRoot, { recursive: true, force: true }));

/** Two AppRoles (a, b) and a userpass user (u), each with the given credentials flow mapping. */
function errors(a: string, b: string, u = '{ file: { path: users/u.json } }', s3Allow?: string): string[] {
  const { errors: found, dir } = loadFiles(
    {
      'c.yaml': `auth:\n  m:\n    type: approle\n    roles:\n      a: { credentials: ${a} }\n      b: { credentials: ${b} }\n  people:\n    type: userpass\n    users:\n      u: { credentials: ${u} }\n`,
    },
    { sinkRoot, ...(s3Allow !== undefined ? { s3Allow } : {}) },
  );
  return found.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.path}: ${e.message.replaceAll(`${dir}/`, '')} (${e.hint})`);
}

const HINT = "two objects delivering to one place replace each other's credentials at every apply";

describe('two objects delivering to one file', () => {
  it.each(['out/app.json', './out/app.json', 'out//app.json', 'out/x/../app.json', 'out/app.json/'])('%s is the file of the first: an error at the second', (second) => {
    const shown = second === 'out/app.json' ? 'out/app.json' : `${second} (out/app.json)`;
    expect(errors('{ file: { path: out/app.json } }', `{ file: { path: "${second}" } }`)).toEqual([
      `6:41 auth.m.roles.b.credentials.file.path: credential file ${shown} is already the credentials path of auth/m/roles/a (c.yaml:5:41) (give each object its own path: ${HINT})`,
    ]);
  });

  it('across kinds: a user delivering to a role’s file', () => {
    expect(errors('{ file: { path: users/u.json } }', '{ file: { path: b.json } }')).toEqual([
      `10:41 auth.people.users.u.credentials.file.path: credential file users/u.json is already the credentials path of auth/m/roles/a (c.yaml:5:41) (give each object its own path: ${HINT})`,
    ]);
  });

  it('a file inside a vault-agent directory (its own files live there), or a directory above another file', () => {
    expect(errors('{ file: { path: out/web, format: vault-agent } }', '{ file: { path: out/web/role_id } }')).toEqual([
      `6:41 auth.m.roles.b.credentials.file.path: credential file out/web/role_id is inside out/web, the credentials path of auth/m/roles/a (c.yaml:5:41) (give each object its own path: ${HINT})`,
    ]);
    expect(errors('{ file: { path: out/web/x/a.json } }', '{ file: { path: out/web, format: vault-agent } }')).toEqual([
      `6:41 auth.m.roles.b.credentials.file.path: credential file out/web is a parent directory of out/web/x/a.json, the credentials path of auth/m/roles/a (c.yaml:5:41) (give each object its own path: ${HINT})`,
    ]);
  });

  it('neighbours are fine: one directory for many files, a name that only starts like another', () => {
    expect(errors('{ file: { path: out/a.json } }', '{ file: { path: out/b.json } }')).toEqual([]);
    expect(errors('{ file: { path: out/web, format: vault-agent } }', '{ file: { path: out/web.json } }')).toEqual([]);
    expect(errors('{ file: { path: out/web, format: vault-agent } }', '{ file: { path: out/webx/role_id } }')).toEqual([]);
  });
});

describe('two objects delivering to one Kubernetes Secret', () => {
  it('is an error at the second name; another namespace is another Secret', () => {
    const secret = (ns: string) => `{ kubernetes: { namespace: ${ns}, name: app-vault } }`;
    expect(errors(secret('apps'), secret('apps'), secret('apps'))).toEqual([
      `6:64 auth.m.roles.b.credentials.kubernetes.name: Secret apps/app-vault is already the credentials Secret of auth/m/roles/a (c.yaml:5:64) (give each object its own Secret name: ${HINT})`,
      `10:64 auth.people.users.u.credentials.kubernetes.name: Secret apps/app-vault is already the credentials Secret of auth/m/roles/a (c.yaml:5:64) (give each object its own Secret name: ${HINT})`,
    ]);
    expect(errors(secret('apps'), secret('batch'))).toEqual([]);
  });
});

describe('two objects delivering to one S3 object', () => {
  it('is an error at the second key; the same bucket and key at another endpoint is another object', () => {
    const s3 = (endpoint: string) => `{ s3: { bucket: creds, key: a.json${endpoint} } }`;
    const custom = ', endpoint: "https://s3.example.com"';
    expect(errors(s3(custom), s3(custom), s3(''), 'creds creds@https://s3.example.com')).toEqual([
      `6:53 auth.m.roles.b.credentials.s3.key: s3://creds/a.json is already the credentials object of auth/m/roles/a (c.yaml:5:53) (give each object its own key: ${HINT})`,
    ]);
  });
});

describe('one object, several destinations', () => {
  it('a file, a Secret and an S3 object of one object are three places, each claimed once', () => {
    const all = '{ file: { path: a.json }, kubernetes: { namespace: apps, name: a }, s3: { bucket: creds, key: a.json } }';
    expect(errors(all, '{ file: { path: b.json } }', undefined, 'creds')).toEqual([]);
  });
});
