import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadConfig, type LoadOptions } from '../../../../src/core/check/load.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { objectsOf } from '../load-files.js';
import type { Diagnostic } from '../../../../src/core/model.js';

const FIX = fileURLToPath(new URL('../fixtures/', import.meta.url));
const dir = (name: string) => join(FIX, name);
const at = (file: string, line: number, col: number) => ({ file: join(FIX, file), line, col });
const load = (names: string[], opts: LoadOptions = {}) => loadConfig(names.map(dir), KINDS, { env: {}, ...opts });
/** The parts of a diagnostic a test pins down. */
const brief = (d: Diagnostic) => ({ pos: d.pos, path: d.path, message: d.message });

describe('loadConfig: errors with exact positions', () => {
  it('reports a YAML syntax error at its position and stops there', () => {
    const r = load(['yaml-syntax']);
    expect(r.value).toBeUndefined();
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('yaml-syntax/a.yaml', 9, 1),
        path: undefined,
        message: 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
      },
    ]);
  });

  it('reports an unknown field with the closest allowed one', () => {
    const r = load(['unknown-field']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('unknown-field/auth.yaml', 9, 9),
        path: 'auth.approle.roles.payments-prod',
        message: '`token_polices`: unknown field, did you mean `token_policies`?',
      },
    ]);
    expect(formatDiagnostic(r.errors[0]!)).toBe(
      `${join(FIX, 'unknown-field/auth.yaml')}:9:9: error: auth.approle.roles.payments-prod: \`token_polices\`: unknown field, did you mean \`token_policies\`?`,
    );
  });

  it('reports wrong types at the value, one error each', () => {
    const r = load(['wrong-type']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('wrong-type/auth.yaml', 6, 25),
        path: 'auth.approle.roles.web.bind_secret_id',
        message: 'must be a boolean (true or false), got the string "yes"',
      },
      {
        pos: at('wrong-type/auth.yaml', 7, 25),
        path: 'auth.approle.roles.web.token_num_uses',
        message: 'must be an integer, got the string "many"',
      },
      {
        pos: at('wrong-type/auth.yaml', 8, 28),
        path: 'auth.approle.roles.web.token_bound_cidrs',
        message: 'must be a list of strings (or a comma-separated string), got a mapping',
      },
    ]);
    expect(r.errors[0]!.hint).toBe('YAML 1.2 reads yes/no/on/off as strings: write true or false');
  });

  it('reports invalid TTLs the way Vault parses durations', () => {
    const r = load(['bad-ttl']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('bad-ttl/auth.yaml', 5, 22), path: 'auth.userpass.tune.max_lease_ttl', message: 'invalid duration "12hours"' },
      { pos: at('bad-ttl/auth.yaml', 8, 20), path: 'auth.userpass.users.alice.token_ttl', message: 'invalid duration "1d12h"' },
    ]);
    expect(r.errors[0]!.hint).toContain('"1h30m"');
  });

  it('reports an undefined variable at the reference, without follow-up errors', () => {
    const r = load(['undefined-var']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('undefined-var/auth.yaml', 4, 23), path: 'auth.approle.description', message: 'undefined variable `var.team`' },
      { pos: at('undefined-var/auth.yaml', 4, 38), path: 'auth.approle.description', message: 'undefined environment variable `env.REGION`' },
      { pos: at('undefined-var/auth.yaml', 7, 20), path: 'auth.approle.roles.web.token_ttl', message: 'undefined variable `var.web_ttl`' },
      { pos: at('undefined-var/auth.yaml', 8, 25), path: 'auth.approle.roles.web.token_num_uses', message: 'undefined variable `var.uses`' },
    ]);
    expect(r.errors[0]!.hint).toBe('pass --var team=VALUE or a --var-file that defines it');
  });

  it('substitutes variables from --var, var files and the environment; $${ escapes', () => {
    const r = load(['undefined-var'], { vars: { team: 'payments', web_ttl: '2h', uses: '3' }, env: { REGION: 'eu' } });
    expect(r.errors).toEqual([]);
    const approle = r.value!.auth.approle!;
    expect(approle.description).toBe('for payments in eu');
    expect(approle.settings.options).toEqual({ note: 'costs ${var.x}' });
    expect(objectsOf(r.value!, 'approle-role', 'approle').web!.settings).toEqual({ token_ttl: '2h', token_num_uses: 3, secret_id_ttl: '1h' });

    const v = load(['var-files'], { varFiles: [join(FIX, 'vars/vars.env'), join(FIX, 'vars/vars.yaml')], env: { ENV_NAME: 'prod' } });
    expect(v.errors).toEqual([]);
    const role = objectsOf(v.value!, 'approle-role', 'approle').web!;
    expect(v.value!.auth.approle!.description).toBe('from the env file');
    expect(role.settings).toEqual({ token_ttl: '3h', token_num_uses: 5 }); // the later file wins; unquoted → number
    expect(role.credentials).toEqual({ file: { path: 'out/prod/web.json', mode: 0o640 } });

    const cli = load(['var-files'], { varFiles: [join(FIX, 'vars/vars.yaml')], vars: { ttl: '4h', desc: 'd' }, env: { ENV_NAME: 'x' } });
    expect(objectsOf(cli.value!, 'approle-role', 'approle').web!.settings.token_ttl).toBe('4h'); // --var wins over files

    const bad = load(['var-files'], { varFiles: [join(FIX, 'vars/bad.env'), join(FIX, 'vars/none.env')] });
    expect(bad.errors.filter((d) => d.path === undefined).map(brief)).toEqual([
      { pos: undefined, path: undefined, message: `cannot read variable file ${join(FIX, 'vars/none.env')}: no such file` },
      { pos: at('vars/bad.env', 1, 1), path: undefined, message: 'expected NAME=value' },
    ]);
  });

  it('reports an object defined twice in one directory, naming both places', () => {
    const r = load(['duplicate']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('duplicate/b.yaml', 6, 7),
        path: 'auth.approle.roles.web',
        message: `role \`web\` of \`auth/approle\` is already defined at ${join(FIX, 'duplicate/a.yaml')}:9:7`,
      },
      {
        pos: at('duplicate/b.yaml', 8, 3),
        path: 'policies.web',
        message: `policy \`web\` is already defined at ${join(FIX, 'duplicate/a.yaml')}:2:3`,
      },
      {
        pos: at('duplicate/c.yaml', 2, 3),
        path: 'auth.approle',
        message: `mount \`auth/approle\` is already defined at ${join(FIX, 'duplicate/a.yaml')}:7:5`,
      },
    ]);
  });

  it('reports a policy HCL error at its line inside the YAML block scalar', () => {
    const r = load(['bad-hcl']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('bad-hcl/policies.yaml', 6, 33), path: 'policies.web.policy', message: 'policy HCL: unknown capability "lst", did you mean `list`?' },
      { pos: at('bad-hcl/policies.yaml', 10, 32), path: 'policies.api.policy', message: 'policy HCL: missing `}`: this block is not closed' },
      {
        pos: at('bad-hcl/policies.yaml', 15, 27),
        path: 'policies.inline-one-line.policy',
        message: 'policy HCL: invalid key `capabilites` in a path block, did you mean `capabilities`?',
      },
    ]);
    expect(r.errors[0]!.hint).toBe('valid capabilities: create, read, update, patch, delete, list, sudo, deny, subscribe, recover, scan');
  });

  it('reports a policy HCL error in a policy file at the .hcl file position', () => {
    const r = load(['hcl-file']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('hcl-file/policies/ops.hcl', 6, 1), path: 'policies.ops.file', message: 'policy HCL: unexpected `}`: expected `,` or `]` in list' },
    ]);
  });

  it('reports a reference to an undeclared policy, with a suggestion', () => {
    const r = load(['unknown-policy']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('unknown-policy/auth.yaml', 9, 35),
        path: 'auth.userpass.users.alice.token_policies',
        message: 'policy `payments-prd` is not defined in the config, did you mean `payments-prod`?',
      },
      { pos: at('unknown-policy/auth.yaml', 11, 25), path: 'auth.userpass.users.bob.token_policies', message: 'policy `ops` is not defined in the config' },
    ]);
    expect(r.errors[0]!.hint).toBe('declare it under `policies:` (only `default` may be used without declaring it)');
  });

  it('reports upper-case policy and user names (Vault lower-cases them: perpetual diffs)', () => {
    const r = load(['upper-policy']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('upper-policy/policies.yaml', 2, 3),
        path: 'policies.Payments',
        message: 'policy name `Payments` has upper-case letters: Vault stores policy names lower-cased, so every plan would show a change',
      },
      {
        pos: at('upper-policy/policies.yaml', 8, 7),
        path: 'auth.userpass.users.Alice',
        message: 'user name `Alice` has upper-case letters: Vault lower-cases it, so every plan would show a change',
      },
      {
        pos: at('upper-policy/policies.yaml', 11, 26),
        path: 'auth.userpass.users.bob.token_policies',
        message: 'policy `Default` has upper-case letters: Vault stores it lower-cased, so every plan would show a change',
      },
    ]);
    expect(r.errors[0]!.hint).toBe('rename it to `payments`');
  });

  it('reports a missing policy file and policies with both or neither of policy/file', () => {
    const r = load(['missing-file']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('missing-file/policies.yaml', 3, 11),
        path: 'policies.ops.file',
        message: `cannot read policy file ${join(FIX, 'missing-file/policies/ops.hcl')}: no such file`,
      },
      { pos: at('missing-file/policies.yaml', 4, 3), path: 'policies.both', message: 'a policy needs exactly one of `policy` (inline HCL) or `file`' },
      { pos: at('missing-file/policies.yaml', 7, 3), path: 'policies.neither', message: 'a policy needs exactly one of `policy` (inline HCL) or `file`' },
    ]);
  });

  it('reports prune entries that name no collection', () => {
    const r = load(['prune-bad']);
    expect(r.errors.map((d) => [d.pos?.line, d.message])).toEqual([
      [12, 'prune entry `auth/aproles/roles` names mount `auth/aproles`, which the config does not declare, did you mean `auth/approle/roles`?'],
      [13, 'prune entry `auth/userpass/roles` is not a collection of a userpass mount'],
      [14, 'prune entry `secrets/kv/roles` is not a collection of a kv mount, did you mean `secrets/*/roles`?'],
    ]);
  });

  it('keeps type-specific sections to their mount types and warns about deprecated fields', () => {
    const r = load(['deprecated']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('deprecated/main.yaml', 13, 5), path: 'auth.kv-auth.users', message: expect.stringMatching(/^only userpass(, [a-z]+)* mounts have `users`$/) },
      { pos: at('deprecated/main.yaml', 17, 5), path: 'secrets.secret.roles', message: 'only pki, database mounts have `roles` in vault-gitops' },
      {
        pos: at('deprecated/main.yaml', 21, 68),
        path: 'secrets.pki.roles.svc.key_type',
        message: 'must be one of "rsa", "ec", "ed25519", "any", got the string "rsaa", did you mean `rsa`?',
      },
    ]);
    expect(r.warnings.map((d) => [d.path, d.message, d.hint])).toEqual([
      ['auth.approle.roles.web.policies', '`policies` is deprecated', 'use `token_policies`'],
      ['auth.approle.roles.web.period', '`period` is deprecated', 'use `token_period`'],
    ]);
  });

  it('never throws on a missing directory', () => {
    const r = load(['does-not-exist']);
    expect(r.value).toBeUndefined();
    expect(r.errors.map((d) => d.message)).toEqual([`cannot read config directory ${join(FIX, 'does-not-exist')}: no such directory`]);
  });
});

