/**
 * `--compare terraform`: the same objects (N policies + N/10 AppRole roles, each role's secret_id
 * delivered) as vault-gitops YAML and as Terraform HCL for terraform-provider-vault.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface TerraformTools {
  /** tofu or terraform. */
  cli: string;
  name: string;
  version: string;
  provider: string;
  providerVersion: string;
}

const policyText = (p: string) => `path "secret/data/${p}/*" { capabilities = ["read", "list"] }`;

export function comparePolicies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `svc-${i}`);
}
export function compareRoles(n: number): string[] {
  return Array.from({ length: Math.floor(n / 10) }, (_, i) => `app-${i}`);
}

/** vault-gitops's config of the objects; each role's credentials go to out/ROLE.json. */
export function writeCompareYaml(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  const pol = ['policies:', ...comparePolicies(n).flatMap((p) => [`  ${p}:`, '    policy: |', `      ${policyText(p)}`])];
  writeFileSync(join(dir, 'policies.yaml'), pol.join('\n') + '\n');
  const auth = ['auth:', '  approle:', '    type: approle', '    roles:'];
  for (const [i, r] of compareRoles(n).entries()) {
    auth.push(`      ${r}: { token_policies: [svc-${i}], token_ttl: 1h, token_max_ttl: 4h, secret_id_ttl: 720h, credentials: { file: { path: out/${r}.json } } }`);
  }
  writeFileSync(join(dir, 'auth.yaml'), auth.join('\n') + '\n');
}

/** The same objects for Terraform: vault_policy, one approle backend, roles and their secret_ids. */
export function writeCompareTf(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  const tf = [
    'terraform {',
    '  required_providers {',
    '    vault = { source = "hashicorp/vault" }',
    '  }',
    '}',
    'provider "vault" {}',
    'resource "vault_auth_backend" "approle" {',
    '  type = "approle"',
    '  path = "approle"',
    '}',
  ];
  for (const p of comparePolicies(n)) tf.push(`resource "vault_policy" "${p}" {`, `  name   = "${p}"`, `  policy = ${JSON.stringify(policyText(p))}`, '}');
  for (const [i, r] of compareRoles(n).entries()) {
    tf.push(
      `resource "vault_approle_auth_backend_role" "${r}" {`,
      '  backend        = vault_auth_backend.approle.path',
      `  role_name      = "${r}"`,
      `  token_policies = ["svc-${i}"]`,
      '  token_ttl      = 3600',
      '  token_max_ttl  = 14400',
      '  secret_id_ttl  = 2592000',
      '}',
      `resource "vault_approle_auth_backend_role_secret_id" "${r}" {`,
      '  backend   = vault_auth_backend.approle.path',
      `  role_name = vault_approle_auth_backend_role.${r}.role_name`,
      '}',
    );
  }
  writeFileSync(join(dir, 'main.tf'), tf.join('\n') + '\n');
}

function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, name))) return join(d, name);
  return undefined;
}

function cacheBin(): string {
  return join(process.env.VAULT_GITOPS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vault-gitops'), 'bin');
}

/** The newest build in the cache: bin/PREFIX-vX.Y.Z/FILE, FILE chosen by `pick`. */
function cached(prefix: string, pick: (file: string) => boolean): string | undefined {
  const root = cacheBin();
  if (!existsSync(root)) return undefined;
  const dirs = readdirSync(root).filter((d) => d.startsWith(prefix)).sort();
  for (const d of dirs.reverse()) {
    const bin = readdirSync(join(root, d)).find((f) => pick(f) && !f.endsWith('.tmp'));
    if (bin) return join(root, d, bin);
  }
  return undefined;
}

const cachedProvider = () => cached('terraform-provider-vault-', (f) => f.startsWith('terraform-provider-vault_'));
const cachedTofu = () => cached('opentofu-', (f) => f === 'tofu');

/**
 * The binaries, from the environment (VAULT_GITOPS_TERRAFORM: tofu or terraform; VAULT_GITOPS_TFVP:
 * the provider), else the OpenTofu scripts/opentofu.sh built, tofu or terraform on PATH, and a
 * provider placed in the cache by hand (the project does not build it: the Go module proxy does not
 * serve its current releases). Throws a message naming each missing piece and how to get it.
 */
export function findTerraform(): TerraformTools {
  const cli = process.env.VAULT_GITOPS_TERRAFORM || cachedTofu() || onPath('tofu') || onPath('terraform');
  const provider = process.env.VAULT_GITOPS_TFVP || cachedProvider();
  const missing: string[] = [];
  if (!cli || !existsSync(cli)) {
    const why = cli ? `${cli} does not exist` : 'not built, and neither tofu nor terraform is on PATH';
    missing.push(`OpenTofu or Terraform: ${why}; run scripts/opentofu.sh (builds OpenTofu into ~/.cache/vault-gitops/bin), or set VAULT_GITOPS_TERRAFORM=/path/to/tofu-or-terraform`);
  }
  if (!provider || !existsSync(provider)) {
    missing.push(`terraform-provider-vault: ${provider ? `${provider} does not exist` : 'not found'}; build it yourself from its public source (the Go module proxy does not serve it) and set VAULT_GITOPS_TFVP=/path/to/terraform-provider-vault, or place it at ~/.cache/vault-gitops/bin/terraform-provider-vault-vX.Y.Z/terraform-provider-vault_X.Y.Z`);
  }
  if (missing.length > 0) throw new Error(`--compare terraform needs:\n  - ${missing.join('\n  - ')}`);
  const lines = execFileSync(cli!, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').map((l) => l.trim());
  // "OpenTofu v1.12.6" / "Terraform v1.11.4"; OpenTofu prints warnings about its CLI config (say, a
  // TF_CLI_CONFIG_FILE that does not exist) before it on stdout. Anything else is shown as printed.
  const m = lines.map((l) => /^(OpenTofu|Terraform) v(\S+)$/.exec(l)).find(Boolean);
  const line = lines.find(Boolean) ?? 'unknown version';
  const providerVersion = /_v?([\d.]+)$/.exec(provider!)?.[1] ?? 'unknown version';
  return { cli: cli!, name: m ? `${m[1]} v${m[2]}` : line, version: m?.[2] ?? line, provider: provider!, providerVersion };
}

/** A CLI config that makes Terraform use the provider binary as it is (no registry, no init). */
export function providerOverride(tools: TerraformTools, dir: string): string {
  const pluginDir = join(dir, 'provider');
  mkdirSync(pluginDir, { recursive: true });
  const link = join(pluginDir, 'terraform-provider-vault');
  if (!existsSync(link)) symlinkSync(tools.provider, link);
  const rc = join(dir, 'terraform.rc');
  writeFileSync(rc, `provider_installation {\n  dev_overrides {\n    "hashicorp/vault" = "${pluginDir}"\n  }\n  direct {}\n}\n`);
  return rc;
}

/** Secret values Terraform keeps in its state file in plain text (secret_id, tokens, passwords). */
export function secretsInState(stateFile: string): { count: number; fields: string[] } {
  if (!existsSync(stateFile)) return { count: 0, fields: [] };
  const fields = new Set<string>();
  let count = 0;
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (typeof v === 'string' && v.length > 0 && /^(secret_id|client_token|token|password|wrapping_token)$/.test(key)) {
      count++;
      fields.add(key);
    }
  };
  walk(JSON.parse(readFileSync(stateFile, 'utf8')), '');
  return { count, fields: [...fields].sort() };
}
