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

/** The demo tenant's sample users (from the core-crm template's sample data), for the start-up banner. */
export function demoUsers(runtime: Runtime): Array<{ email: string; password: string; roles: string[] }> {
  if (!runtime.templates.names().includes('core-crm')) return [];
  const users = (runtime.templates.get('core-crm').sampleData?.users ?? []) as Array<Record<string, unknown>>;
  return users.map((u) => ({
    email: String(u.email),
    password: String(u.password),
    roles: Array.isArray(u.roles) ? u.roles.map(String) : [],
  }));
}
