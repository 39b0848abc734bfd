// The rules of the `default` policy a new Vault 1.21 server holds (vault/policy_store.go). OpenBao 2.4
// ships the same rules less `sys/control-group/request` (an Enterprise feature). Operators may edit the
// policy on their server: where the server is at hand, its own text is the one to evaluate.
import { parsePolicy, type ParsedPolicy } from './policy-rules.js';

const RULES: Array<[path: string, capabilities: string[]]> = [
  ['auth/token/lookup-self', ['read']],
  ['auth/token/renew-self', ['update']],
  ['auth/token/revoke-self', ['update']],
  ['sys/capabilities-self', ['update']],
  ['identity/entity/id/{{identity.entity.id}}', ['read']],
  ['identity/entity/name/{{identity.entity.name}}', ['read']],
  ['sys/internal/ui/resultant-acl', ['read']],
  ['sys/renew', ['update']],
  ['sys/leases/renew', ['update']],
  ['sys/leases/lookup', ['update']],
  ['cubbyhole/*', ['create', 'read', 'update', 'delete', 'list']],
  ['sys/wrapping/wrap', ['update']],
  ['sys/wrapping/lookup', ['update']],
  ['sys/wrapping/unwrap', ['update']],
  ['sys/tools/hash', ['update']],
  ['sys/tools/hash/*', ['update']],
  ['sys/control-group/request', ['update']],
  ['identity/oidc/provider/+/authorize', ['read', 'update']],
];

/** The shipped `default` policy as HCL text. */
export const SHIPPED_DEFAULT_POLICY = RULES.map(([path, caps]) => `path "${path}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(', ')}]\n}\n`).join('');

/** The `default` policy: the server's text when given, the shipped one otherwise. */
export function defaultPolicy(serverText?: string): ParsedPolicy {
  return parsePolicy('default', serverText ?? SHIPPED_DEFAULT_POLICY).policy;
}
