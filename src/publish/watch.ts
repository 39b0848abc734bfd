// The loop behind `vault-gitops watch`: informers on namespaces and on the published copies queue
// the namespaces to look at; a single worker converges them; a timer re-reads the CA bundles from
// Vault and runs a full pass. Writes go through CopyStore (ownership, resourceVersion, 409 retry).
import type { DataObject, KubernetesClient, ObjectWatch } from '../adapters/kubernetes.js';
import type { Vault } from '../adapters/vault.js';
import { VaultTokenError } from '../adapters/vault-token.js';
import { decideCopy, type CaBundleChange, type LiveCopy, type NamespaceInfo, type PublishEntry } from '../core/plan/ca-bundles.js';
import { errorMessage } from '../core/errors.js';
import { readBundle } from './bundle.js';
import { liveCopy, namespaceInfo, type CopyStore } from './copies.js';
import type { HealthState, WatchMetrics } from './health.js';
import { eachLimited } from './publish.js';

const CONCURRENCY = 8;
const RESTART_DELAY_MS = 2_000;

export interface WatchLoopOptions {
  /** How often the CA is re-read from Vault and every namespace checked. */
  intervalMs: number;
  log: (line: string) => void;
  /** The Vault token is dead (expired past its max TTL, revoked): the process should exit and log in anew. */
  onFatal: (err: Error) => void;
}

export class BundleWatcher implements HealthState {
  readonly metrics: WatchMetrics = { published: 0, repaired: 0, removed: 0, refused: 0, errors: 0, lastSuccess: 0 };
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly bundles = new Map<string, string | undefined>();
  /** The bundle we last wrote, by `address namespace`: telling a repair from a publish. */
  private readonly written = new Map<string, string>();
  private readonly reportedRefusals = new Set<string>();
  private readonly copyWatches = new Map<string, ObjectWatch<DataObject>>();
  private readonly watches: Array<ObjectWatch<unknown>> = [];
  private readonly dirty = new Set<string>();
  private fullPass = false;
  private worker?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private watching = false;
  private lastProgress = Date.now();

  constructor(
    private readonly client: KubernetesClient,
    private readonly store: CopyStore,
    private readonly vault: Vault,
    private readonly entries: readonly PublishEntry[],
    private readonly opts: WatchLoopOptions,
  ) {}

  ready(): boolean {
    return this.watching && !this.stopping && this.metrics.lastSuccess > 0;
  }

  alive(): boolean {
    return this.stopping || Date.now() - this.lastProgress < 3 * this.opts.intervalMs + 60_000;
  }

  /** Reads the bundles, starts the informers (their first list included) and the first full pass. */
  async start(): Promise<void> {
    await this.refreshBundles();
    const nsWatch = this.client.watchNamespaces();
    const seen = (ns: Parameters<typeof namespaceInfo>[0]) => {
      const info = namespaceInfo(ns);
      this.namespaces.set(info.name, info);
      this.enqueue(info.name);
    };
    nsWatch.on('add', seen);
    nsWatch.on('update', seen);
    nsWatch.on('delete', (ns) => this.namespaces.delete(ns.metadata?.name ?? ''));
    this.keepRunning(nsWatch, 'namespaces');
    const copyWatches = this.entries.map((entry) => {
      const w = this.client.watchNamed(entry.target, entry.name);
      const touched = (obj: DataObject) => this.enqueue(obj.metadata?.namespace ?? '');
      w.on('add', touched);
      w.on('update', touched);
      w.on('delete', touched);
      this.copyWatches.set(entry.address, w);
      this.keepRunning(w, `${entry.target}s named ${entry.name}`);
      return w;
    });
    await Promise.all([nsWatch, ...copyWatches].map((w) => w.start()));
    this.watching = true;
    this.fullPass = true;
    this.kick();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
  }

