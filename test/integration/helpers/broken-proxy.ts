/**
 * A broken proxy in front of the real test server: forwards every request unchanged, except those
 * whose path matches `fail`, which it answers itself with HTTP `status` (a proxy whose upstream
 * broke for that one path). Plain HTTP towards the tool; TLS towards the server when it uses it.
 *
 *   const proxy = await brokenProxy({ fail: /\/secret-id-accessor\/destroy$/ });
 *   cli([...], { env: { VAULT_ADDR: proxy.addr } });  …  proxy.failed  …  await proxy.close();
 *
 * `lostAnswer`: a write (any method but GET) still reaches the server, which carries it out, and the
 * proxy replaces the answer to the first write to each matching path with its error (a load balancer timing out on a slow
 * write; Vault's own 500 when it cannot audit a response it has already acted on).
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serverEnv } from './server.js';

export interface BrokenProxy {
  addr: string;
  /** How many requests it failed on purpose. */
  failed: number;
  close(): Promise<void>;
}

export async function brokenProxy(opts: { fail: RegExp; status?: number; lostAnswer?: boolean }): Promise<BrokenProxy> {
  const env = serverEnv();
  const upstream = new URL(env.VAULT_ADDR);
  const ca = env.VAULT_CACERT ? readFileSync(env.VAULT_CACERT) : undefined;
  const state = { failed: 0 };
  const lost = new Set<string>();
  const broken = (res: http.ServerResponse) => {
    state.failed++;
    res.writeHead(opts.status ?? 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: ['broken proxy: upstream connection reset'] }));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').replace(/\?.*$/, '');
    const failing = opts.fail.test(path) && !(opts.lostAnswer && (req.method === 'GET' || lost.has(path)));
    if (failing && !opts.lostAnswer) {
      req.resume();
      broken(res);
      return;
    }
    if (failing) lost.add(path);
    const send = upstream.protocol === 'https:' ? https.request : http.request;
    const out = send(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, ca },
      (answer) => {
        if (failing) {
          answer.resume();
          answer.on('end', () => broken(res));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `http://127.0.0.1:${port}`,
    get failed() {
      return state.failed;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
