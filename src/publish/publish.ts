// plan and apply for CA bundles: what every publish entry needs in every namespace, and making it so.
import type { Vault } from '../adapters/vault.js';
import { errorMessage } from '../core/errors.js';
import type { CaBundleChange, NamespaceInfo, PublishEntry } from '../core/plan/ca-bundles.js';
import { readBundle } from './bundle.js';
import type { CopyStore } from './copies.js';

/** Copies written concurrently (the API server's client-side rate limits stay far away). */
const CONCURRENCY = 8;

/** The CA-bundle part of a plan. A mount without a CA yet plans its copies without comparing them. */
export async function planCaBundles(entries: readonly PublishEntry[], vault: Vault, store: CopyStore): Promise<CaBundleChange[]> {
  const namespaces = await store.namespaces();
  const planned = await Promise.all(entries.map(async (e) => store.plan(e, await readBundle(vault, e), namespaces)));
  return planned.flat();
}

export interface PublishResult {
  /** What was written or removed, and what was left alone (`refused`). */
  done: CaBundleChange[];
  /** One line per copy that could not be converged (no request body, no token). */
  failed: string[];
  /** Entries whose mount has no CA yet. */
  waiting: string[];
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Publishes every entry's bundle (read now: after the Vault changes of the same apply) and removes
 * our copies from namespaces that stopped matching. Each copy is read again right before it is
 * written. Stops starting new copies once `signal` is aborted.
 */
export async function publishAll(entries: readonly PublishEntry[], vault: Vault, store: CopyStore, signal?: AbortSignal): Promise<PublishResult> {
  const result: PublishResult = { done: [], failed: [], waiting: [] };
  const namespaces = await store.namespaces();
  const byName = new Map<string, NamespaceInfo>(namespaces.map((n) => [n.name, n]));
  for (const entry of entries) {
    const bundle = await readBundle(vault, entry);
    if (bundle === undefined) {
      result.waiting.push(`${entry.address}: secrets/${entry.mount} has no CA yet; nothing published`);
      continue;
    }
    const planned = await store.plan(entry, bundle, namespaces);
    await eachLimited(planned, CONCURRENCY, async (c) => {
      if (signal?.aborted) return;
      if (c.action === 'refused') {
        result.done.push(c);
        return;
      }
      try {
        const done = await store.converge(entry, c.namespace, byName.get(c.namespace), bundle);
        if (done) result.done.push(done);
      } catch (err) {
        result.failed.push(errorMessage(err));
      }
    });
  }
  return result;
}
