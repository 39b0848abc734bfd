import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchServer {
  addr: string;
  token: string;
  name: string;
  version: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * `raft`: a single-node Raft store in a temporary directory (removed at stop) instead of the dev
 * server's in-memory one. OpenBao's in-memory store copies its whole tree at the start of every
 * transaction, so there each request costs in proportion to everything stored: at 100 namespaces of
 * 500 objects that, not the client, is the time (a CPU profile of the server showed 56% in it).
 */
export type BenchStorage = 'inmem' | 'raft';

/** The dev server's `-config` giving it a single-node Raft store in `dir`. */
async function raftConfig(dir: string, apiPort: number): Promise<string> {
  const file = join(dir, 'raft.hcl');
  const cluster = await freePort();
  writeFileSync(
    file,
    [`storage "raft" {`, `  path    = "${join(dir, 'data')}"`, `  node_id = "bench"`, `}`, `api_addr     = "http://127.0.0.1:${apiPort}"`, `cluster_addr = "http://127.0.0.1:${cluster}"`].join('\n') + '\n',
  );
  return file;
}

/**
 * A dev server from the test harness's cached build (scripts/test-server.sh), stopped on exit. Its
 * listener keeps the default JSON limits: a large state record is stored in parts (src/core/state/state-parts.ts).
 */
export async function startServer(root: string, name = 'vault', storage: BenchStorage = 'inmem'): Promise<BenchServer> {
  const bin = execFileSync('bash', [`${root}/scripts/test-server.sh`, 'path', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const port = await freePort();
  const token = randomUUID();
  const args = ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`];
  const dir = storage === 'raft' ? mkdtempSync(join(tmpdir(), 'bench-raft-')) : undefined;
  if (dir) {
    mkdirSync(join(dir, 'data'));
    args.push(`-config=${await raftConfig(dir, port)}`);
  }
  const cleanup = () => dir && rmSync(dir, { recursive: true, force: true });
  const child: ChildProcess = spawn(bin, args, {
    stdio: 'ignore',
    env: { ...process.env, HOME: '/tmp' },
  });
  const kill = () => {
    child.kill('SIGKILL');
    cleanup();
  };
  process.once('exit', kill);
  const addr = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${addr}/v1/sys/health`);
      if (res.ok) {
        const health = (await res.json()) as { version: string };
        return {
          addr,
          token,
          name,
          version: health.version,
          stop: async () => {
            process.off('exit', kill);
            child.kill('SIGTERM');
            await new Promise((r) => child.once('exit', r));
            cleanup();
          },
        };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  kill();
  throw new Error(`${name} dev server did not become healthy`);
}
