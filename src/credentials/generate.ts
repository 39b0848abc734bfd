import { createRequire } from 'node:module';
import type { PasswordPolicy } from '../core/model.js';
import type { VaultPort } from '../core/ports.js';

const require = createRequire(import.meta.url);
const generator = require('generate-password') as { generate(o: PasswordPolicy): string };

/** Strong by default: 32 characters of letters and digits (no symbols, which break env files and URLs). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  length: 32,
  numbers: true,
  symbols: false,
  lowercase: true,
  uppercase: true,
  strict: true,
};

export function generatePassword(...overrides: Array<Partial<PasswordPolicy> | undefined>): string {
  const policy = Object.assign({}, DEFAULT_PASSWORD_POLICY, ...overrides.filter(Boolean)) as PasswordPolicy;
  return generator.generate(policy);
}

/**
 * A password Vault generates by a password policy (`credentials: { password_policy: NAME }`), for
 * organisations that must show their password rules are Vault's. The value is returned, never logged.
 */
export async function policyPassword(vault: VaultPort, policy: string): Promise<string> {
  const answer = (await vault.read(`sys/policies/password/${encodeURIComponent(policy)}/generate`)) as { data?: { password?: unknown } } | undefined;
  const password = answer?.data?.password;
  if (typeof password !== 'string' || password === '') throw new Error(`password policy ${policy} generated no password`);
  return password;
}
