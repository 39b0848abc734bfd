// A pull request must not route a secret given to CI in a var file (oidc_client_secret,
// token_reviewer_jwt) into a field that plans, pull-request comments and exports show.
import { describe, expect, it } from 'vitest';
import { isSecretVariableName } from '../../../../src/core/check/config-secret-vars.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { loadFiles } from '../load-files.js';

const SECRET = 'sEcReT-client-value-1234';
const errorsOf = (r: ReturnType<typeof loadFiles>) => r.errors.map((e) => `${e.pos?.file.slice(r.dir.length + 1)}:${e.pos?.line}:${e.pos?.col} ${e.message}`);
const oidc = (extra: string[], secretRef = '${var.oidc_client_secret}') =>
  [
    'policies:',
    '  p:',
    '    policy: |',
    '      # ${var.oidc_client_secret}',
    '      path "a/*" { capabilities = ["read"] }',
    'auth:',
    '  oidc:',
    '    type: oidc',
    '    config:',
    '      oidc_discovery_url: https://issuer.example.com',
    '      oidc_client_id: vault',
    `      oidc_client_secret: "${secretRef}"`,
    ...extra,
  ].join('\n');

describe('variables named like secrets stay in secret fields', () => {
  it('a policy comment, a description, a metadata value or a role field that takes one is refused at its place, without the value', () => {
    const yaml = oidc([
      '    description: "team ${var.oidc_client_secret}"',
      '    roles:',
      '      web: { user_claim: sub, role_type: oidc, allowed_redirect_uris: [https://x.example.com/cb], bound_audiences: ["${var.k8s_reviewer_jwt}"] }',
      'identity:',
      '  groups:',
      '    g: { metadata: { note: "${var.github_token}" } }',
    ]);
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { oidc_client_secret: SECRET, k8s_reviewer_jwt: `${SECRET}-jwt`, github_token: `${SECRET}-gh` } });
    expect(errorsOf(r)).toEqual([
      'c.yaml:4:9 `${var.oidc_client_secret}` is named like a secret, and `policies.p.policy` is not a secret field: plans, pull-request comments and exports would show its value',
      'c.yaml:13:24 `${var.oidc_client_secret}` is named like a secret, and `auth.oidc.description` is not a secret field: plans, pull-request comments and exports would show its value',
      'c.yaml:15:118 `${var.k8s_reviewer_jwt}` is named like a secret, and `auth.oidc.roles.web.bound_audiences.0` is not a secret field: plans, pull-request comments and exports would show its value',
      'c.yaml:18:29 `${var.github_token}` is named like a secret, and `identity.groups.g.metadata.note` is not a secret field: plans, pull-request comments and exports would show its value',
    ]);
    expect(JSON.stringify([...r.errors, ...r.warnings])).not.toContain(SECRET);
  });

  it('a secret field takes only a variable named like a secret, never the environment', () => {
    const plain = loadFiles({ 'c.yaml': oidc([], '${var.client}').replace('      # ${var.oidc_client_secret}\n', '') }, { vars: { client: SECRET } });
    expect(errorsOf(plain)).toEqual([
      'c.yaml:11:28 the secret field `oidc_client_secret` takes `${var.client}`, whose name does not say it is a secret: a pull request could move that reference into a field plans show',
    ]);
    const k8s = ['policies:', '  p: { policy: "path \\"a\\" { capabilities = [\\"read\\"] }" }', 'variables:', '  env: [REVIEWER]', 'auth:', '  k8s:', '    type: kubernetes', '    config:', '      kubernetes_host: https://k:6443', '      token_reviewer_jwt: ${env.REVIEWER}'].join('\n');
    const fromEnv = loadFiles({ 'c.yaml': k8s }, { env: { REVIEWER: SECRET } });
    expect(errorsOf(fromEnv)).toEqual(['c.yaml:10:27 the secret field `token_reviewer_jwt` reads `${env.REVIEWER}`: environment variables a config may read are for values that are not secret']);
    expect(JSON.stringify(fromEnv.errors)).not.toContain(SECRET);
  });

  it('the documented use loads, and ordinary variables (token_ttl, key_type) go anywhere', () => {
    const yaml = oidc(['    description: "${var.team} login"', '    roles:', '      web: { user_claim: sub, role_type: oidc, allowed_redirect_uris: [https://x.example.com/cb], token_ttl: "${var.token_ttl}" }']).replace('      # ${var.oidc_client_secret}\n', '');
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { oidc_client_secret: SECRET, team: 'platform', token_ttl: '1h' } });
    expect(errorsOf(r)).toEqual([]);
    expect(['oidc_client_secret', 'k8s_reviewer_jwt', 'GITHUB_TOKEN', 'db_password', 'api_key', 'vault_credentials'].every(isSecretVariableName)).toBe(true);
    expect(['token_ttl', 'key_type', 'token_policies', 'team', 'secret_mount', 'keys'].some(isSecretVariableName)).toBe(false);
  });

  it('every write-only field of every kind refuses a literal (the config is in git), naming the fix, never the value', () => {
    const fields = KINDS.flatMap((k) => (k.placement ? k.sensitiveFields.map((f) => ({ kind: k, field: f })) : []));
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(['oidc_client_secret', 'token_reviewer_jwt']));
    for (const { kind, field } of fields) {
      const p = kind.placement!;
      const mount = p.in === 'root' ? [] : [p.in, 'm'];
      const at = [...mount, ...p.key, ...(p.shape === 'map' ? ['o'] : []), field];
      let tree: unknown = SECRET;
      for (const seg of [...at].reverse()) tree = { [seg]: tree };
      if (p.in !== 'root') ((tree as Record<string, Record<string, Record<string, unknown>>>)[p.in]!.m!).type = p.mountTypes?.[0] ?? (p.in === 'auth' ? 'approle' : 'kv');
      const r = loadFiles({ 'c.yaml': JSON.stringify(tree, null, 1) });
      const here = r.errors.filter((e) => e.path === at.join('.'));
      const literal = `the write-only secret \`${field}\` is written here as a literal: the config is committed to git, so the secret would be in its history`;
      // A field the schema forbids (a generated password or secret_id) is refused by the schema, with its own reason.
      const refusal = here.find((e) => e.message === literal || e.message.startsWith('not allowed in config'));
      expect(refusal, `${kind.name}.${field}: ${JSON.stringify(here)}`).toBeDefined();
      if (refusal!.message === literal) expect(refusal!.hint).toContain(`\`\${var.${field}}\``);
      expect(JSON.stringify([...r.errors, ...r.warnings])).not.toContain(SECRET);
    }
  });
});
