import { createRequire } from 'node:module';
import type { PasswordPolicy } from '../core/model.js';

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
