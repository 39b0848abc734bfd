import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { adoptHint } from '../../core/common/adopt.js';
import { endpointOrigin, s3DestinationProblem, s3ObjectId } from '../../core/common/s3-destinations.js';
import type { S3SinkSpec } from '../../core/model.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../../core/ports.js';
import { formatTargetOf, parseOwnedFile, render, type FileFormat, type FormatTarget } from '../format.js';
import { redactValues, S3SinkError } from './errors.js';
import { foreignState } from './foreign.js';

/** A credential object is a few hundred bytes; anything far larger is not one of ours. */
const MAX_BYTES = 1 << 20;
/** The ownership mark: user metadata on the object itself (`x-amz-meta-vault-gitops-object`), never the key's name. */
export const OWNER_METADATA = 'vault-gitops-object';
const FORMAT_METADATA = 'vault-gitops-format';
const ISSUED_METADATA = 'vault-gitops-issued-at';

export interface S3SinkOptions {
  /** VAULT_GITOPS_S3_ALLOW: checked again before every request (the config was checked at load). */
  allow: string | undefined;
}

/**
 * Ours, but with its marker gone from the body: its recorded hash matches no values, so the status
 * check sees it as edited and apply re-issues it.
 */
const MARKER_LOST: DeliveredState = { exists: true, owned: true, values: {}, meta: { issuedAt: new Date(0).toISOString(), hash: 'sha256:unknown' } };

/** What this sink last saw of an object: its ETag, or null when there was none. A write replaces only that. */
type Seen = string | null;

/**
 * Uploads credentials as one S3 object in a file format (json, vault-sidekick, env), so a consumer
 * reads the object as it would read the file. AWS credentials come from the SDK's standard chain
 * (environment, shared profile, web identity, SSO, container/instance role); the SDK is given no
 * logger, so no request or body is ever logged.
 *
 * Ownership is the object's own metadata (`vault-gitops-object`): an object without it is refused
 * unless `adopt: true`. Writes are conditional: a new object is created with `If-None-Match: *`, an
 * existing one replaced with `If-Match: <the ETag inspect saw>`, so two runs never interleave one
 * object and a change made since the last read is never overwritten.
 */
export class S3Sink implements CredentialSink {
  readonly type = 's3' as const;
  private readonly clients = new Map<string, S3Client>();
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly opts: S3SinkOptions) {}

  describe(target: CredentialTarget): string {
    return ref(spec(target));
  }

  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const s3 = spec(target);
    const got = await this.get(target);
    this.seen.set(s3ObjectId(s3), got?.etag ?? null);
    if (!got) return { exists: false, owned: true };
    if (got.metadata[OWNER_METADATA] === undefined) return foreignState(s3.adopt);
    // Ours, but the body lost its marker (replaced with the metadata kept): an edited copy.
    return { exists: true, ...(parseOwnedFile(formatOf(s3), formatTarget(target), got.text) ?? MARKER_LOST) };
  }

  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    const s3 = spec(target);
    const key = ref(s3);
    const rendered = render(formatOf(s3), formatTarget(target), values, meta);
    if (rendered.shape !== 'file') throw new S3SinkError('config', key, 'an S3 object holds one file: use format json, vault-sidekick or env');
    const redact = Object.values(values);
    const current = await this.head(target, redact);
    if (current && !current.owned && s3.adopt !== true) {
      throw new S3SinkError(
        'not-owned',
        key,
        `exists and was not written by vault-gitops (no ${OWNER_METADATA} metadata); refusing to overwrite it`,
        adoptHint('s3'),
      );
    }
    const seen = this.seen.has(s3ObjectId(s3)) ? this.seen.get(s3ObjectId(s3)) : (current?.etag ?? null);
    if ((current?.etag ?? null) !== seen) {
      throw new S3SinkError('conflict', key, `was ${seen === null ? 'created' : 'changed'} by someone else since vault-gitops read it; nothing written`, 're-run to converge');
    }
    const input: PutObjectCommandInput = {
      Bucket: s3.bucket,
      Key: s3.key,
      Body: rendered.text,
      ContentType: formatOf(s3) === 'env' ? 'text/plain; charset=utf-8' : 'application/json',
      CacheControl: 'no-store',
      Metadata: {
        [OWNER_METADATA]: encodeURIComponent(target.address),
        [FORMAT_METADATA]: formatOf(s3),
        [ISSUED_METADATA]: meta.issuedAt,
      },
      ...(seen === null ? { IfNoneMatch: '*' } : { IfMatch: seen }),
      ...(s3.sse ? { ServerSideEncryption: s3.sse } : {}),
      ...(s3.kms_key_id ? { SSEKMSKeyId: s3.kms_key_id } : {}),
    };
    const put = await this.call(target, 'upload', () => this.client(s3).send(new PutObjectCommand(input)), redact);
    this.seen.set(s3ObjectId(s3), put.ETag ?? null);
  }

  /** The object's text and metadata, or undefined when there is none. */
  private async get(target: CredentialTarget): Promise<{ text: string; etag: string | null; metadata: Record<string, string> } | undefined> {
    const s3 = spec(target);
    const out = await this.call(target, 'read', () => this.client(s3).send(new GetObjectCommand({ Bucket: s3.bucket, Key: s3.key })), [], true);
    if (!out) return undefined;
    if ((out.ContentLength ?? 0) > MAX_BYTES) {
      out.Body?.transformToWebStream().cancel().catch(() => {});
      throw new S3SinkError('foreign', ref(s3), 'is larger than 1 MiB: not a credential object vault-gitops wrote');
    }
    const text = (await out.Body?.transformToString('utf8')) ?? '';
    return { text, etag: out.ETag ?? null, metadata: out.Metadata ?? {} };
  }

  /** Whether the object exists now, its ETag and our mark (a HEAD: no credential crosses the wire). */
  private async head(target: CredentialTarget, redact: string[]): Promise<{ etag: string | null; owned: boolean } | undefined> {
    const s3 = spec(target);
    const out = await this.call(target, 'read', () => this.client(s3).send(new HeadObjectCommand({ Bucket: s3.bucket, Key: s3.key })), redact, true);
    return out ? { etag: out.ETag ?? null, owned: out.Metadata?.[OWNER_METADATA] !== undefined } : undefined;
  }

  private client(s3: S3SinkSpec): S3Client {
    const problem = s3DestinationProblem(s3, this.opts.allow);
    if (problem) throw new S3SinkError('not-allowed', ref(s3), problem.message, problem.hint);
    const endpoint = s3.endpoint === undefined ? undefined : endpointOrigin(s3.endpoint);
    const id = `${s3.region ?? ''}|${endpoint ?? ''}`;
    let client = this.clients.get(id);
    if (!client) {
      // The pinned SDK supports our Node >=20.19; its notice that later releases will need Node 22
      // would be printed on every run's stderr.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      client = new S3Client({
        ...(s3.region ? { region: s3.region } : {}),
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        maxAttempts: 4,
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      });
      this.clients.set(id, client);
    }
    return client;
  }

  /**
   * Runs one request; its failure becomes a one-line S3SinkError naming the object. With `absent`,
   * a 404 answers undefined instead.
   */
  private async call<T>(target: CredentialTarget, verb: string, fn: () => Promise<T>, redact: string[], absent: true): Promise<T | undefined>;
  private async call<T>(target: CredentialTarget, verb: string, fn: () => Promise<T>, redact: string[]): Promise<T>;
  private async call<T>(target: CredentialTarget, verb: string, fn: () => Promise<T>, redact: string[], absent = false): Promise<T | undefined> {
    const key = ref(spec(target));
    try {
      return await fn();
    } catch (err) {
      if (err instanceof S3SinkError) throw err;
      const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
      const name = (err as Error).name;
      if (absent && name !== 'NoSuchBucket' && (status === 404 || name === 'NoSuchKey' || name === 'NotFound')) return undefined;
      throw describeFailure(err, key, verb, status, redactValues((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '', redact));
    }
  }
}

