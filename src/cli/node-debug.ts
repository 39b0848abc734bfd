// NODE_DEBUG is read by Node itself before any of our code runs: with `http` (or https, net, tls,
// fetch, undici, a `*` pattern) Node's own modules print every request's options, headers included,
// so the Vault token would reach the CI log. It cannot be switched off from inside the process, so
// vault-gitops refuses to run with it.

const LEAKY = new Set(['http', 'http2', 'https', 'net', 'tls', 'fetch', 'undici']);

/** The NODE_DEBUG sections that would print request headers, or [] when none would. */
export function leakyNodeDebug(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && (LEAKY.has(s) || (s.includes('*') && [...LEAKY].some((m) => new RegExp(`^${s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(m)))));
}

/** The refusal, naming the sections (never another variable's value). */
export function nodeDebugRefusal(value: string | undefined): string | undefined {
  const leaky = leakyNodeDebug(value);
  if (leaky.length === 0) return undefined;
  return (
    `error: NODE_DEBUG=${leaky.join(',')} makes Node itself print every HTTP request's headers, the Vault token included; vault-gitops does not run with it\n` +
    '  hint: unset NODE_DEBUG (or leave out http, https, http2, net, tls, fetch and undici); --debug logs each request safely (method, path, status, time)'
  );
}
