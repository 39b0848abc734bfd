// `auth/MOUNT/config` of a github auth mount: the organization whose members may log in, and the
// token settings of every login. Vault's write merges into the stored config. When organization_id
// is not given, Vault looks it up at the GitHub API (base_url) during the write, so an apply then
// depends on reaching GitHub; the kind's check says so.
import { Type } from 'typebox';
import type { Settings } from '../../../core/model.js';
import { authConfigKind } from '../auth-method-objects.js';
import { object, TOKEN_FIELDS } from '../../shared/fields.js';
import type { CheckContext } from '../../kind.js';
import { normaliserFor } from '../../shared/normalise.js';
import { checkSecretTransport, type PlacedEntry } from '../../shared/support.js';

/** Vault stores base_url with a trailing slash (it appends one). */
function normalise(settings: Settings): Settings {
  const out = normaliseFields(settings);
  // A single name (the shared normaliser treats `organization` as a PKI subject list).
  if (typeof settings.organization === 'string') out.organization = settings.organization.trim();
  if (typeof out.base_url === 'string' && out.base_url !== '' && !out.base_url.endsWith('/')) out.base_url = `${out.base_url}/`;
  if (typeof out.organization_id === 'string' && /^\d+$/.test(out.organization_id)) out.organization_id = Number(out.organization_id);
  return out;
}

// OpenBao has no github auth method, so the OpenBao-only token field is left out.
const { token_strictly_bind_ip: _openbaoOnly, ...tokenFields } = TOKEN_FIELDS;

const schema = object(
  {
    organization: Type.String({ minLength: 1, description: 'The GitHub organization whose members may log in.' }),
    organization_id: Type.Integer({ minimum: 1, description: "The organization's numeric id. Without it Vault looks it up at the GitHub API while writing the config." }),
    base_url: Type.String({ minLength: 1, description: 'The GitHub API URL for GitHub Enterprise (default https://api.github.com/); stored with a trailing `/`.' }),
    ...tokenFields,
  },
  { required: ['organization'], description: 'github: auth/<mount>/config parameters.' },
);
const normaliseFields = normaliserFor(schema);

export const githubAuthConfigKind = authConfigKind({
  kind: 'github-auth-config',
  title: 'GitHub auth configuration',
  authType: 'github',
  key: 'config',
  schema,
  description: 'github: the organization and the token settings of every login (auth/<mount>/config).',
  policyField: 'token_policies',
  // Every member of the organization: a team or user map adds its policies to these.
  login: { bindings: ['organization', 'organization_id', 'base_url', 'token_bound_cidrs'], entityAlias: (obj) => ({ mount: obj.mount ?? '', from: 'GitHub login' }) },
  checkEntry,
  securityFields: ['organization', 'organization_id', 'base_url', 'token_policies', 'token_bound_cidrs', 'token_type', 'token_no_default_policy'],
  defaults: {},
  docs: {
    summary:
      'The configuration of a github auth mount: the GitHub organization whose members may log in, and the token settings of every login. Part of the mount: it is never deleted. OpenBao has no github auth method.',
    api: ['auth/MOUNT/config'],
    example: `auth:
  github:
    type: github
    config:
      organization: acme
      organization_id: 1234567
      token_ttl: 8h
`,
    guide: 'kinds/kubernetes-github.md',
  },
  normalise,
  fromVault: (data) => ({ ...data }),
  toVault: (settings) => ({ ...settings }),
});

/** The warning `check` gives for a config without organization_id (Vault would ask api.github.com). */
export function organizationIdHint(organization: string): { message: string; hint: string } {
  return {
    message: `organization_id is not set: Vault looks it up from the GitHub API when it writes the config, so the apply fails where GitHub cannot be reached`,
    hint: `set organization_id to the organization's numeric id (the \`id\` of https://api.github.com/orgs/${encodeURIComponent(organization)})`,
  };
}

function checkEntry(ctx: CheckContext, e: PlacedEntry): void {
  checkSecretTransport(ctx, [...e.path, 'base_url'], e.value.base_url, "the GitHub token of every user who logs in");
  if (e.value.organization_id !== undefined || typeof e.value.organization !== 'string') return;
  const { message, hint } = organizationIdHint(e.value.organization);
  ctx.warn(e.path, message, hint, 'key');
}