/** Answers that mean the credentials themselves are wrong (not a missing permission). */
const REJECTED_CREDENTIALS = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'ExpiredToken', 'InvalidToken', 'RequestTimeTooSkewed']);

function describeFailure(err: unknown, key: string, verb: string, status: number | undefined, detail: string): S3SinkError {
  const name = err instanceof Error ? err.name : 'Error';
  if (status === 412 || status === 409) {
    return new S3SinkError('conflict', key, `${verb}: changed by someone else during the write (${status} ${name}); nothing written`, 're-run to converge');
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return new S3SinkError('credentials', key, `${verb} refused: the store rejected the AWS credentials (${status ?? ''} ${name})`, 'check the AWS credentials vault-gitops finds (environment, profile, role) and the clock');
  }
  if (status === 403 || status === 401) {
    return new S3SinkError('forbidden', key, `${verb} refused (${status} ${name}): ${detail}`, 'grant the permissions `docs/credentials.md` ("S3 objects") lists to the AWS identity vault-gitops runs as');
  }
  if (name === 'NoSuchBucket') return new S3SinkError('api', key, `${verb}: the bucket does not exist`, 'create the bucket first (vault-gitops never creates buckets)');
  if (name === 'CredentialsProviderError') {
    return new S3SinkError('credentials', key, `no AWS credentials: ${detail}`, 'provide them the standard AWS way (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance role); never in the config');
  }
  if (/region is missing/i.test(detail)) return new S3SinkError('config', key, `${verb}: no region`, 'set credentials.s3.region, or AWS_REGION where vault-gitops runs');
  if (status === undefined) return new S3SinkError('unreachable', key, `${verb} failed: ${detail}`, 'check the endpoint and that the S3 service is up');
  return new S3SinkError('api', key, `${verb} failed (${status} ${name}): ${detail}`);
}

function spec(target: CredentialTarget): S3SinkSpec {
  const s3 = target.spec.s3;
  if (!s3) throw new Error(`${target.address}: no s3 credentials target`);
  return s3;
}

function ref(s3: S3SinkSpec): string {
  return `s3://${s3.bucket}/${s3.key}`;
}

function formatOf(s3: S3SinkSpec): FileFormat {
  return s3.format ?? 'json';
}

function formatTarget(target: CredentialTarget): FormatTarget {
  return formatTargetOf(target, spec(target).env_names);
}
