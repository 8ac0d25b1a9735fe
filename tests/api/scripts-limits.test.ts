import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  // The breaker is relaxed: these tests run out of time and memory on purpose, one after another.
  server = await startTestServer({ runtimeConfig: { scripts: { timeoutMs: 2000, breaker: { failures: 10_000 } } } });
  tenant = await createTestTenant(server, { prefix: 'scl' });
  other = await createTestTenant(server, { prefix: 'scl2' });
});
afterAll(async () => {
  for (const t of [tenant, other])
    await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

const limitsOf = (id: string) => `/api/tenants/${id}/script-limits`;
const spin = (t: TestTenant) =>
  t.api.post('/api/meta/scripts/spin/test', {
    script: { object: 'deal', event: 'validate', code: 'while (true) {}' },
    record: {},
  });

describe('per-tenant script limits (platform admin)', () => {
  it('shows the configured limits when a tenant has no overrides', async () => {
    const r = await server.platform.get(limitsOf(tenant.id));
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      overrides: {},
      effective: expect.objectContaining({ timeoutMs: 2000, memoryMb: 64, queryBudget: 20 }),
    });
  });

  it('applies stored overrides to that tenant only, and {} removes them', async () => {
    const put = await server.platform.put(limitsOf(tenant.id), { timeoutMs: 150, queryBudget: 3 });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({
      overrides: { timeoutMs: 150, queryBudget: 3 },
      effective: expect.objectContaining({ timeoutMs: 150, queryBudget: 3, memoryMb: 64 }),
    });
    expect((await server.platform.get(limitsOf(tenant.id))).body.overrides).toEqual({ timeoutMs: 150, queryBudget: 3 });

    const slow = await spin(tenant);
    expect(slow.status).toBe(422);
    expect(slow.body.error).toMatchObject({ code: 'SCRIPT_FAILED', message: 'Script "spin" timed out after 150 ms' });
    expect((await server.platform.get(limitsOf(other.id))).body.overrides).toEqual({});

    const cleared = await server.platform.put(limitsOf(tenant.id), {});
    expect(cleared.body).toEqual({ overrides: {}, effective: expect.objectContaining({ timeoutMs: 2000 }) });
  });

  it('a stored memory limit is the isolate’s heap limit; the tenant recovers once it is lifted', async () => {
    expect((await server.platform.put(limitsOf(tenant.id), { memoryMb: 16, timeoutMs: 20_000 })).status).toBe(200);
    try {
      const bomb = await tenant.api.post('/api/meta/scripts/bomb/test', {
        script: {
          object: 'deal',
          event: 'validate',
          code: 'const a = [];\nwhile (true) a.push({ i: a.length, s: "x".repeat(64) });',
        },
        record: {},
      });
      expect(bomb.status).toBe(422);
      expect(bomb.body.error.details).toMatchObject({ reason: 'memory', script: 'bomb' });
      expect(bomb.body.error.message).toMatch(/ran out of memory \(limit 16 MB\)/);
    } finally {
      await server.platform.put(limitsOf(tenant.id), {});
    }
    const fine = await tenant.api.post('/api/meta/scripts/fine/test', {
      script: { object: 'deal', event: 'validate', code: "error('ok');" },
      record: {},
    });
    expect(fine.status, fine.text).toBe(200);
    expect(fine.body.errors).toEqual({ _: 'ok' });
  });

  it('refuses unknown limits, out-of-range and mistyped values, and names them', async () => {
    for (const [body, field] of [
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ timeoutMs: 600_000 }, 'timeoutMs'],
      [{ memoryMb: 4096 }, 'memoryMb'],
      [{ memoryMb: '64' }, 'memoryMb'],
      [{ queryBudget: 1.5 }, 'queryBudget'],
      [{ cpu: 1 }, 'cpu'],
    ] as const) {
      const r = await server.platform.put(limitsOf(tenant.id), body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(r.body.error.fields ?? {}).join(), JSON.stringify(body)).toContain(field);
    }
    const malformed = await server.platform.put(limitsOf(tenant.id), undefined, { raw: '{"timeoutMs": ' });
    expect(malformed.status).toBe(400);
    const array = await server.platform.put(limitsOf(tenant.id), undefined, { raw: '[1]' });
    expect(array.status).toBe(400);
    expect((await server.platform.get(limitsOf(tenant.id))).body.overrides).toEqual({});
  });

  it('answers 404 for an unknown tenant and 400 for a malformed id', async () => {
    expect((await server.platform.get(limitsOf('no_such_tenant'))).status).toBe(404);
    expect((await server.platform.put(limitsOf('no_such_tenant'), { timeoutMs: 100 })).status).toBe(404);
    for (const bad of ["x'%3B drop table platform.tenants --", 'A', 'a'.repeat(40)]) {
      expect((await server.platform.get(limitsOf(bad))).status, bad).toBe(400);
    }
  });

  it('is for the platform admin only: tenant admins and anonymous callers are refused', async () => {
    expect((await tenant.api.get(limitsOf(tenant.id))).status).toBe(401);
    expect((await tenant.api.put(limitsOf(tenant.id), { memoryMb: 1024 })).status).toBe(401);
    expect((await server.anon.put(limitsOf(tenant.id), { memoryMb: 1024 })).status).toBe(401);
    expect((await server.platform.get(limitsOf(tenant.id))).body.overrides).toEqual({});
  });
});
