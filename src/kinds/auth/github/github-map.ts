// GitHub team and user maps, `auth/MOUNT/map/teams/NAME` and `auth/MOUNT/map/users/NAME`: the
// policies a login gets for a team (by name or slug) or a user (login). Vault stores the policies as
// one comma-separated `value` and the key lower-cased, so names are declared lower-case; the
// policies compare as a set.
import { Type } from 'typebox';
import type { Settings } from '../../../core/model.js';
import type { PrincipalSource } from '../../../core/principal.js';
import { authMapKind } from '../auth-method-objects.js';
import { object, stringList } from '../../shared/fields.js';
import type { Kind } from '../../kind.js';

/** Vault's route for a map key: letters, digits, `_` and `-`; we ask for lower case (Vault stores it so). */
export const GITHUB_MAP_NAME = /^[-\w]+$/;
const GITHUB_MAP_NAME_PATTERN = '^[-a-z0-9_]+$';

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

function mapKind(kind: string, title: string, key: 'teams' | 'users', who: string, example: { name: string; policy: string; summary: string }): Kind {
  return authMapKind({
    kind,
    title,
    authType: 'github',
    key,
    api: `map/${key}`,
    schema: object({ policies: stringList(`Policies a login gets for this ${who}.`) }, { description: `github: auth/<mount>/map/${key}/<name>.` }),
    names: Type.String({ pattern: GITHUB_MAP_NAME_PATTERN, description: `A ${who} (lower case: letters, digits, \`_\`, \`-\`).` }),
    description: `github: policies by ${who}.`,
    policyField: 'policies',
    // A login gets the mount config's policies too; a team's name is a group alias of its members' logins.
    login: {
      bindings: [],
      includes: (obj) => [`auth/${obj.mount ?? ''}/config`],
      ...(key === 'teams' ? { groupAliases: (obj: PrincipalSource) => ({ mount: obj.mount ?? '', names: [obj.name] }) } : {}),
      // The alias is the GitHub login: a user map's key (Vault stores it lower-cased).
      entityAlias: (obj) => (key === 'users' ? { mount: obj.mount ?? '', name: obj.name } : { mount: obj.mount ?? '', from: 'GitHub login' }),
    },
    checkEntry(ctx, e) {
      const problem = githubMapNameProblem(e.name);
      if (problem) ctx.error(e.path, problem.message, problem.hint, 'key');
    },
    securityFields: ['policies'],
    defaults: {},
    docs: {
      summary: `${example.summary} Vault stores the policies as one comma-separated value, and the key lower-cased.`,
      api: [`auth/MOUNT/map/${key}/NAME`],
      example: `policies:
  ${example.policy}:
    policy: |
      path "secret/data/*" {
        capabilities = ["read"]
      }
auth:
  github:
    type: github
    config: { organization: acme, organization_id: 1234567 }
    ${key}:
      ${example.name}:
        policies: [${example.policy}]
`,
      guide: 'kinds/kubernetes-github.md',
    },
    normalise,
    fromVault: (data) => ({ policies: policySet(data.value) }),
    // An array `value` would be stored as such and never read as policies by the login.
    toVault: (settings) => ({ value: policySet(settings.policies).join(',') }),
  });
}

export const githubTeamMapKind = mapKind('github-team-map', 'GitHub team maps', 'teams', "team's slug or name", {
  name: 'engineering',
  policy: 'eng-read',
  summary: "The policies a github login gets for being in a team of the organization, by the team's slug (or name).",
});
export const githubUserMapKind = mapKind('github-user-map', 'GitHub user maps', 'users', "user's login", {
  name: 'octocat',
  policy: 'break-glass',
  summary: 'The policies one GitHub user gets at login, by their login name.',
});
