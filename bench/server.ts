import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
 * A dev server from the test harness's cached build (scripts/test-server.sh), stopped on exit.
 * `bigJson`: served on a second listener whose JSON limits are raised (Vault's default
 * max_json_object_entry_count of 10,000 refuses the state record of a larger config).
 */
export async function startServer(root: string, name = 'vault', opts: { bigJson?: boolean } = {}): Promise<BenchServer> {
  const bin = execFileSync('bash', [`${root}/scripts/test-server.sh`, 'path', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const port = await freePort();
  const token = randomUUID();
  const args = ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`];
  let apiPort = port;
  if (opts.bigJson) {
    apiPort = await freePort();
    const clusterPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'vault-gitops-bench-server-'));
    const config = join(dir, 'listener.hcl');
    writeFileSync(
      config,
      [
        'listener "tcp" {',
        `  address = "127.0.0.1:${apiPort}"`,
        `  cluster_address = "127.0.0.1:${clusterPort}"`,
        '  tls_disable = true',
        '  max_json_object_entry_count = 1000000',
        '  max_json_array_element_count = 1000000',
        '  max_json_token = 100000000',
        '}',
      ].join('\n'),
    );
    args.push(`-config=${config}`);
  }
  const child: ChildProcess = spawn(bin, args, {
    stdio: 'ignore',
    env: { ...process.env, HOME: '/tmp' },
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const addr = `http://127.0.0.1:${apiPort}`;
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
