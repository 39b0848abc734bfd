// The Kubernetes and GitHub auth kinds in the loader: their schemas accept the documented config,
// and their checks report what Vault would refuse or change, at file:line:col.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../core/load-files.js';

const found = (r: ReturnType<typeof loadFiles>) => ({
  errors: r.errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.path}: ${e.message}`),
  warnings: r.warnings.map((w) => `${w.pos?.line}:${w.pos?.col} ${w.path}: ${w.message}`),
});

const policies = ['policies:', '  app: { policy: "path \\"a\\" { capabilities = [\\"read\\"] }" }'];
const k8sConfig = [...policies, 'auth:', '  k8s:', '    type: kubernetes', '    config:', '      kubernetes_host: https://k:6443'];

describe('kubernetes auth in the config', () => {
  it('a full config and roles load without problems', () => {
    const yaml = [
      ...k8sConfig,
      '      kubernetes_ca_cert: "-----BEGIN CERTIFICATE-----"',
      '      token_reviewer_jwt: ${var.jwt}',
      '      disable_local_ca_jwt: true',
      '    roles:',
      '      web: { bound_service_account_names: [web], bound_service_account_namespaces: apps, token_policies: [app], token_ttl: 1h }',
      '      sel:',
      '        bound_service_account_names: "*"',
      '        bound_service_account_namespace_selector: { matchLabels: { team: blue } }',
    ].join('\n');
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { jwt: 'eyJ-secret' } });
    expect(found(r)).toEqual({ errors: [], warnings: [] });
    expect(r.value?.tree).toBeDefined();
  });

  it('no CA is a warning; bad roles are errors at their place; an unknown field is a schema error', () => {
    const yaml = [
      ...k8sConfig,
      '    roles:',
      '      Web: { bound_service_account_names: [web], bound_service_account_namespaces: [apps] }',
      '      mixed: { bound_service_account_names: "web, *", bound_service_account_namespaces: [apps] }',
      '      nowhere: { bound_service_account_names: [web], token_policies: [nope] }',
      '      bad: { bound_service_account_names: [web], bound_service_account_namespace_selector: "- a list" }',
      '      typo: { bound_service_account_names: [web], bound_service_account_namespaces: [apps], audiance: vault }',
    ].join('\n');
    const r = found(loadFiles({ 'c.yaml': yaml }));
    expect(r.warnings).toEqual([expect.stringMatching(/^6:5 auth\.k8s\.config: kubernetes_ca_cert is not set/)]);
    expect(r.errors).toEqual([
      '9:7 auth.k8s.roles.Web: role `Web`: Vault stores Kubernetes role names lower-cased, so it would read back as `web`',
      '10:45 auth.k8s.roles.mixed.bound_service_account_names: `*` (any) cannot be mixed with other values',
      '11:7 auth.k8s.roles.nowhere: role `nowhere` binds no namespace: Vault needs bound_service_account_namespaces or bound_service_account_namespace_selector',
      '11:71 auth.k8s.roles.nowhere.token_policies: policy `nope` is not defined in the config',
      '12:92 auth.k8s.roles.bad.bound_service_account_namespace_selector: is not a label selector: Vault takes a JSON or YAML object with matchLabels and/or matchExpressions',
      '13:93 auth.k8s.roles.typo: `audiance`: unknown field, did you mean `audience`?',
    ]);
  });

  it('the reviewer JWT never appears in a message, even when its field is wrong', () => {
    const r = loadFiles({ 'c.yaml': ['auth:', '  k8s:', '    type: kubernetes', '    config:', '      token_reviewer_jwt: ${var.jwt}'].join('\n') }, { vars: { jwt: 'eyJ-secret-value' } });
    expect(r.errors.length).toBeGreaterThan(0); // kubernetes_host is required
    expect(JSON.stringify([r.errors, r.warnings])).not.toContain('eyJ-secret-value');
  });
});

describe('github auth in the config', () => {
  it('config without organization_id is a warning; map names Vault would change are errors; userpass users are no GitHub maps', () => {
    const yaml = [
      ...policies,
      'auth:',
      '  gh:',
      '    type: github',
      '    config: { organization: acme }',
      '    teams:',
      '      Eng: { policies: [app] }',
      '      ok: { policies: app }',
      '      empty:',
      '    users:',
      '      octocat: { policies: [missing] }',
      '  up:',
      '    type: userpass',
      '    users:',
      '      alice: { token_policies: [app], credentials: { file: { path: out/alice.json } } }',
    ].join('\n');
    const r = found(loadFiles({ 'c.yaml': yaml }));
    expect(r.warnings.filter((w) => w.includes('auth.gh'))).toEqual([expect.stringMatching(/^6:5 auth\.gh\.config: organization_id is not set/)]);
    expect(r.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/auth\.gh\.teams\.Eng/), expect.stringMatching(/auth\.gh\.users\.octocat\.policies.*missing/)]),
    );
    expect(r.errors.filter((e) => e.includes('auth.up'))).toEqual([]);
    expect(r.errors).toHaveLength(2);
  });

  it('GitHub keys are refused on other mount types', () => {
    const r = found(loadFiles({ 'c.yaml': ['auth:', '  up:', '    type: userpass', '    teams:', '      eng: { policies: [default] }'].join('\n') }));
    expect(r.errors.join('\n')).toContain('auth.up');
  });
});
