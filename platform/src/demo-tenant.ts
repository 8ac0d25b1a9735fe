import type { Runtime } from '@forma/runtime';

/** Well-known credentials of the local demo tenant (never created when DEMO=0). */
export const DEMO_ADMIN = {
  tenant: 'demo',
  email: 'admin@demo.test',
  password: 'forma-demo',
  name: 'Demo Admin',
} as const;

/** Creates the demo tenant on first start; later starts find it in the data directory. */
export async function ensureDemoTenant(runtime: Runtime): Promise<'created' | 'existing'> {
  const existing = (await runtime.tenants.list()).some((t) => t.id === DEMO_ADMIN.tenant);
  if (existing) return 'existing';
  const template = runtime.tenants.templateNames().includes('core-crm') ? 'core-crm' : undefined;
  await runtime.tenants.create({
    id: DEMO_ADMIN.tenant,
    name: 'Demo Company',
    admin: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password, name: DEMO_ADMIN.name },
    ...(template ? { template, sampleData: true } : {}),
  });
  return 'created';
}
