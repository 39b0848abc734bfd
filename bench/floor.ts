/**
 * The floor: the same Vault requests with the same concurrency over keep-alive, with plain fetch and
 * no tool code. What the tool costs above this is its own overhead. A request with a `namespace` is
 * sent there (the X-Vault-Namespace header); without one, to the root namespace.
 */
type Req = { method: string; path: string; body?: unknown; namespace?: string };

async function send(addr: string, token: string, r: Req): Promise<Response> {
  const res = await fetch(`${addr}/v1/${r.path}`, {
    method: r.method,
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json', ...(r.namespace ? { 'X-Vault-Namespace': r.namespace } : {}) },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  if (res.status >= 500) throw new Error(`floor: ${r.method} ${r.namespace ? `${r.namespace}/` : ''}${r.path}: ${res.status}`);
  return res;
}

/** `each` on every item, `concurrency` at once; the results in the items' order. */
async function pool<T, R>(items: readonly T[], concurrency: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await each(items[i]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export async function runRequests(addr: string, token: string, reqs: Req[], concurrency: number): Promise<number> {
  const started = performance.now();
  await pool(reqs, concurrency, async (r) => (await send(addr, token, r)).arrayBuffer());
  return performance.now() - started;
}

/**
 * LIST each collection, then GET each member: what a no-change plan reads, in each of `namespaces`
 * ('' is the root) with one pool of `concurrency` requests for all of them.
 */
export async function readFloor(addr: string, token: string, concurrency: number, namespaces: readonly string[] = ['']): Promise<{ ms: number; requests: number }> {
  const started = performance.now();
  const collections = ['sys/policies/acl', 'auth/approle/role', 'auth/userpass/users', 'pki/roles'];
  const lists = namespaces.flatMap((namespace) => collections.map((path) => ({ method: 'GET', path: `${path}?list=true`, namespace, item: path })));
  const keys = await pool(lists, concurrency, async (r) => ((await (await send(addr, token, r)).json()) as { data?: { keys?: string[] } }).data?.keys ?? []);
  const gets: Req[] = namespaces.flatMap((namespace) => [{ method: 'GET', path: 'sys/auth', namespace }, { method: 'GET', path: 'sys/mounts', namespace }]);
  // Vault's own root and default policies are listed but not read (the bench config declares neither).
  const own = (item: string, k: string) => item === 'sys/policies/acl' && (k === 'root' || k === 'default');
  lists.forEach(({ item, namespace }, i) => keys[i]!.forEach((k) => own(item, k) || gets.push({ method: 'GET', path: `${item}/${k}`, namespace })));
  await runRequests(addr, token, gets, concurrency);
  return { ms: performance.now() - started, requests: lists.length + gets.length };
}
