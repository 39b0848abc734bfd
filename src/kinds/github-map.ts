// GitHub team and user maps, `auth/MOUNT/map/teams/NAME` and `auth/MOUNT/map/users/NAME`: the
// policies a login gets for a team (by name or slug) or a user (login). Vault stores the policies as
// one comma-separated `value` and the key lower-cased, so names are declared lower-case; the
// policies compare as a set.
import type { KindName, Settings } from '../core/model.js';
import { authMapKind, mountEntries, type ExportingKind, type Reporter } from './auth-method-objects.js';

/** Vault's route for a map key: letters, digits, `_` and `-`. */
export const GITHUB_MAP_NAME = /^[-\w]+$/;

/** Why a map key cannot be used as written, or undefined. */
export function githubMapNameProblem(name: string): { message: string; hint: string } | undefined {
  if (!GITHUB_MAP_NAME.test(name)) {
    return { message: `\`${name}\` cannot be a GitHub map key: Vault accepts letters, digits, \`_\` and \`-\` only`, hint: "use the team's slug (lower-case, `-` for spaces) or the user's login" };
  }
  if (name !== name.toLowerCase()) {
    return { message: `\`${name}\`: Vault stores GitHub map keys lower-cased, so it would read back as \`${name.toLowerCase()}\``, hint: `write \`${name.toLowerCase()}\`` };
  }
  return undefined;
}

function policySet(v: unknown): string[] {
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
  return [...new Set(list.map((p) => p.trim()).filter((p) => p !== ''))].sort();
}

function normalise(settings: Settings): Settings {
  return 'policies' in settings ? { ...settings, policies: policySet(settings.policies) } : { ...settings };
}

function mapKind(kind: string, title: string, key: 'teams' | 'users'): ExportingKind & { check(ctx: Reporter): void } {
  const check = (ctx: Reporter) => {
    for (const e of mountEntries(ctx.config, 'github', key, 'map')) {
      const problem = githubMapNameProblem(e.name);
      if (problem) ctx.error(e.path, problem.message, problem.hint, 'key');
    }
  };
  return { check, ...authMapKind({
    kind: kind as KindName,
    title,
    authType: 'github',
    key,
    api: `map/${key}`,
    securityFields: ['policies'],
    defaults: {},
    exported: ['policies'],
    policiesOf: (s) => policySet(s.policies),
    normalise,
    fromVault: (data) => ({ policies: policySet(data.value) }),
    // An array `value` would be stored as such and never read as policies by the login.
    toVault: (settings) => ({ value: policySet(settings.policies).join(',') }),
  }) };
}

export const githubTeamMapKind = mapKind('github-team-map', 'GitHub team maps', 'teams');
export const githubUserMapKind = mapKind('github-user-map', 'GitHub user maps', 'users');
