// Liveness, readiness and Prometheus-style metrics of `watch`, over plain HTTP on the port it is
// given (inside the pod; the kubelet probes it, Prometheus scrapes it). It answers three GETs and
// nothing else, and never shows a bundle, a token or an error text.
import { createServer, type Server } from 'node:http';

export interface WatchMetrics {
  /** Copies written because the CA changed or a namespace started matching. */
  published: number;
  /** Copies rewritten or recreated after someone deleted or edited them. */
  repaired: number;
  /** Copies removed from namespaces that stopped matching. */
  removed: number;
  /** Objects under a copy's name we do not own (left alone), as of the last full pass. */
  refused: number;
  /** Failed Vault reads and Kubernetes requests. */
  errors: number;
  /** Unix seconds of the last full pass without an error; 0 before the first. */
  lastSuccess: number;
}

export interface HealthState {
  metrics: WatchMetrics;
  /** The informers run and a full pass succeeded once. */
  ready(): boolean;
  /** The loop is not stuck. */
  alive(): boolean;
}

export function renderMetrics(m: WatchMetrics, ready: boolean): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  metric('vault_gitops_ca_bundle_published_total', 'counter', 'CA-bundle copies written for a new CA or a newly matching namespace.', m.published);
  metric('vault_gitops_ca_bundle_repaired_total', 'counter', 'CA-bundle copies restored after being deleted or edited.', m.repaired);
  metric('vault_gitops_ca_bundle_removed_total', 'counter', 'CA-bundle copies removed from namespaces that no longer match.', m.removed);
  metric('vault_gitops_ca_bundle_errors_total', 'counter', 'Failed Vault reads and Kubernetes requests.', m.errors);
  metric('vault_gitops_ca_bundle_refused', 'gauge', 'Objects under a copy name not owned by vault-gitops (left alone).', m.refused);
  metric('vault_gitops_ca_bundle_last_success_timestamp_seconds', 'gauge', 'When the last full pass succeeded.', m.lastSuccess);
  metric('vault_gitops_ca_bundle_ready', 'gauge', '1 once watching and a full pass succeeded.', ready ? 1 : 0);
  return lines.join('\n') + '\n';
}

/** Starts the server; resolves once it listens. */
export async function serveHealth(state: HealthState, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz') return state.alive() ? send(200, 'ok\n') : send(503, 'stuck\n');
    if (path === '/readyz') return state.ready() ? send(200, 'ready\n') : send(503, 'not ready\n');
    if (path === '/metrics') return send(200, renderMetrics(state.metrics, state.ready()), 'text/plain; version=0.0.4; charset=utf-8');
    return send(404, 'not found\n');
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
