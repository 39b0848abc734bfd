// Namespace estates for the tests: a platform config declaring namespaces, and a tenant directory's
// config (policies, AppRole and userpass with delivered credentials, KV, PKI, identity groups).

/** The platform config: declares the namespaces (nested ones by their path), each with its owner in custom_metadata. */
export const platformConfig = (names: string[]) => ({
  'vault.yaml': `namespaces:\n${names.map((n) => `  ${n}:\n    custom_metadata: { owner: ${n.replace(/\//g, '-')} }\n`).join('')}`,
});

/**
 * One tenant's directory: the same YAML as any config, its top-level `namespace:` says where it goes.
 * Its credentials are delivered under `out` (of the run's working directory); `extraPolicy` adds policies.
 */
export const tenantConfig = (ns: string, extraPolicy = '', out = 'out') => ({
  'vault.yaml': `namespace: ${ns}
policies:
  app:
    policy: |
      path "kv/data/*" { capabilities = ["read"] }
${extraPolicy}auth:
  approle:
    type: approle
    roles:
      app:
        token_policies: [app]
        token_ttl: 10m
        credentials: { file: { path: ${out}/app.json } }
  userpass:
    type: userpass
    users:
      alice:
        token_policies: [app]
        credentials: { file: { path: ${out}/alice.json } }
secrets:
  kv:
    type: kv
    options: { version: "2" }
  pki:
    type: pki
    root_ca:
      common_name: ${ns.replace(/\//g, '-')} root
      ttl: 87600h
    roles:
      web:
        allowed_domains: [example.com]
        allow_subdomains: true
        max_ttl: 24h
identity:
  groups:
    devs:
      policies: [app]
      metadata: { team: ${ns.replace(/\//g, '-')} }
    oncall:
      type: external
      policies: [app]
      alias: { name: oncall, mount: userpass }   # the accessor of this namespace's userpass mount
`,
});
