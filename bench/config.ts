import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Synthetic {
  dir: string;
  policies: string[];
  roles: string[];
  users: string[];
  pkiRoles: string[];
  /** Objects in all (mounts included). */
  objects: number;
}

/**
 * N objects in the proportions of a services organisation: per service and environment one policy
 * and one AppRole (90%), engineers as userpass users (5%), PKI roles (5%), plus three mounts.
 */
export function generateConfig(dir: string, n: number): Synthetic {
  mkdirSync(dir, { recursive: true });
  const units = Math.floor((n * 0.9) / 2);
  const nUsers = Math.floor(n * 0.05);
  const nPki = n - units * 2 - nUsers - 3;
  const policies = Array.from({ length: units }, (_, i) => `svc-${i}`);
  const roles = policies;
  const users = Array.from({ length: nUsers }, (_, i) => `eng-${i}`);
  const pkiRoles = Array.from({ length: nPki }, (_, i) => `pki-role-${i}`);
  const pol = ['policies:'];
  for (const p of policies) pol.push(`  ${p}:`, '    policy: |', `      path "secret/data/${p}/*" { capabilities = ["read", "list"] }`);
  writeFileSync(join(dir, 'policies.yaml'), pol.join('\n') + '\n');
  const auth = ['auth:', '  approle:', '    type: approle', '    roles:'];
  for (const r of roles) auth.push(`      ${r}: { token_policies: [${r}], token_ttl: 1h, token_max_ttl: 4h, secret_id_ttl: 720h, token_bound_cidrs: [10.0.0.0/8] }`);
  auth.push('  userpass:', '    type: userpass', '    users:');
  for (const u of users) auth.push(`      ${u}: { token_policies: [default], token_ttl: 8h }`);
  writeFileSync(join(dir, 'auth.yaml'), auth.join('\n') + '\n');
  const pki = ['secrets:', '  pki:', '    type: pki', '    tune: { max_lease_ttl: 87600h }', '    roles:'];
  for (const r of pkiRoles) pki.push(`      ${r}: { allowed_domains: [${r}.svc.cluster.local], allow_subdomains: true, max_ttl: 72h }`);
  writeFileSync(join(dir, 'pki.yaml'), pki.join('\n') + '\n');
  return { dir, policies, roles, users, pkiRoles, objects: units * 2 + nUsers + nPki + 3 };
}
