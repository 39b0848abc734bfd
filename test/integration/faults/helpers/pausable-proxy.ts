/**
 * A plain HTTP proxy in front of Vault that can hold requests: while paused, new requests wait
 * (in-flight ones finish); resume() lets them through. Lets a scenario stop a run at a known point
 * (e.g. until its token has expired) without relying on how fast the machine is.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PausableProxy {
  addr: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function pausableProxy(upstream: string): Promise<PausableProxy> {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    void (gate ?? Promise.resolve()).then(() => {
      const out = http.request(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pause: () => {
      gate ??= new Promise((r) => (open = r));
    },
    resume: () => {
      open?.();
      gate = undefined;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
