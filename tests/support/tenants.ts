import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiClient } from './api-client';
import { cloneKey, cloneTenant } from './tenant-clone';
import type { TestServer } from './test-server';

export interface TestTenant {
  id: string;
  admin: { id: string; email: string; password: string };
  /** Signed in as the tenant's admin. */
  api: ApiClient;
  /** Creates a user and returns a client signed in as them. */
  addUser(opts: {
    roles?: string[];
    manager?: string;
    name?: string;
  }): Promise<{ id: string; email: string; password: string; api: ApiClient }>;
  login(email: string, password: string): Promise<ApiClient>;
}

export function uniqueTenantId(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * A fresh tenant with a signed-in admin; each test file works in its own. A tenant from a template is
 * usually a copy of one the run applied once (./tenant-clone.ts); `copy: false` applies the template
 * through the API for this tenant (the files that test template application itself).
 */
export async function createTestTenant(
  server: TestServer,
  opts: { prefix?: string; template?: string; sampleData?: boolean; copy?: boolean } = {},
): Promise<TestTenant> {
  const id = uniqueTenantId(opts.prefix);
  const admin = { email: `admin@${id}.test`, password: 'correct horse battery', name: 'Admin' };
  const name = `Test ${id}`;
  const request = opts.template ? { template: opts.template, sampleData: opts.sampleData ?? false } : undefined;
  const key = request && opts.copy !== false ? cloneKey(server, request) : undefined;
  let adminId: string;
  if (request && key) {
    await cloneTenant(server, key, request, id, name);
    const rows = (
      await server.runtime.db.raw('select id from ??.?? where email = ?', [`t_${id}`, '_users', admin.email])
    ).rows as Array<{ id: string }>;
    expect(rows, `the copy of ${opts.template} has its admin`).toHaveLength(1);
    adminId = rows[0]!.id;
  } else {
    const res = await server.platform.post('/api/tenants', {
      id,
      name,
      admin,
      ...(opts.template ? { template: opts.template } : {}),
      ...(opts.sampleData !== undefined ? { sampleData: opts.sampleData } : {}),
    });
    expect(res.status, res.text).toBe(201);
    adminId = res.body.admin.id;
  }
  const login = async (email: string, password: string) => {
    const r = await server.anon.post('/api/auth/login', { tenant: id, email, password });
    expect(r.status, r.text).toBe(200);
    return server.anon.withToken(r.body.token);
  };
  const api = await login(admin.email, admin.password);
  let n = 0;
  return {
    id,
    admin: { id: adminId, email: admin.email, password: admin.password },
    api,
    login,
    async addUser({ roles = [], manager, name }) {
      n += 1;
      const email = `user${n}.${randomBytes(3).toString('hex')}@${id}.test`;
      const password = 'user password 123';
      const r = await api.post('/api/users', {
        email,
        name: name ?? `User ${n}`,
        password,
        roles,
        ...(manager ? { manager } : {}),
      });
      expect(r.status, r.text).toBe(201);
      return { id: r.body.id, email, password, api: await login(email, password) };
    },
  };
}

/** PUTs a metadata document as the tenant's admin and expects it applied (200). */
export async function putMeta(tenant: TestTenant, path: string, body: unknown): Promise<void> {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}
