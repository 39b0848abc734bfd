import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

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
 * A dev server from the test harness's cached build (scripts/test-server.sh), stopped on exit. Its
 * listener keeps the default JSON limits: a large state record is stored in parts (src/core/state/state-parts.ts).
 */
export async function startServer(root: string, name = 'vault'): Promise<BenchServer> {
  const bin = execFileSync('bash', [`${root}/scripts/test-server.sh`, 'path', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const port = await freePort();
  const token = randomUUID();
  const args = ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`];
  const child: ChildProcess = spawn(bin, args, {
    stdio: 'ignore',
    env: { ...process.env, HOME: '/tmp' },
  });
  const kill = () => child.kill('SIGKILL');
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
