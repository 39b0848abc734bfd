// `--tenants DIR`: one run over a platform config and the tenant directories beside it, each a
// config of its own namespace (docs/namespaces.md), planned and applied side by side within the
// run's one request budget.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configNamespace } from '../core/common/namespaces.js';
import { UsageError, errorMessage } from '../core/errors.js';
import { loadDesired, type Loaded } from '../core/plan/engine.js';
import { KINDS } from '../kinds/registry.js';
import { loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';

/** Tenants worked on at once: the Vault client bounds the requests; this bounds memory and output. */
const TENANTS_AT_ONCE = 4;

export interface Tenant {
  dir: string;
  loaded: Loaded;
}

/** Every sub-directory of `dir` (hidden ones left out), loaded; each must say its `namespace:`. */
export function loadTenants(dir: string, flags: VaultCommandFlags): Tenant[] {
  if ((flags.output ?? 'text') !== 'text') throw new UsageError('--tenants prints text plans only', 'plan each tenant directory on its own for JSON or Markdown');
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new UsageError(`cannot read the tenants directory ${dir}: ${(err as Error).message}`, 'pass the directory that holds one config directory per tenant');
  }
  return names.map((name) => {
    const tenantDir = join(dir, name);
    const loaded = loadDesired([tenantDir], loadOptions(flags), KINDS);
    if (!configNamespace(loaded.config)) throw new UsageError(`the tenant directory ${tenantDir} says no \`namespace:\``, 'add `namespace: NAME` to one of its YAML files: a tenant config is of its own namespace');
    return { dir: tenantDir, loaded };
  });
}

/**
 * Runs `work` for every tenant, a few at once; each writes to its own buffer, printed in order when
 * done. A tenant that fails does not stop the others; the run fails at the end, naming them.
 */
export async function forEachTenant<T>(tenants: readonly Tenant[], io: Output, work: (tenant: Tenant, io: Output) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(tenants.length);
  const buffers: string[][] = tenants.map(() => []);
  let next = 0;
  let printed = 0;
  const flush = (done: boolean[]) => {
    while (printed < tenants.length && done[printed]) for (const line of buffers[printed++]!) io.out(line);
  };
  const done = tenants.map(() => false);
  const worker = async () => {
    for (let i = next++; i < tenants.length; i = next++) {
      const tenant = tenants[i]!;
      const own: Output = { ...io, out: (t) => buffers[i]!.push(t), err: (t) => io.err(`${tenant.dir}: ${t}`) };
      own.out(`\n=== ${configNamespace(tenant.loaded.config)?.path} (${tenant.dir})`);
      try {
        results[i] = await work(tenant, own);
      } catch (err) {
        failed.push(tenant.dir);
        own.out(`error: ${errorMessage(err)}`);
      } finally {
        done[i] = true;
        flush(done);
      }
    }
  };
  const failed: string[] = [];
  await Promise.all(Array.from({ length: Math.min(TENANTS_AT_ONCE, tenants.length) }, worker));
  if (failed.length > 0) throw new UsageError(`${failed.length} of ${tenants.length} tenants failed: ${failed.join(', ')}`, 'see each one\'s error above; the others were done');
  return results;
}