describe('loadConfig: layering', () => {
  it('later directories override earlier ones field by field; lists and policies replace', () => {
    const r = load(['layering/base', 'layering/prod']);
    expect(r.errors).toEqual([]);
    const c = r.value!;
    // `at`: line 1 of the inline policy's text, for locating its rules (access): the line after `policy: |`.
    expect(c.policies.web).toEqual({ policy: 'path "secret/data/web/prod/*" {\n  capabilities = ["read"]\n}\n', at: at('layering/prod/web.yaml', 4, 7) });
    expect(c.auth.approle).toEqual({ type: 'approle', settings: {}, tune: { default_lease_ttl: '1h', max_lease_ttl: '12h' } });
    expect(objectsOf(c, 'approle-role', 'approle')).toEqual({
      web: { settings: { token_policies: ['web', 'default'], token_ttl: '30m', token_bound_cidrs: ['10.1.0.0/16'] } },
    });
    expect(c.prune).toEqual(['policies', 'auth/approle/roles']);
    // Sources: the object where it was declared, overridden fields where they were overridden.
    expect(c.sources.get('auth.approle.roles.web')).toEqual(at('layering/base/main.yaml', 9, 7));
    expect(c.sources.get('auth.approle.roles.web.token_ttl')).toEqual(at('layering/prod/web.yaml', 12, 9));
    expect(c.sources.get('auth.approle.roles.web.token_policies')).toEqual(at('layering/base/main.yaml', 10, 9));
    expect(c.sources.get('policies.web.policy')).toEqual(at('layering/prod/web.yaml', 3, 5));
    expect(c.sources.get('policies.web.file')).toBeUndefined();
  });

  it('an empty section in a later layer erases nothing', () => {
    const base = load(['layering/base']);
    const r = load(['layering/base', 'layering/empty']);
    expect(r.errors).toEqual([]);
    expect(r.value!.policies).toEqual(base.value!.policies);
    expect(r.value!.auth).toEqual(base.value!.auth);
  });

  it('reads a policy file relative to the YAML file that declares it', () => {
    const r = load(['layering/base']);
    expect(r.errors).toEqual([]);
    expect(r.value!.policies.web).toEqual({
      policy: 'path "secret/data/web/*" {\n  capabilities = ["read"]\n}\n',
      file: join(FIX, 'layering/base/web.hcl'),
    });
  });
});

