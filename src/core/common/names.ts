// Object names as Vault's API accepts them, so a name Vault would refuse (or change) fails
// `validate` instead of failing half-way through an apply.

/**
 * Userpass users, AppRole roles, PKI roles: Vault routes them with framework.GenericNameRegex,
 * `\w(([\w-.]+)?\w)?` (ASCII letters, digits, `_`; `-` and `.` inside).
 */
const GENERIC_NAME = /^\w(?:[\w.-]*\w)?$/;

export const GENERIC_NAME_RULE = 'letters, digits and `_`, with `-` and `.` allowed inside';

export function isGenericName(name: string): boolean {
  return GENERIC_NAME.test(name);
}

/**
 * Policy names: Vault takes anything after `sys/policies/acl/` (so `team/app` is a name) and
 * lower-cases it. What cannot survive the trip: white space and control characters (token_policies
 * lists are trimmed and split), and path segments an HTTP path would collapse.
 */
export function policyNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(name)) return 'contains white space or a control character';
  if (name.includes(',')) return 'contains a comma (token_policies lists are comma-separated)';
  if (/^\/|\/$/.test(name)) return 'starts or ends with `/`';
  if (/\/\/|(^|\/)\.\.?(\/|$)/.test(name)) return 'contains an empty, `.` or `..` segment';
  return undefined;
}

/**
 * A path segment an HTTP URL resolves away: `.`, `..`, or either with `%2e` for a dot (URLs decode
 * those too). `sys/audit/../../sys/policies/acl/x` would be sent to `sys/policies/acl/x`.
 */
export const isDotSegment = (segment: string): boolean => /^(\.|%2e){1,2}$/i.test(segment);

/** True when a `/`-separated segment of `path` is empty or a dot segment. */
export const hasCollapsingSegment = (path: string): boolean => path.split('/').some((s) => s === '' || isDotSegment(s));
