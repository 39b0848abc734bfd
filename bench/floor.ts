/**
 * The floor: the same Vault requests with the same concurrency over keep-alive, with plain fetch and
 * no tool code. What the tool costs above this is its own overhead.
 */
type Req = { method: string; path: string; body?: unknown };

export async function runRequests(addr: string, token: string, reqs: Req[], concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < reqs.length) {
      const r = reqs[next++]!;
      const res = await fetch(`${addr}/v1/${r.path}`, {
        method: r.method,
        headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
      });
      await res.arrayBuffer();
      if (res.status >= 500) throw new Error(`floor: ${r.method} ${r.path}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

/** LIST each collection, then GET each member: what a no-change plan reads. */
export async function readFloor(addr: string, token: string, concurrency: number): Promise<{ ms: number; requests: number }> {
  const started = performance.now();
  let requests = 0;
  const list = async (path: string) => {
    requests++;
    const res = await fetch(`${addr}/v1/${path}?list=true`, { headers: { 'X-Vault-Token': token } });
    const body = (await res.json()) as { data?: { keys?: string[] } };
    return body.data?.keys ?? [];
  };
  const gets: Req[] = [{ method: 'GET', path: 'sys/auth' }, { method: 'GET', path: 'sys/mounts' }];
  const collections: Array<[string, string]> = [
    ['sys/policies/acl', 'sys/policies/acl'],
    ['auth/approle/role', 'auth/approle/role'],
    ['auth/userpass/users', 'auth/userpass/users'],
    ['pki/roles', 'pki/roles'],
  ];
  const keys = await Promise.all(collections.map(([l]) => list(l)));
  // Vault's own root and default policies are listed but not read (the bench config declares neither).
  const own = (item: string, k: string) => item === 'sys/policies/acl' && (k === 'root' || k === 'default');
  collections.forEach(([, item], i) => keys[i]!.forEach((k) => own(item, k) || gets.push({ method: 'GET', path: `${item}/${k}` })));
  await runRequests(addr, token, gets, concurrency);
  requests += gets.length;
  return { ms: performance.now() - started, requests };
}
