import type { CredentialsSpec, DesiredObject } from '../core/model.js';
import type { CredentialSink, CredentialTarget, SinksPort } from '../core/ports.js';
import { FileSink } from './sinks/file.js';

export interface SinkOptions {
  /** Where file-sink paths are resolved and confined (--sink-root; default the working directory). */
  sinkRoot?: string;
  /** kubeconfig context, like kubectl's --context. */
  kubeContext?: string;
  vaultAddr: string;
  /** The namespace of the run's objects ('' or absent: the root). */
  vaultNamespace?: string;
}

/** Hands out one sink instance per type; the Kubernetes client is loaded only when a config needs it. */
export class Sinks implements SinksPort {
  private readonly file: FileSink;
  private kube?: Promise<CredentialSink>;

  constructor(private readonly opts: SinkOptions) {
    this.file = new FileSink(opts.sinkRoot);
  }

  target(obj: DesiredObject): CredentialTarget | undefined {
    if (!obj.credentials || (!obj.credentials.file && !obj.credentials.kubernetes)) return undefined;
    return { address: obj.address, kind: obj.kind, mount: obj.mount ?? '', name: obj.name, spec: obj.credentials, vaultAddr: this.opts.vaultAddr, ...(this.opts.vaultNamespace ? { vaultNamespace: this.opts.vaultNamespace } : {}) };
  }

  /** Every sink the object's credentials go to (a config may name both a file and a Secret). */
  async for(spec: CredentialsSpec): Promise<CredentialSink[]> {
    const out: CredentialSink[] = [];
    if (spec.file) out.push(this.file);
    if (spec.kubernetes) {
      this.kube ??= import('./sinks/kubernetes.js').then((m) => m.createKubernetesSink({ context: this.opts.kubeContext }));
      out.push(await this.kube);
    }
    return out;
  }
}
