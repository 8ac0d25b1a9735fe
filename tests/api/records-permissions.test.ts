import type { Ctx, ObjectAccess } from '@forma/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The records engine's side of the permission contract, proven with a test-only engine that hands
 * out restrictive access (scope filters with the internal operators, field security), and with the
 * real role-based engine.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let other: Awaited<ReturnType<TestTenant['addUser']>>;
let manager: Awaited<ReturnType<TestTenant['addUser']>>;

const account = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 100 } },
  required: ['name'],
};
const deal = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    secret: { type: 'string', maxLength: 100 },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
  },
  required: ['name'],
};

type Policy = (ctx: Ctx, object: string) => ObjectAccess | undefined;
let policy: Policy | undefined;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recperm' });
  expect((await tenant.api.put('/api/meta/objects/account', account)).status).toBe(200);
  expect((await tenant.api.put('/api/meta/objects/deal', deal)).status).toBe(200);
  const role = {
    label: 'Sales rep',
    objects: {
      deal: {
        create: true,
        read: 'subordinates',
        update: 'own',
        delete: 'own',
        fields: { secret: 'none', amount: 'read' },
      },
      account: { create: true, read: 'all', update: 'own', delete: false },
    },
  };
  const put = await tenant.api.put('/api/meta/roles/sales_rep', role);
  expect(put.status, put.text).toBe(200);
  manager = await tenant.addUser({ roles: ['sales_rep'], name: 'Manager' });
  rep = await tenant.addUser({ roles: ['sales_rep'], manager: manager.id, name: 'Rep' });
  other = await tenant.addUser({ roles: ['sales_rep'], name: 'Other' });
  // Test-only engine: when a policy is set, it decides; otherwise the real engine answers.
  const engine = server.runtime.permissions;
  const real = engine.objectAccess.bind(engine);
  vi.spyOn(engine, 'objectAccess').mockImplementation(
    async (ctx, object) => policy?.(ctx, object) ?? real(ctx, object),
  );
});
afterEach(() => {
  policy = undefined;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

async function adminDeal(body: Record<string, unknown>, ownerApi = tenant.api) {
  const r = await ownerApi.post('/api/records/deal', body);
  expect(r.status, r.text).toBe(201);
  return r.body;
}

describe('with a test-only restrictive engine', () => {
  const restrictive =
    (userId: string): Policy =>
    (ctx, object): ObjectAccess | undefined => {
      if (ctx.user.id !== userId) return undefined;
      if (object === 'account')
        return {
          object,
          can: { create: false, read: false, update: false, delete: false },
          rowFilter: { read: null, update: null, delete: null },
          fields: {},
        };
      return {
        object,
        can: { create: true, read: true, update: true, delete: false },
        rowFilter: {
          read: {
            or: [{ owner: { eq: userId } }, { id: { $sharedWith: { user: userId, roles: [], level: 'read' } } }],
          },
          update: { and: [{ owner: { eq: userId } }, { stage: { ne: 'lost' } }] },
          delete: null,
        },
        fields: { secret: 'none', amount: 'read' },
      };
    };

  it('compiles the read scope into the query: others’ records are absent and answer 404', async () => {
    const mine = await adminDeal({ name: 'mine', secret: 'classified' });
    await server.runtime.db.raw('update ??.?? set owner = ? where id = ?', [`t_${tenant.id}`, 'deal', rep.id, mine.id]);
    const theirs = await adminDeal({ name: 'theirs', secret: 'classified' });
    policy = restrictive(rep.id);
    const r = await rep.api.get('/api/records/deal', { query: { limit: 500 } });
    expect(r.status).toBe(200);
    expect(r.body.items.map((d: { id: string }) => d.id)).toEqual([mine.id]);
    expect(r.body.items[0]).not.toHaveProperty('secret');
    expect((await rep.api.get(`/api/records/deal/${theirs.id}`)).status).toBe(404);
    expect((await rep.api.get(`/api/records/deal/${theirs.id}/history`)).status).toBe(404);
    expect((await rep.api.patch(`/api/records/deal/${theirs.id}`, { name: 'x' })).status).toBe(404);
    expect((await rep.api.delete(`/api/records/deal/${theirs.id}`)).status).toBe(404);
    // A user filter cannot widen the scope.
    const widened = await rep.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ or: [{ id: { eq: theirs.id } }, { name: { eq: 'theirs' } }] }) },
    });
    expect(widened.body.items).toEqual([]);
    const count = await rep.api.get('/api/records/deal', { query: { count: 'true' } });
    expect(count.body.total).toBe(1);
  });

  it('shows records shared manually ($sharedWith)', async () => {
    const shared = await adminDeal({ name: 'shared with rep' });
    await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .insert({ object: 'deal', record_id: shared.id, user_id: rep.id, level: 'read' })
      .into('_record_shares');
    policy = restrictive(rep.id);
    expect((await rep.api.get(`/api/records/deal/${shared.id}`)).status).toBe(200);
    // Readable but outside the update scope (not the owner): 403, not 404.
    const u = await rep.api.patch(`/api/records/deal/${shared.id}`, { name: 'x' });
    expect(u.status).toBe(403);
  });

  it('treats `none` fields as unknown everywhere and refuses writes to read fields with 403', async () => {
    policy = restrictive(rep.id);
    for (const query of [
      { filter: JSON.stringify({ secret: { eq: 'classified' } }) },
      { sort: 'secret' },
      { fields: 'name,secret' },
    ]) {
      const r = await rep.api.get('/api/records/deal', { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.text).not.toContain('classified');
    }
    // q never searches a hidden field.
    expect((await rep.api.get('/api/records/deal', { query: { q: 'classified' } })).body.items).toEqual([]);
    const w1 = await rep.api.post('/api/records/deal', { name: 'n', amount: 5 });
    expect(w1.status).toBe(403);
    expect(w1.body.error.fields).toHaveProperty('amount');
    // A hidden field answers as a field the object does not have: 400, never a 403 naming it.
    const hidden = await rep.api.post('/api/records/deal', { name: 'n', secret: 'x' });
    const unknown = await rep.api.post('/api/records/deal', { name: 'n', nosuch: 'x' });
    expect(hidden.status).toBe(400);
    expect(unknown.body.error.details).toEqual({ fieldErrors: { nosuch: { code: 'unknown_field' } } });
    expect(hidden.body.error).toEqual({
      ...unknown.body.error,
      fields: { secret: 'Unknown field' },
      details: { fieldErrors: { secret: { code: 'unknown_field' } } },
    });
    const ok = await rep.api.post('/api/records/deal', { name: 'created by rep' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).not.toHaveProperty('secret');
    expect(ok.body.owner).toBe(rep.id);
  });

  it('checks the update scope and the delete right', async () => {
    policy = restrictive(rep.id);
    const lost = await rep.api.post('/api/records/deal', { name: 'lost one', stage: 'lost' });
    expect(lost.status).toBe(201);
    expect((await rep.api.patch(`/api/records/deal/${lost.body.id}`, { name: 'y' })).status).toBe(403);
    expect((await rep.api.delete(`/api/records/deal/${lost.body.id}`)).status).toBe(403);
    const after = await tenant.api.get(`/api/records/deal/${lost.body.id}`);
    expect(after.body).toMatchObject({ name: 'lost one', version: 1 });
  });

  it('hides history entries of hidden fields and does not expand unreadable lookups', async () => {
    const acc = await tenant.api.post('/api/records/account', { name: 'Acme' });
    const d = await adminDeal({ name: 'h', secret: 's1', account: acc.body.id });
    await server.runtime.db.raw('update ??.?? set owner = ? where id = ?', [`t_${tenant.id}`, 'deal', rep.id, d.id]);
    await tenant.api.patch(`/api/records/deal/${d.id}`, { secret: 's2', name: 'h2' });
    policy = restrictive(rep.id);
    const h = await rep.api.get(`/api/records/deal/${d.id}/history`);
    expect(h.status).toBe(200);
    for (const e of h.body.items) expect(e.changes).not.toHaveProperty('secret');
    expect(h.body.items[0].changes.name).toEqual(['h', 'h2']);
    // The account object is unreadable for this user: filtering through it matches nothing,
    // expanding it leaves the bare id.
    const f = await rep.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ 'account.name': { eq: 'Acme' } }) },
    });
    expect(f.status).toBe(200);
    expect(f.body.items).toEqual([]);
    const e = await rep.api.get(`/api/records/deal/${d.id}`, { query: { expand: 'account' } });
    expect(e.body.account).toBe(acc.body.id);
    expect((await rep.api.get('/api/records/account')).status).toBe(404);
  });

  it('follows the manager hierarchy with $inTeamOf', async () => {
    const repDeal = await rep.api.post('/api/records/deal', { name: 'team deal' });
    expect(repDeal.status).toBe(201);
    policy = (ctx, object) =>
      ctx.user.id === manager.id && object === 'deal'
        ? {
            object,
            can: { create: false, read: true, update: false, delete: false },
            rowFilter: { read: { owner: { $inTeamOf: manager.id } }, update: null, delete: null },
            fields: {},
          }
        : undefined;
    const seen = await manager.api.get('/api/records/deal', { query: { limit: 500 } });
    expect(seen.status).toBe(200);
    const owners = new Set(seen.body.items.map((d: { owner: string }) => d.owner));
    expect(owners.has(rep.id)).toBe(true);
    expect([...owners].every((o) => o === rep.id || o === manager.id)).toBe(true);
    expect((await manager.api.post('/api/records/deal', { name: 'x' })).status).toBe(403);
  });
});

