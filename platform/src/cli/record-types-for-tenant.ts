import { type Runtime, systemCtx } from '@forma/runtime';

/**
 * TypeScript declarations of one tenant's records at its current metadata version: one interface
 * per object and a `Records` map. Throws NOT_FOUND for an unknown tenant.
 */
export async function recordTypesForTenant(runtime: Runtime, tenant: string): Promise<string> {
  await runtime.tenants.get(tenant);
  return runtime.meta.recordTypes(await systemCtx(runtime.db, tenant));
}
