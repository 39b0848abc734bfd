// The CA-bundle steps of plan, drift and apply: only when the config publishes one, so a config
// without `publish:` never loads the Kubernetes client.
import { KubernetesClient, KubernetesConfigError } from '../adapters/kubernetes.js';
import type { Vault } from '../adapters/vault.js';
import { publishEntries, type PublishEntry } from '../core/plan/ca-bundles.js';
import { caBundleTrust, withTrustChanges } from '../core/plan/access-changes.js';
import { UsageError } from '../core/errors.js';
import type { Config, Plan } from '../core/model.js';
import { CopyStore, PublishError } from '../publish/copies.js';
import { planCaBundles, publishAll, type PublishResult } from '../publish/publish.js';
import { copyLine } from '../render/ca-bundles.js';
import { painter } from '../render/common.js';
import type { VaultCommandFlags } from './options.js';
import type { Output } from './output.js';

export interface CaBundleStep {
  entries: PublishEntry[];
  store: CopyStore;
}

/** Turns Kubernetes failures into one-line usage errors (exit 1, no stack trace). */
export async function kubeStep<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof KubernetesConfigError) throw new UsageError(`CA bundles: ${err.message}`, 'the config publishes CA bundles to Kubernetes; set KUBECONFIG or --kube-context');
    if (err instanceof PublishError) throw new UsageError(`CA bundles: ${err.message}`);
    throw err;
  }
}

/** The entries and a Kubernetes client, or undefined when the config publishes nothing. */
export async function caBundleStep(config: Config, flags: Pick<VaultCommandFlags, 'kubeContext'>): Promise<CaBundleStep | undefined> {
  const entries = publishEntries(config);
  if (entries.length === 0) return undefined;
  const client = await kubeStep(() => KubernetesClient.create(flags.kubeContext ? { context: flags.kubeContext } : {}));
  return { entries, store: new CopyStore(client) };
}

/** Adds the CA-bundle changes to a plan (plan, drift, apply). */
export async function withCaBundles(plan: Plan, step: CaBundleStep | undefined, vault: Vault): Promise<Plan> {
  if (!step) return plan;
  const copies = await kubeStep(() => planCaBundles(step.entries, vault, step.store));
  return withTrustChanges({ ...plan, ca_bundles: copies }, caBundleTrust(step.entries, copies));
}

/** Publishes after the Vault changes of an apply; returns the number of copies that failed. */
export async function publishStep(step: CaBundleStep, vault: Vault, io: Output, signal?: AbortSignal): Promise<number> {
  const result: PublishResult = await kubeStep(() => publishAll(step.entries, vault, step.store, signal));
  const paint = painter(io.color);
  const verbs = { create: 'published', update: 'updated', delete: 'removed', refused: 'left alone' } as const;
  for (const c of result.done) {
    const mark = c.action === 'refused' ? paint('magenta', '!') : paint('green', '✓');
    io.out(`${mark} CA bundle ${verbs[c.action]} ${copyLine(c)}`);
  }
  for (const w of result.waiting) io.err(`warning: ${w}`);
  for (const f of result.failed) io.out(`${paint('red', '✗')} CA bundle: ${f}`);
  return result.failed.length;
}