describe('formatDiagnostic', () => {
  it('prints file:line:col, severity, path, message and hint', () => {
    const d: Diagnostic = { severity: 'error', pos: { file: 'a.yaml', line: 3, col: 7 }, path: 'policies.x', message: 'bad', hint: 'fix it' };
    expect(formatDiagnostic(d)).toBe('a.yaml:3:7: error: policies.x: bad\n  hint: fix it');
    expect(formatDiagnostic({ severity: 'warning', message: 'careful' })).toBe('warning: careful');
    expect(formatDiagnostic(d, { color: true })).toContain('\u001b[1;31merror\u001b[0m');
  });
});

describe('loadConfig: mounts', () => {
  it('reports mount paths Vault would reject or change, missing types and Vault-API spellings', () => {
    const r = load(['mounts']);
    expect(r.errors.map(brief)).toEqual([
      { pos: at('mounts/main.yaml', 3, 3), path: 'auth.my approle', message: 'mount path `my approle` contains white space' },
      { pos: at('mounts/main.yaml', 5, 3), path: 'auth.token', message: 'mount path `token` is reserved by Vault' },
      { pos: at('mounts/main.yaml', 6, 11), path: 'auth.token.type', message: 'mount type `token` is Vault\'s own and cannot be mounted' },
      {
        pos: at('mounts/main.yaml', 7, 3),
        path: 'auth.jwt/',
        message: 'mount path `jwt/` starts or ends with `/` (Vault strips it, so the plan would never match)',
      },
      {
        pos: at('mounts/main.yaml', 11, 5),
        path: 'auth.kubernetes.config',
        message: "write the mount configuration under `tune:` (the same parameters as Vault's `config`)",
      },
      { pos: at('mounts/main.yaml', 13, 3), path: 'auth.untyped', message: 'missing required field `type`' },
      { pos: at('mounts/main.yaml', 19, 3), path: 'secrets.sys', message: 'mount path `sys` is reserved by Vault' },
    ]);
  });

  it('reads empty and comment-only files (recursively), ignores non-YAML files, and refuses a config that declares nothing', () => {
    const r = load(['empty-files']);
    expect(r.value).toBeUndefined();
    expect(r.errors.map(brief)).toEqual([
      { pos: undefined, path: undefined, message: `the config declares no objects (3 YAML files in ${dir('empty-files')}): no policies, auth or secrets mounts` },
    ]);
    expect(r.errors[0]!.hint).toContain('would delete every object vault-gitops manages');
  });
});

