// `--tenants DIR`: one run over a platform config and the tenant directories beside it, each a
// config of its own namespace (docs/namespaces.md), planned and applied side by side within the
// run's one request budget.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configNamespace } from '../core/common/namespaces.js';
import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { ConfigError, UsageError, errorMessage } from '../core/errors.js';
import { loadDesired, type Loaded } from '../core/plan/engine.js';
import type { TenantResult } from '../core/plan/tenants.js';
import { KINDS } from '../kinds/registry.js';
import { loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';

/** Tenants worked on at once: the Vault client bounds the requests; this bounds memory and output. */
const TENANTS_AT_ONCE = 4;

export interface Tenant {
  dir: string;
  loaded: Loaded;
}

/**
 * Every sub-directory of `dir` (hidden ones left out), loaded; each must say its `namespace:`. Its
 * warnings are printed as the platform config's are.
 */
export function loadTenants(dir: string, flags: VaultCommandFlags, io: Output): Tenant[] {
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
    for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
    if (!configNamespace(loaded.config)) throw new UsageError(`the tenant directory ${tenantDir} says no \`namespace:\``, 'add `namespace: NAME` to one of its YAML files: a tenant config is of its own namespace');
    return { dir: tenantDir, loaded };
  });
}

/** A tenant's error as printed: a config mistake at its `file:line:col`, anything else its message. */
export function tenantError(err: unknown): string {
  if (err instanceof ConfigError) return err.diagnostics.map((d) => formatDiagnostic(d, { color: false })).join('\n');
  return errorMessage(err);
}

/**
 * Runs `work` for every tenant, a few at once. With `print` (text output), each writes to its own
 * buffer, printed under its `=== NAMESPACE (DIR)` line in the directories' order as they are done;
 * without it, the tenant's output is left out (the caller renders the results as one document) and its
 * error goes to stderr. A tenant that fails does not stop the others: its result is its error.
 */
export async function runTenants<T>(tenants: readonly Tenant[], io: Output, work: (tenant: Tenant, io: Output) => Promise<T>, print = true): Promise<TenantResult<T>[]> {
  const results: TenantResult<T>[] = new Array<TenantResult<T>>(tenants.length);
  const buffers: string[][] = tenants.map(() => []);
  let next = 0;
  let printed = 0;
  const done = tenants.map(() => false);
  const flush = () => {
    while (printed < tenants.length && done[printed]) for (const line of buffers[printed++]!) io.out(line);
  };
  const worker = async () => {
    for (let i = next++; i < tenants.length; i = next++) {
      const tenant = tenants[i]!;
      const namespace = configNamespace(tenant.loaded.config)?.path ?? '';
      const own: Output = { ...io, out: (t) => {
          if (print) buffers[i]!.push(t);
        }, err: (t) => io.err(`${tenant.dir}: ${t}`) };
      own.out(`\n=== ${namespace} (${tenant.dir})`);
      try {
        results[i] = { dir: tenant.dir, namespace, result: await work(tenant, own) };
      } catch (err) {
        const error = tenantError(err);
        results[i] = { dir: tenant.dir, namespace, error };
        if (print) own.out(`error: ${error}`);
        else own.err(`error: ${error}`);
      } finally {
        done[i] = true;
        flush();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TENANTS_AT_ONCE, tenants.length) }, worker));
  return results;
}

/** Fails the run when a tenant failed, naming them; the others were done. */
export function throwIfTenantsFailed(results: ReadonlyArray<TenantResult<unknown>>): void {
  const failed = results.filter((r) => 'error' in r).map((r) => r.dir);
  if (failed.length > 0) throw new UsageError(`${failed.length} of ${results.length} tenants failed: ${failed.join(', ')}`, 'see each one\'s error above; the others were done');
}

/** runTenants with text output, failing at the end when a tenant failed. */
export async function forEachTenant<T>(tenants: readonly Tenant[], io: Output, work: (tenant: Tenant, io: Output) => Promise<T>): Promise<T[]> {
  const results = await runTenants(tenants, io, work);
  throwIfTenantsFailed(results);
  return results.flatMap((r) => ('result' in r ? [r.result] : []));
}
