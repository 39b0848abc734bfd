// A run over a platform config and its tenant directories (`--tenants DIR`, docs/namespaces.md) as
// plain data: each config's result (a plan, a drift report) or, for a tenant, why it failed. The
// renderers turn it into one document (schemas/tenants-plan.schema.json, tenants-drift.schema.json).

export const TENANTS_FORMAT_VERSION = '1';

/** The platform config: its directories (-c, layered) and the namespace it is of ('' for the root). */
export interface PlatformResult<T> {
  dirs: string[];
  namespace: string;
  result: T;
}

/** One tenant directory, in the namespace its `namespace:` names: its result, or its error (secret-free). */
export type TenantResult<T> = { dir: string; namespace: string; result: T } | { dir: string; namespace: string; error: string };

export interface TenantsRun<T> {
  platform: PlatformResult<T>;
  tenants: TenantResult<T>[];
}

/** The tenants that failed. */
export function failedTenants<T>(run: TenantsRun<T>): Array<Extract<TenantResult<T>, { error: string }>> {
  return run.tenants.filter((t): t is Extract<TenantResult<T>, { error: string }> => 'error' in t);
}

/** Every result of the run, the platform's first; failed tenants have none. */
export function runResults<T>(run: TenantsRun<T>): T[] {
  return [run.platform.result, ...run.tenants.flatMap((t) => ('result' in t ? [t.result] : []))];
}