describe('loadConfig: credentials', () => {
  it('checks sinks and rotation', () => {
    const r = load(['credentials']);
    expect(r.errors.map(brief)).toEqual([
      {
        pos: at('credentials/main.yaml', 7, 36),
        path: 'auth.approle.roles.web.credentials.kubernetes.namespace',
        message: 'must be a Kubernetes namespace name: lower-case letters, digits and `-`, at most 63 characters',
      },
      {
        pos: at('credentials/main.yaml', 7, 82),
        path: 'auth.approle.roles.web.credentials.kubernetes.keys.secret_id',
        message: 'must be a valid Secret key: letters, digits, `-`, `_` and `.`',
      },
      { pos: at('credentials/main.yaml', 8, 36), path: 'auth.approle.roles.web.credentials.rotate.before_expiry', message: 'invalid duration "soon"' },
      // AppRoles get a role_id and secret_id: no password settings.
      { pos: at('credentials/main.yaml', 14, 11), path: 'auth.approle.roles.api.credentials', message: '`password`: unknown field' },
    ]);
  });

  it('normalises rotate to seconds and an octal mode to a number', () => {
    const r = load(['credentials-ok']);
    expect(r.errors).toEqual([]);
    expect(objectsOf(r.value!, 'approle-role', 'approle').api!.credentials).toEqual({
      file: { path: 'out/api.json', mode: 0o640 },
      kubernetes: { namespace: 'api', name: 'api-vault', adopt: true, keys: { secret_id: 'SECRET_ID' } },
      rotate: { before_expiry: 864000, max_age: 2592000 },
    });
    expect(objectsOf(r.value!, 'userpass-user', 'userpass').alice!.credentials).toEqual({
      file: { path: 'out/alice.json', mode: 0o600 },
      password: { length: 20, symbols: true },
    });
    expect(r.value!.password).toEqual({ length: 48 });
  });
});

