// `vault-gitops watch -c DIR`: keeps the CA bundles of the config published in every matching
// namespace, new ones included, until SIGTERM (a Deployment's stop) or SIGINT. One Vault login for
// the whole run (renewed by the Vault client; revoked at the end).
import type { Server } from 'node:http';
import { KubernetesClient } from '../adapters/kubernetes.js';
import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { publishEntries } from '../core/plan/ca-bundles.js';
import { loadDesired } from '../core/plan/engine.js';
import { EXIT_OK, UsageError } from '../core/errors.js';
import { parseTtl } from '../core/common/ttl.js';
import { KINDS } from '../kinds/registry.js';
import { CopyStore } from '../publish/copies.js';
import { closeServer, serveHealth } from '../publish/health.js';
import { BundleWatcher } from '../publish/watch.js';
import { kubeStep } from './ca-bundles.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

export interface WatchFlags extends VaultCommandFlags {
  interval?: string;
  port?: string;
  listen?: string;
}

const MIN_INTERVAL_S = 2;

function intervalMs(raw: string | undefined): number {
  const s = parseTtl(raw ?? '60s');
  if (s === undefined || s < MIN_INTERVAL_S) throw new UsageError(`--interval ${raw}: not a duration of at least ${MIN_INTERVAL_S}s`, 'e.g. --interval 60s or 5m');
  return s * 1000;
}

function port(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new UsageError(`--port ${raw}: not a TCP port`, 'e.g. --port 8080');
  return n;
}

/** Resolves on the first SIGTERM or SIGINT; the handlers are ours for the whole run. */
function stopSignal(): { stopped: Promise<NodeJS.Signals>; release(): void } {
  let release = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const on = (signal: NodeJS.Signals) => resolve(signal);
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
    release = () => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    };
  });
  return { stopped, release };
}

export async function watchCommand(flags: WatchFlags, io: Output): Promise<number> {
  const interval = intervalMs(flags.interval);
  const listenPort = port(flags.port);
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const entries = publishEntries(loaded.config);
  if (entries.length === 0) {
    throw new UsageError('the config publishes no CA bundle; watch has nothing to do', 'declare secrets.<pki mount>.publish.<name> (see docs/kubernetes.md, "CA bundles in every namespace")');
  }
  const signal = stopSignal();
  const session = await openSession(flags, io);
  let server: Server | undefined;
  let watcher: BundleWatcher | undefined;
  try {
    const client = await kubeStep(() => KubernetesClient.create(flags.kubeContext ? { context: flags.kubeContext } : {}));
    const log = (line: string) => io.err(`${new Date().toISOString()} ${line}`);
    let fatal: (err: Error) => void = () => {};
    const died = new Promise<Error>((resolve) => (fatal = resolve));
    watcher = new BundleWatcher(client, new CopyStore(client), session.vault, entries, { intervalMs: interval, log, onFatal: (err) => fatal(err) });
    if (listenPort !== undefined) server = await serveHealth(watcher, listenPort, flags.listen ?? '0.0.0.0');
    const started = watcher.start();
    // A signal during start-up stops it too.
    const first = await Promise.race([started.then(() => undefined), signal.stopped]);
    if (first === undefined) {
      log(`watching ${entries.length} CA bundle${entries.length === 1 ? '' : 's'} (${entries.map((e) => e.address).join(', ')}) in ${client.server}; re-reading the CA every ${interval / 1000}s${listenPort ? `; health and metrics on :${listenPort}` : ''}`);
      const end = await Promise.race([signal.stopped, died]);
      if (end instanceof Error) {
        // Exiting lets the Deployment restart the pod, which logs in anew.
        await watcher.stop();
        throw end;
      }
      log(`${end}: stopping; the copy being written finishes, nothing new is started`);
    }
    await watcher.stop();
    await started.catch(() => undefined);
    return EXIT_OK;
  } finally {
    await watcher?.stop();
    if (server) await closeServer(server);
    signal.release();
    await session.close();
  }
}
