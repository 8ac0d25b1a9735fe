import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The script API's `adjust()`: a guarded, atomic change of a number field of another record
 * (points here), in the caller's save, through the records engine. Unhappy paths: a field that is
 * not a writable number, an unknown record, arguments that are not what they should be.
 */
let server: TestServer;
let tenant: TestTenant;
let clerk: Awaited<ReturnType<TestTenant['addUser']>>;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'sadjust' });
  const r = await tenant.api.post('/api/meta/apply', {
    objects: {
      wallet: {
        title: 'Wallet',
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          points: { type: 'integer', minimum: 0 },
        },
      },
      // Its save needs the sandbox (a formula), which the calling script holds: refused clearly.
      badge: {
        title: 'Badge',
        type: 'object',
        properties: {
          points: { type: 'integer' },
          double: { type: 'number', 'x-formula': '(record.points || 0) * 2' },
        },
      },
      redemption: {
        title: 'Redemption',
        type: 'object',
        properties: {
          wallet: { type: 'string', format: 'uuid', 'x-ref': 'wallet' },
          target: { type: 'string', maxLength: 40 },
          ref: { type: 'string', maxLength: 40 },
          cost: { type: 'integer' },
          field: { type: 'string', maxLength: 40 },
          left: { type: 'integer' },
        },
      },
    },
    roles: {
      clerk: {
        label: 'Clerk',
        objects: { redemption: { create: true, read: 'own' }, wallet: { read: 'all', update: false } },
      },
    },
    scripts: {
      redeem: {
        object: 'redemption',
        event: 'beforeSave',
        code: [
          "const r = await adjust(record.target || 'wallet', record.ref || record.wallet, record.field || 'points', -record.cost, { min: 0 });",
          "if (!r.ok) error('cost', 'Only ' + r.value + ' points left');",
          "set('left', r.value);",
        ].join('\n'),
      },
    },
  });
  expect(r.status, r.text).toBe(200);
  clerk = await tenant.addUser({ roles: ['clerk'], name: 'Cleo Clerk' });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

async function wallet(points: number): Promise<string> {
  const r = await tenant.api.post('/api/records/wallet', { name: 'W', points });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}
const pointsOf = async (id: string) => (await tenant.api.get(`/api/records/wallet/${id}`)).body;

describe('adjust()', () => {
  it('takes within the bound, as the system on behalf of a user who may not edit the record, audited', async () => {
    const w = await wallet(10);
    const r = await clerk.api.post('/api/records/redemption', { wallet: w, cost: 4 });
    expect(r.status, r.text).toBe(201);
    expect(r.body.left).toBe(6);
    expect((await pointsOf(w)).points).toBe(6);
    const history = (await tenant.api.get(`/api/records/wallet/${w}/history`)).body.items;
    expect(history[0].changes.points).toEqual([10, 6]);
    expect(history[0].cause.text).toContain('adjust points by -4');
  });

  it('refuses past the bound without changing anything, and a refused save gives back what it took', async () => {
    const w = await wallet(3);
    const r = await clerk.api.post('/api/records/redemption', { wallet: w, cost: 5 });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields.cost).toBe('Only 3 points left');
    expect((await pointsOf(w)).points).toBe(3);
  });

  it('concurrent calls never overshoot the bound', async () => {
    const w = await wallet(5);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => clerk.api.post('/api/records/redemption', { wallet: w, cost: 1 })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 400)).toHaveLength(7);
    expect((await pointsOf(w)).points).toBe(0);
  });

  it('refuses fields that are not writable numbers and unknown records with a clear error', async () => {
    const w = await wallet(5);
    for (const field of ['name', 'version', 'ghost']) {
      const r = await clerk.api.post('/api/records/redemption', { wallet: w, cost: 1, field });
      expect(r.status, `${field}: ${r.text}`).toBe(422);
      expect(JSON.stringify(r.body.error)).toMatch(/adjust\('wallet'\)/);
    }
    const ghost = await clerk.api.post('/api/records/redemption', {
      ref: '00000000-0000-4000-8000-000000000000',
      cost: 1,
    });
    expect(ghost.status).toBe(422);
    expect((await pointsOf(w)).points).toBe(5);
    const badge = await tenant.api.post('/api/records/badge', { points: 5 });
    const withFormula = await clerk.api.post('/api/records/redemption', {
      ref: badge.body.id,
      target: 'badge',
      cost: 1,
    });
    expect(withFormula.status, withFormula.text).toBe(422);
    expect(JSON.stringify(withFormula.body.error)).toMatch(/formulas or save scripts/);
    expect((await tenant.api.get(`/api/records/badge/${badge.body.id}`)).body.points).toBe(5);
  });
});