describe('loadConfig: warnings', () => {
  it('warns about values Vault caps silently and users whose password goes nowhere', () => {
    const r = load(['warnings']);
    expect(r.errors).toEqual([]);
    expect(r.value).toBeDefined();
    expect(r.warnings.map(brief)).toEqual([
      {
        pos: at('warnings/main.yaml', 6, 7),
        path: 'auth.userpass.users.dave',
        message: 'user `dave` has no credentials sink: its generated password is set in Vault and delivered nowhere',
      },
      {
        pos: at('warnings/main.yaml', 7, 24),
        path: 'auth.userpass.users.dave.token_max_ttl',
        message: "`token_max_ttl` (24h) is longer than the mount's max_lease_ttl (12h): Vault caps tokens at the mount's limit",
      },
      {
        pos: at('warnings/main.yaml', 13, 43),
        path: 'secrets.pki.root_ca.ttl',
        message: "`ttl` (87600h) is longer than the mount's max_lease_ttl (720h): Vault caps certificates at the mount's limit",
      },
    ]);
  });
});

describe('loadConfig: inputs', () => {
  it('accepts a single YAML file as a layer', () => {
    const r = loadConfig([join(FIX, 'layering/base'), join(FIX, 'layering/prod/web.yaml')], KINDS, { env: {} });
    expect(r.errors).toEqual([]);
    expect(objectsOf(r.value!, 'approle-role', 'approle').web!.settings.token_ttl).toBe('30m');
  });
});
