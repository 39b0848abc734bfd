// A real Kubernetes API server for integration tests: etcd + kube-apiserver, both built from Go
// modules by scripts/test-server.sh (test/servers/kube.sh), on loopback with free ports, a temp dir,
// static-token authentication and RBAC. No controllers, no kubelet: enough for Secrets, RBAC and
// the TokenRequest API.
//
//   const kube = await startKube();           // in beforeAll (one per test file), ~10 s
//   ... kube.kubeconfigPath (admin), kube.serviceAccount(ns, name, rules) ...
//   await kube.stop();                        // in afterAll; also happens if the test process dies
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** An RBAC PolicyRule (rbac.authorization.k8s.io/v1). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

export interface KubeServer {
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** base64 of the PEM CA that signed the serving certificate (kubeconfig `certificate-authority-data`). */
  caData: string;
  /** Token of `admin`, a member of `system:masters`. */
  adminToken: string;
  /** Admin kubeconfig (context `vault-gitops-test`). */
  kubeconfigPath: string;
  /** Writes a kubeconfig that authenticates with `token`, returns its path. */
  kubeconfigForToken(token: string, namespace?: string): string;
  /** An admin API call (JSON in, JSON out); non-2xx statuses are returned, not thrown. */
  request(method: string, path: string, body?: unknown, token?: string): Promise<KubeResponse>;
  /** Creates a namespace (idempotent). */
  createNamespace(name: string): Promise<void>;
  /**
   * Creates a ServiceAccount bound to a Role with exactly `rules` in `namespace`, and returns a
   * token for it (TokenRequest API) and a kubeconfig using that token.
   */
  serviceAccount(
    namespace: string,
    name: string,
    rules: PolicyRule[],
  ): Promise<{ token: string; kubeconfigPath: string }>;
  /** Stops kube-apiserver and etcd and deletes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

function serverBinary(name: 'kube-apiserver' | 'etcd'): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/test-server.sh'), 'path', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

/**
 * Makes sure the servers never outlive the tests:
 * - PR_SET_PDEATHSIG (setpriv) kills them when this process dies, even by SIGKILL;
 * - the exit hook covers normal exits; a Ctrl-C reaches them through the shared process group;
 * - a watchdog covers a test worker orphaned by its runner (vitest's forks outlive a SIGKILLed
 *   parent until their test times out): when the parent changes, the servers go at once.
 */
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) killAll();
  }, 1000).unref();
}

function startChild(bin: string, args: string[], logPath: string): ChildProcess {
  installHooks();
  const log = createWriteStream(logPath);
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function kubeRequest(
  server: string,
  ca: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<KubeResponse> {
  const url = new URL(path, server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        timeout: 10_000,
      },
      (resp) => {
        const chunks: Buffer[] = [];
        resp.on('data', (c: Buffer) => chunks.push(c));
        resp.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain-text answers (/readyz)
          }
          res({ status: resp.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', rej);
    req.end(payload);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number, dead: () => string | undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    const why = dead();
    if (why) throw new Error(`${what}: ${why}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exitReason(child: ChildProcess, log: string): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  return `exited (${child.exitCode ?? child.signalCode}); log ${log}:\n${tail(log)}`;
}

export async function startKube(): Promise<KubeServer> {
  const etcdBin = serverBinary('etcd');
  const apiserverBin = serverBinary('kube-apiserver');
  const dir = mkdtempSync(join(tmpdir(), 'vault-gitops-kube-'));
  tempDirs.add(dir);
  const [etcdClientPort, etcdPeerPort, securePort] = [await freePort(), await freePort(), await freePort()];
  const started: ChildProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of started.reverse()) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcdLog = join(dir, 'etcd.log');
    const etcd = startChild(
      etcdBin,
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=test=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
    );
    started.push(etcd);
    await waitFor(
      'etcd',
      async () => (await fetch(`${etcdUrl}/health`)).ok,
      30_000,
      () => exitReason(etcd, etcdLog),
    );

    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${adminToken},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

    const certDir = join(dir, 'certs');
    const apiLog = join(dir, 'kube-apiserver.log');
    const apiserver = startChild(
      apiserverBin,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--api-audiences=https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range=10.96.0.0/16',
        // Only admission plugins that work without controllers or a kubelet.
        '--enable-admission-plugins=NamespaceLifecycle',
        '--disable-admission-plugins=ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,CertificateApproval,CertificateSigning,ClusterTrustBundleAttest,CertificateSubjectRestriction,DefaultIngressClass,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,MutatingAdmissionPolicy,ResourceQuota,LimitRanger,Priority,TaintNodesByCondition,PodSecurity',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        '--allow-privileged=false',
        '--v=0',
      ],
      apiLog,
    );
    started.push(apiserver);

    const server = `https://127.0.0.1:${securePort}`;
    let ca = '';
    await waitFor(
      'kube-apiserver',
      async () => {
        if (!ca) {
          // The self-signed serving certificate file holds the leaf, then the CA that signed it.
          const pem = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
          const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
          ca = blocks[blocks.length - 1] ?? '';
          if (!ca) return false;
        }
        const r = await kubeRequest(server, ca, adminToken, 'GET', '/readyz');
        return r.status === 200;
      },
      120_000,
      () => exitReason(apiserver, apiLog),
    );
    const caData = Buffer.from(ca).toString('base64');

    let kubeconfigs = 0;
    const kubeconfigForToken = (token: string, namespace = 'default') => {
      const path = join(dir, `kubeconfig-${++kubeconfigs}.json`);
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': caData } }],
        users: [{ name: 'user', user: { token } }],
        contexts: [{ name: 'vault-gitops-test', context: { cluster: 'test', user: 'user', namespace } }],
        'current-context': 'vault-gitops-test',
      };
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
      return path;
    };
    const request = (method: string, path: string, body?: unknown, token = adminToken) =>
      kubeRequest(server, ca, token, method, path, body);
    const must = async (method: string, path: string, body?: unknown, okStatuses = [200, 201]) => {
      const r = await request(method, path, body);
      if (!okStatuses.includes(r.status)) {
        throw new Error(`${method} ${path}: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      }
      return r.body;
    };
    const createNamespace = async (name: string) => {
      await must('POST', '/api/v1/namespaces', { metadata: { name } }, [201, 409]);
    };
    const serviceAccount = async (namespace: string, name: string, rules: PolicyRule[]) => {
      await createNamespace(namespace);
      const ns = encodeURIComponent(namespace);
      await must('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } }, [201, 409]);
      const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
      await must('POST', `${rbac}/roles`, { metadata: { name }, rules }, [201]);
      await must(
        'POST',
        `${rbac}/rolebindings`,
        {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
          subjects: [{ kind: 'ServiceAccount', name, namespace }],
        },
        [201],
      );
      const tr = (await must(
        'POST',
        `/api/v1/namespaces/${ns}/serviceaccounts/${encodeURIComponent(name)}/token`,
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
      )) as { status?: { token?: string } };
      const token = tr.status?.token;
      if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
      return { token, kubeconfigPath: kubeconfigForToken(token, namespace) };
    };

    return {
      server,
      caData,
      adminToken,
      kubeconfigPath: kubeconfigForToken(adminToken),
      kubeconfigForToken,
      request,
      createNamespace,
      serviceAccount,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