describe('with the role-based engine', () => {
  it('applies own/subordinates scopes and field security from roles', async () => {
    const byRep = await rep.api.post('/api/records/deal', { name: 'rep role deal' });
    expect(byRep.status, byRep.text).toBe(201);
    const byOther = await other.api.post('/api/records/deal', { name: 'other role deal' });
    expect(byOther.status).toBe(201);
    expect((await rep.api.get(`/api/records/deal/${byOther.body.id}`)).status).toBe(404);
    expect((await manager.api.get(`/api/records/deal/${byRep.body.id}`)).status).toBe(200);
    // The manager may read the subordinate's deal but update only their own.
    expect((await manager.api.patch(`/api/records/deal/${byRep.body.id}`, { name: 'z' })).status).toBe(403);
    expect((await rep.api.patch(`/api/records/deal/${byRep.body.id}`, { amount: 1 })).status).toBe(403);
    const mine = await rep.api.get('/api/records/deal', { query: { limit: 500 } });
    // Own records, plus the one shared with the rep manually above.
    const foreign = mine.body.items.filter((d: { owner: string }) => d.owner !== rep.id);
    expect(foreign.map((d: { name: string }) => d.name)).toEqual(['shared with rep']);
    for (const d of mine.body.items) expect(d).not.toHaveProperty('secret');
  });
});
