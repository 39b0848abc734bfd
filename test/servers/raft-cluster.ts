/**
 * A 3-node Vault HA cluster on integrated storage (Raft) for the fault suite, built from the same
 * binary as the dev server (`scripts/test-server.sh path vault`). Plain Node, no vitest.
 *
 * - Every node listens on 127.0.0.1 (free API and cluster ports), TLS off on the API listener
 *   (the cluster port is always TLS, Vault's own), data in a temp dir.
 * - Node 1 is initialised (Shamir, one key share) and unsealed; nodes 2 and 3 join it through
 *   `sys/storage/raft/join` and are unsealed with the same key. `start()` returns once one node is
 *   active, the other two are standbys and Raft lists three voters (autopilot's stabilisation time
 *   is cut to 1 s, so losing one node never loses the quorum).
 * - No node outlives us: `stop()`, a synchronous kill on exit, the dev server's pipe watchdog per
 *   node (our process dies, however), and a check that our parent is still there (a vitest worker
 *   orphaned by a SIGKILLed runner keeps running until its test times out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiRequest, freePort, logTail, serverBinary, serverEnvironment, startWatchdog, type HttpResult } from './dev-server.js';

export interface ClusterNode {
  /** Raft node ID: node1, node2, node3. */
  id: string;
  /** API address, e.g. http://127.0.0.1:41234. */
  addr: string;
  pid: number;
  watchdogPid: number;
  logFile: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function nodeConfig(id: string, dataDir: string, port: number, clusterPort: number): string {
  return `storage "raft" {
  path    = "${dataDir}"
  node_id = "${id}"
  performance_multiplier = 1
}
listener "tcp" {
  address         = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable     = true
}
api_addr      = "http://127.0.0.1:${port}"
cluster_addr  = "https://127.0.0.1:${clusterPort}"
disable_mlock = true
ui            = false
`;
}

interface Running extends ClusterNode {
  child: ChildProcess;
  watchdog: ChildProcess;
}

export class RaftCluster {
  rootToken = '';
  private unsealKey = '';
  private stopping = false;
  private readonly onExit = () => this.killAll();
  private readonly parentWatch: NodeJS.Timeout;

  private constructor(
    readonly dir: string,
    private readonly running: Running[],
  ) {
    process.once('exit', this.onExit);
    const parent = process.ppid;
    this.parentWatch = setInterval(() => {
      if (process.ppid !== parent) this.killAll();
    }, 500);
    this.parentWatch.unref();
  }

  get nodes(): ClusterNode[] {
    return this.running.map(({ id, addr, pid, watchdogPid, logFile }) => ({ id, addr, pid, watchdogPid, logFile }));
  }

  alive(node: ClusterNode): boolean {
    const r = this.running.find((n) => n.id === node.id)!;
    return r.child.exitCode === null && r.child.signalCode === null;
  }

  /** One API request to `node` with the root token. */
  request(node: ClusterNode, method: string, path: string, body?: unknown): Promise<HttpResult> {
    return apiRequest({ addr: node.addr, token: this.rootToken }, method, path, { body, timeoutMs: 5000 });
  }

  /** sys/health of a node: 200 active, 429 standby, 503 sealed, 501 not initialised; 0 when it does not answer. */
  async health(node: ClusterNode): Promise<number> {
    try {
      return (await apiRequest({ addr: node.addr }, 'GET', 'sys/health', { timeoutMs: 2000 })).status;
    } catch {
      return 0;
    }
  }