  /** Stops the timer and informers, lets the copy being written finish, starts nothing new. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.watches.map((w) => w.stop().catch(() => undefined)));
    await this.worker;
  }

  /** Resolves when the queue is empty (for the first pass at start-up). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  private keepRunning<T>(w: ObjectWatch<T>, what: string): void {
    this.watches.push(w as ObjectWatch<unknown>);
    w.on('error', (err) => {
      if (this.stopping) return;
      this.metrics.errors++;
      this.opts.log(`watch of ${what} failed (${errorMessage(err)}); restarting`);
      setTimeout(() => {
        if (!this.stopping) w.start().catch(() => undefined);
      }, RESTART_DELAY_MS).unref();
    });
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    if (!this.worker) this.lastProgress = Date.now();
    await this.refreshBundles();
    this.fullPass = true;
    this.kick();
  }

  private async refreshBundles(): Promise<void> {
    for (const entry of this.entries) {
      try {
        const bundle = await readBundle(this.vault, entry);
        const before = this.bundles.get(entry.address);
        if (this.bundles.has(entry.address) && before !== bundle) this.opts.log(`${entry.address}: the CA bundle changed in Vault; updating the copies`);
        if (bundle === undefined && before === undefined) this.opts.log(`${entry.address}: secrets/${entry.mount} has no CA yet; nothing to publish`);
        this.bundles.set(entry.address, bundle ?? before);
      } catch (err) {
        this.metrics.errors++;
        if (err instanceof VaultTokenError) {
          this.opts.onFatal(err);
          return;
        }
        this.opts.log(`${entry.address}: cannot read the CA bundle from Vault (${errorMessage(err)}); keeping the copies as they are`);
      }
    }
  }

  private enqueue(namespace: string): void {
    if (!namespace || this.stopping) return;
    this.dirty.add(namespace);
    if (this.watching) this.kick();
  }

  private kick(): void {
    this.worker ??= this.drain().finally(() => (this.worker = undefined));
  }

  private async drain(): Promise<void> {
    while (!this.stopping && (this.fullPass || this.dirty.size > 0)) {
      const full = this.fullPass;
      const names = full ? [...this.namespaces.keys()] : [...this.dirty];
      this.fullPass = false;
      this.dirty.clear();
      const ok = await this.pass(names, full);
      this.lastProgress = Date.now();
      if (full && ok) this.metrics.lastSuccess = Math.floor(Date.now() / 1000);
    }
  }

  /**
   * Converges `names` for every entry; true when nothing failed. A full pass lists namespaces and
   * copies afresh (so a watch that silently stopped delivering events cannot hide a missing copy);
   * an event pass trusts the informers' caches to pick what to look at.
   */
  private async pass(names: string[], full: boolean): Promise<boolean> {
    let ok = true;
    let refused = 0;
    if (full) {
      try {
        const fresh = await this.store.namespaces();
        this.namespaces.clear();
        for (const n of fresh) this.namespaces.set(n.name, n);
        names = fresh.map((n) => n.name);
      } catch (err) {
        this.metrics.errors++;
        this.opts.log(errorMessage(err));
        return false;
      }
    }
    for (const entry of this.entries) {
      const bundle = this.bundles.get(entry.address);
      if (bundle === undefined) continue;
      let listed: Map<string, LiveCopy> | undefined;
      if (full) {
        try {
          listed = new Map((await this.store.copies(entry)).map((c) => [c.namespace, c]));
        } catch (err) {
          ok = false;
          this.metrics.errors++;
          this.opts.log(errorMessage(err));
          continue;
        }
      }
      await eachLimited(names, CONCURRENCY, async (namespace) => {
        if (this.stopping) return;
        const ns = this.namespaces.get(namespace);
        // What is known decides whether to look closer; converge reads the copy again before writing.
        const cached = this.copyWatches.get(entry.address)?.get(entry.name, namespace);
        const known = listed ? listed.get(namespace) : cached ? liveCopy(entry, cached) : undefined;
        const guess = decideCopy(entry, ns, bundle, known);
        if (!guess) {
          if (known) this.written.set(`${entry.address} ${namespace}`, bundle);
          return;
        }
        try {
          const done = await this.store.converge(entry, namespace, ns, bundle);
          if (done?.action === 'refused') refused++;
          if (done) this.count(done, bundle);
        } catch (err) {
          ok = false;
          this.metrics.errors++;
          this.opts.log(errorMessage(err));
        }
      });
    }
    if (full) this.metrics.refused = refused;
    return ok;
  }

  private count(c: CaBundleChange, bundle: string): void {
    const key = `${c.address} ${c.namespace}`;
    if (c.action === 'refused') {
      if (!this.reportedRefusals.has(key)) this.opts.log(`left alone: ${c.namespace}/${c.object} (${c.address}): ${c.reason}`);
      this.reportedRefusals.add(key);
      return;
    }
    this.reportedRefusals.delete(key);
    let verb = c.action === 'delete' ? 'removed' : c.action === 'create' ? 'published' : 'updated';
    if (c.action === 'delete') {
      this.metrics.removed++;
      this.written.delete(key);
    } else if (this.written.get(key) === bundle) {
      this.metrics.repaired++;
      verb = 'repaired';
    } else {
      this.metrics.published++;
      this.written.set(key, bundle);
    }
    this.opts.log(`${verb} ${c.namespace}/${c.object} (${c.address}): ${c.reason}`);
  }
}
