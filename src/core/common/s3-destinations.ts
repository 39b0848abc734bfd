// Where S3 sinks may upload credentials. A config comes from pull requests, so its bucket and
// endpoint alone never decide where a credential goes: the environment running vault-gitops names
// the allowed destinations (VAULT_GITOPS_S3_ALLOW), and a sink outside them is refused.
//
// Entries, separated by commas or white space: `BUCKET`, `BUCKET/KEY-PREFIX`, either followed by
// `@ENDPOINT` (an http(s) origin) for an S3-compatible store. An entry without `@` allows the
// default endpoint only (AWS, or the operator's own AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).

export const S3_ALLOW_ENV = 'VAULT_GITOPS_S3_ALLOW';

export interface S3Destination {
  bucket: string;
  /** '' allows every key of the bucket. */
  prefix: string;
  /** Normalised origin (`https://host:port`), or undefined for the default endpoint. */
  endpoint?: string;
}

/** The origin of an endpoint URL (scheme, host, port; lower case), or undefined when it is not one. */
export function endpointOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** Parses the allow-list; entries that do not parse are returned as `invalid` (reported, never guessed at). */
export function parseS3Allow(text: string | undefined): { allowed: S3Destination[]; invalid: string[] } {
  const allowed: S3Destination[] = [];
  const invalid: string[] = [];
  for (const entry of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const at = entry.indexOf('@');
    const where = at < 0 ? entry : entry.slice(0, at);
    const endpoint = at < 0 ? undefined : endpointOrigin(entry.slice(at + 1));
    const slash = where.indexOf('/');
    const bucket = slash < 0 ? where : where.slice(0, slash);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || (at >= 0 && endpoint === undefined)) {
      invalid.push(entry);
      continue;
    }
    allowed.push({ bucket, prefix: slash < 0 ? '' : where.slice(slash + 1), ...(endpoint ? { endpoint } : {}) });
  }
  return { allowed, invalid };
}

/** Why a sink's destination is not allowed, or undefined when an entry allows it. Never names the credential. */
export function s3DestinationProblem(sink: { bucket: string; key: string; endpoint?: string }, allowText: string | undefined): { message: string; hint: string } | undefined {
  const { allowed, invalid } = parseS3Allow(allowText);
  const where = `s3://${sink.bucket}/${sink.key}${sink.endpoint ? ` at ${sink.endpoint}` : ''}`;
  const entry = `${sink.bucket}${sink.endpoint ? `@${endpointOrigin(sink.endpoint) ?? sink.endpoint}` : ''}`;
  if (invalid.length > 0) {
    return { message: `${S3_ALLOW_ENV} has entries that are not BUCKET[/PREFIX][@http(s)://HOST[:PORT]]: ${invalid.join(', ')}`, hint: `fix ${S3_ALLOW_ENV} in the environment running vault-gitops` };
  }
  if (allowed.length === 0) {
    return {
      message: `credentials go to ${where}, but no S3 destination is allowed (${S3_ALLOW_ENV} is not set)`,
      hint: `the operator, not the config, allows destinations: if this one is meant, set ${S3_ALLOW_ENV}=${entry} where vault-gitops runs`,
    };
  }
  const origin = sink.endpoint === undefined ? undefined : endpointOrigin(sink.endpoint);
  const ok = allowed.some((a) => a.bucket === sink.bucket && a.endpoint === origin && sink.key.startsWith(a.prefix));
  if (ok) return undefined;
  return {
    message: `credentials go to ${where}, which ${S3_ALLOW_ENV} does not allow`,
    hint: `a config cannot choose where credentials go on its own (a pull request may have changed it): if this destination is meant, add ${entry} to ${S3_ALLOW_ENV} where vault-gitops runs`,
  };
}

/** One S3 object's identity: the same bucket and key at another endpoint is another object. */
export function s3ObjectId(sink: { bucket: string; key: string; endpoint?: string }): string {
  return `${sink.endpoint === undefined ? '' : (endpointOrigin(sink.endpoint) ?? sink.endpoint)} s3://${sink.bucket}/${sink.key}`;
}