  /** Waits (bounded) until one live node is active and every other live node is an unsealed standby naming it as leader; returns the active one. */
  async waitForLeader(timeoutMs = 60_000): Promise<ClusterNode> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const live = this.nodes.filter((n) => this.alive(n));
      const states = await Promise.all(live.map((n) => this.health(n)));
      last = live.map((n, i) => `${n.id}=${states[i]}`).join(' ');
      const active = live.filter((_, i) => states[i] === 200);
      // Every live node must name the same leader: a standby that still names a dead one answers
      // 307 redirects to it.
      if (active.length === 1 && states.every((s) => s === 200 || s === 429)) {
        const named = await Promise.all(live.map((n) => this.request(n, 'GET', 'sys/leader').catch(() => undefined)));
        const leaders = named.map((r) => (r?.body as { leader_address?: string } | undefined)?.leader_address);
        if (leaders.every((a) => a === active[0]!.addr)) return active[0]!;
      }
      if (Date.now() > deadline) throw new Error(`no single active node after ${timeoutMs / 1000}s (sys/health: ${last})\n${this.logTails()}`);
      await sleep(250);
    }
  }

  /** Raft voters as the active node reports them. */
  async voters(): Promise<string[]> {
    const leader = await this.waitForLeader();
    const res = await this.request(leader, 'GET', 'sys/storage/raft/configuration');
    const servers = (res.body as { data?: { config?: { servers?: { node_id: string; voter: boolean }[] } } }).data?.config?.servers ?? [];
    return servers.filter((s) => s.voter).map((s) => s.node_id);
  }

  /** Sends `signal` to a node's process and waits until it is gone. */
  async kill(node: ClusterNode, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const r = this.running.find((n) => n.id === node.id)!;
    if (!this.alive(node)) return;
    const exited = new Promise<void>((res) => r.child.once('exit', () => res()));
    r.child.kill(signal);
    await exited;
  }

  logTails(lines = 15): string {
    return this.running.map((n) => `--- ${n.id} ${n.logFile} ---\n${logTail(n.logFile, lines)}`).join('\n');
  }

  private killAll(): void {
    this.stopping = true;
    for (const n of this.running) {
      if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
      if (n.watchdog.exitCode === null) n.watchdog.kill('SIGKILL');
    }
  }

  /** Stops every node (TERM, then KILL after 10 s) and removes the temp dir unless `keepDir`. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopping && !this.running.some((n) => this.alive(n))) return;
    this.stopping = true;
    clearInterval(this.parentWatch);
    process.removeListener('exit', this.onExit);
    await Promise.all(
      this.running.map(async (n) => {
        if (n.watchdog.exitCode === null) n.watchdog.kill('SIGKILL');
        if (!this.alive(n)) return;
        const exited = new Promise<void>((res) => n.child.once('exit', () => res()));
        n.child.kill('SIGTERM');
        const killer = setTimeout(() => n.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }),
    );
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  static async start(opts: { size?: number; binary?: string } = {}): Promise<RaftCluster> {
    const binary = opts.binary ?? serverBinary('vault');
    const dir = mkdtempSync(join(tmpdir(), 'vault-gitops-raft-'));
    const running: Running[] = [];
    for (let i = 1; i <= (opts.size ?? 3); i++) {
      const id = `node${i}`;
      const nodeDir = join(dir, id);
      mkdirSync(join(nodeDir, 'data'), { recursive: true });
      const [port, clusterPort] = [await freePort(), await freePort()];
      writeFileSync(join(nodeDir, 'vault.hcl'), nodeConfig(id, join(nodeDir, 'data'), port, clusterPort));
      const logFile = join(nodeDir, 'server.log');
      const logFd = openSync(logFile, 'a');
      const child = spawn(binary, ['server', `-config=${join(nodeDir, 'vault.hcl')}`], { cwd: nodeDir, env: serverEnvironment(nodeDir), stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
      const watchdog = startWatchdog(child.pid);
      running.push({ id, addr: `http://127.0.0.1:${port}`, pid: child.pid, watchdogPid: watchdog.pid ?? 0, logFile, child, watchdog });
    }
    const cluster = new RaftCluster(dir, running);
    try {
      await cluster.form();
      return cluster;
    } catch (err) {
      const tails = cluster.logTails();
      await cluster.stop({ keepDir: true });
      throw new Error(`the Raft cluster did not form: ${(err as Error).message}\n${tails}`);
    }
  }

  private async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = this.nodes.find((n) => !this.alive(n));
      if (dead) throw new Error(`${what}: ${dead.id} exited`);
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000}s`);
      await sleep(200);
    }
  }

  private async call(node: ClusterNode, method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(node, method, path, body);
    if (res.status >= 300) throw new Error(`${node.id}: ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** init → unseal node1 → join and unseal the others → three voters, one leader. */
  private async form(): Promise<void> {
    const [first, ...rest] = this.nodes as [ClusterNode, ...ClusterNode[]];
    await this.waitFor('every node answers sys/health', async () => (await Promise.all(this.nodes.map((n) => this.health(n)))).every((s) => s === 501));
    const init = (await this.call(first, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 })) as { keys_base64: string[]; root_token: string };
    this.unsealKey = init.keys_base64[0]!;
    this.rootToken = init.root_token;
    await this.call(first, 'PUT', 'sys/unseal', { key: this.unsealKey });
    await this.waitFor(`${first.id} becomes active`, async () => (await this.health(first)) === 200);
    // New voters are promoted after autopilot's stabilisation time (10 s by default).
    await this.call(first, 'POST', 'sys/storage/raft/autopilot/configuration', { server_stabilization_time: '1s' });
    for (const node of rest) {
      await this.call(node, 'POST', 'sys/storage/raft/join', { leader_api_addr: first.addr });
      await this.call(node, 'PUT', 'sys/unseal', { key: this.unsealKey });
    }
    await this.waitFor('every node is an unsealed standby', async () => (await Promise.all(rest.map((n) => this.health(n)))).every((s) => s === 429));
    await this.waitFor('Raft lists every node as a voter', async () => (await this.voters()).length === this.nodes.length);
    await this.waitForLeader();
  }
}
