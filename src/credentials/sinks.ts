import { deliversCredentials, type CredentialsSpec, type DesiredObject } from '../core/model.js';
import type { CredentialSink, CredentialTarget, SinksPort } from '../core/ports.js';
import { FileSink } from './sinks/file.js';

export interface SinkOptions {
  /** Where file-sink paths are resolved and confined (--sink-root; default the working directory). */
  sinkRoot?: string;
  /** kubeconfig context, like kubectl's --context. */
  kubeContext?: string;
  /** Where S3 sinks may upload (VAULT_GITOPS_S3_ALLOW). */
  s3Allow?: string;
  vaultAddr: string;
  /** The namespace of the run's objects ('' or absent: the root). */
  vaultNamespace?: string;
}

/** Hands out one sink instance per type; the Kubernetes client is loaded only when a config needs it. */
export class Sinks implements SinksPort {
  private readonly file: FileSink;
  private kube?: Promise<CredentialSink>;
  private s3?: Promise<CredentialSink>;

  constructor(private readonly opts: SinkOptions) {
    this.file = new FileSink(opts.sinkRoot);
  }

  target(obj: DesiredObject): CredentialTarget | undefined {
    if (!obj.credentials || !deliversCredentials(obj.credentials)) return undefined;
    return { address: obj.address, kind: obj.kind, mount: obj.mount ?? '', name: obj.name, spec: obj.credentials, vaultAddr: this.opts.vaultAddr, ...(this.opts.vaultNamespace ? { vaultNamespace: this.opts.vaultNamespace } : {}) };
  }

  /** Every sink the object's credentials go to (a config may name several: a file, a Secret, an S3 object). */
  async for(spec: CredentialsSpec): Promise<CredentialSink[]> {
    const out: CredentialSink[] = [];
    if (spec.file) out.push(this.file);
    if (spec.kubernetes) {
      this.kube ??= import('./sinks/kubernetes.js').then((m) => m.createKubernetesSink({ context: this.opts.kubeContext }));
      out.push(await this.kube);
    }
    if (spec.s3) {
      // The AWS SDK is loaded only when a config uploads to S3.
      this.s3 ??= import('./sinks/s3.js').then((m) => new m.S3Sink({ allow: this.opts.s3Allow }));
      out.push(await this.s3);
    }
    return out;
  }
}
