import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../../src/core/check/diagnostics-format.js';
import { envAccess, looksLikeCredential } from '../../../../src/core/config/env-policy.js';
import type { LoadOptions } from '../../../../src/core/check/load.js';
import { loadFiles } from '../load-files.js';

const root = mkdtempSync(join(tmpdir(), 'vault-gitops-vars-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function load(files: Record<string, string>, opts: LoadOptions = {}) {
  const r = loadFiles(files, opts);
  const printed = [...r.errors, ...r.warnings].map((d) => `${formatDiagnostic(d)}\n${d.hint ?? ''}`).join('\n');
  return { ...r, printed };
}
const policy = 'policies:\n  p: { policy: \'path "a" { capabilities = ["read"] }\' }\n';
const SECRET = 'hvs.s3cr3t-t0ken-value';

describe('${env.NAME}: default deny', () => {
  it('refuses a credential-looking variable and never shows its value', () => {
    const r = load({ 'c.yaml': `${policy}auth:\n  up:\n    type: userpass\n    description: \${env.VAULT_TOKEN}\n` }, { env: { VAULT_TOKEN: SECRET } });
    expect(r.value).toBeUndefined();
    expect(r.errors.map((d) => [d.pos?.line, d.pos?.col, d.message])).toEqual([
      [6, 18, '`env.VAULT_TOKEN` looks like a credential: the config never reads such variables (they would end up in plans, pull-request comments and errors)'],
    ]);
    expect(r.printed).not.toContain(SECRET);
  });

  it('refuses a credential-looking name even when the config declares it, at the declaration', () => {
    const r = load(
      { 'c.yaml': `variables:\n  env: [GITHUB_TOKEN, AWS_REGION]\n${policy}auth:\n  up:\n    type: userpass\n    description: \${env.GITHUB_TOKEN}\n` },
      { env: { GITHUB_TOKEN: SECRET, AWS_REGION: 'eu-west-1' } },
    );
    expect(r.errors.map((d) => [d.path, d.pos?.line, d.message.split(':')[0]])).toEqual([
      ['variables.env', 2, '`GITHUB_TOKEN` looks like a credential'],
      ['variables.env', 2, '`AWS_REGION` looks like a credential'],
      ['auth.up.description', 8, '`env.GITHUB_TOKEN` looks like a credential'],
    ]);
    expect(r.printed).not.toContain(SECRET);
  });

  it('refuses an undeclared variable without saying whether it is set', () => {
    const set = load({ 'c.yaml': `${policy}auth:\n  up:\n    type: userpass\n    description: \${env.REGION}\n` }, { env: { REGION: 'eu-central' } });
    const unset = load({ 'c.yaml': `${policy}auth:\n  up:\n    type: userpass\n    description: \${env.REGION}\n` }, { env: {} });
    expect(set.errors.map((d) => d.message)).toEqual(['environment variable `env.REGION` is not allowed']);
    expect(set.errors[0]!.hint).toBe('declare it in the config (variables: { env: [REGION] }), pass --allow-env REGION, or name it VAULT_GITOPS_VAR_REGION');
    expect(unset.errors.map((d) => d.message)).toEqual(set.errors.map((d) => d.message));
    expect(set.printed).not.toContain('eu-central');
  });

  it('reads a declared variable (from any file of the config), one allowed by --allow-env, and the VAULT_GITOPS_VAR_ prefix', () => {
    const files = {
      'vars.yaml': 'variables:\n  env: [REGION]\n',
      'c.yaml': `${policy}auth:\n  up:\n    type: userpass\n    description: "\${env.REGION} \${env.TEAM} \${env.VAULT_GITOPS_VAR_OWNER}"\n`,
    };
    const r = load(files, { env: { REGION: 'eu', TEAM: 'payments', VAULT_GITOPS_VAR_OWNER: 'ops' }, allowEnv: ['TEAM'] });
    expect(r.errors).toEqual([]);
    expect(r.value!.auth.up!.description).toBe('eu payments ops');
    const without = load(files, { env: { REGION: 'eu', TEAM: 'payments', VAULT_GITOPS_VAR_OWNER: 'ops' } });
    expect(without.errors.map((d) => d.message)).toEqual(['environment variable `env.TEAM` is not allowed']);
    const ignored = load(files, { env: { REGION: 'eu', TEAM: 'payments', VAULT_GITOPS_VAR_OWNER: 'ops' }, allowEnv: ['TEAM'], configEnv: false });
    expect(ignored.errors.map((d) => d.message)).toEqual(['environment variable `env.REGION` is not allowed']);
  });

  it('declarations in several files of a directory add up', () => {
    const r = load(
      { 'a.yaml': 'variables:\n  env: [REGION]\n', 'b.yaml': `variables:\n  env: [TEAM]\n${policy}auth:\n  up:\n    type: userpass\n    description: "\${env.REGION} \${env.TEAM}"\n` },
      { env: { REGION: 'eu', TEAM: 'payments' } },
    );
    expect(r.errors).toEqual([]);
    expect(r.value!.auth.up!.description).toBe('eu payments');
  });

  it('suggests only among allowed names that are set', () => {
    const r = load(
      { 'c.yaml': `variables:\n  env: [REGION]\n${policy}auth:\n  up:\n    type: userpass\n    description: \${env.REGON}\n` },
      { env: { REGION: 'eu', REGON: 'x' }, allowEnv: ['REGON'] },
    );
    expect(r.errors).toEqual([]);
    const typo = load(
      { 'c.yaml': `variables:\n  env: [REGION, REGON]\n${policy}auth:\n  up:\n    type: userpass\n    description: \${env.REGON}\n` },
      { env: { REGION: 'eu', SECRET_REGON: SECRET } },
    );
    expect(typo.errors.map((d) => d.message)).toEqual(['undefined environment variable `env.REGON`, did you mean `REGION`?']);
    expect(typo.printed).not.toContain(SECRET);
  });

  it('classifies credential-looking names', () => {
    for (const name of [
      'VAULT_TOKEN',
      'VAULT_GITOPS_AUTH_SECRET_ID',
      'GITHUB_TOKEN',
      'DB_PASSWORD',
      'API_KEY',
      'SSH_AUTH_SOCK',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'CI_JOB_JWT_V2',
      'AWS_REGION',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'AZURE_CLIENT_ID',
      'VAULT_GITOPS_VAR_DB_PASSWORD',
      'vault_token',
    ]) {
      expect(looksLikeCredential(name), name).toBe(true);
    }
    for (const name of ['REGION', 'TEAM', 'ENVIRONMENT', 'VAULT_GITOPS_VAR_REGION', 'MONKEY', 'KEYCLOAK_REALM', 'AUTHOR']) {
      expect(looksLikeCredential(name), name).toBe(false);
    }
    expect(envAccess('VAULT_GITOPS_VAR_REGION', new Set())).toBe('allowed');
    expect(envAccess('REGION', new Set())).toBe('not-allowed');
    expect(envAccess('VAULT_ADDR', new Set(['VAULT_ADDR']))).toBe('credential');
  });
});

describe('variable values never appear in messages', () => {
  const opts = { vars: { uses: SECRET, ttl: `${SECRET}h`, kind: `${SECRET}-kind`, pol: `${SECRET}-pol` } };
  it('a wrong type, a bad duration, an enum miss and an unknown policy name the reference, not the value', () => {
    const r = load(
      {
        'c.yaml':
          `${policy}auth:\n  ar:\n    type: approle\n    roles:\n      web:\n` +
          '        token_num_uses: ${var.uses}\n' +
          '        token_ttl: ${var.ttl}\n' +
          '        token_type: ${var.kind}\n' +
          '        token_policies: ["${var.pol}"]\n',
      },
      opts,
    );
    expect(r.errors.map((d) => d.message)).toEqual([
      'must be an integer, got the value of ${var.uses}',
      'invalid duration the value of ${var.ttl}',
      expect.stringMatching(/^must be one of .*, got the value of \$\{var\.kind\}$/),
      'policy `<var.pol>` is not defined in the config',
    ]);
    expect(r.printed).not.toContain(SECRET);
  });

  it('an unterminated reference is shown clipped, not with the rest of the file', () => {
    const r = load({ 'c.yaml': `${policy}auth:\n  up:\n    type: userpass\n    description: "\${var.x ${'y'.repeat(5000)}"\n` });
    expect(r.errors.map((d) => d.message)).toEqual([`unterminated reference \`\${var.x ${'y'.repeat(49)}...\``]);
  });

  it('a YAML variable file with a syntax error shows no source excerpt', () => {
    const file = join(root, 'vars-bad.yaml');
    writeFileSync(file, `token: ${SECRET}\n  bad: [\n`);
    const r = load({ 'c.yaml': policy }, { varFiles: [file] });
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]!.message).toMatch(/^YAML syntax error: /);
    expect(r.printed).not.toContain(SECRET);
  });
});
