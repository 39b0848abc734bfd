import { afterAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { closeServer, renderMetrics, serveHealth, type WatchMetrics } from '../../../src/publish/health.js';

const metrics: WatchMetrics = { published: 3, repaired: 1, removed: 0, refused: 2, errors: 0, lastSuccess: 1700000000 };
let server: Server | undefined;

afterAll(async () => {
  if (server) await closeServer(server);
});

describe('watch health and metrics', () => {
  it('renders Prometheus text with HELP and TYPE for every metric', () => {
    const text = renderMetrics(metrics, true);
    expect(text).toContain('# TYPE vault_gitops_ca_bundle_published_total counter\nvault_gitops_ca_bundle_published_total 3\n');
    expect(text).toContain('vault_gitops_ca_bundle_refused 2\n');
    expect(text).toContain('vault_gitops_ca_bundle_ready 1\n');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) vault_gitops_\w+ .+|vault_gitops_\w+ \d+)$/);
  });

  it('answers the probes from the state, and nothing else', async () => {
    let ready = false;
    server = await serveHealth({ metrics, ready: () => ready, alive: () => true }, 0, '127.0.0.1');
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('vault_gitops_ca_bundle_repaired_total 1');
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
