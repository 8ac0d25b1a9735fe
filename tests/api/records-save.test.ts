import { type AfterSavePayload, type BeforeCreatePayload, systemCtx, validationFailed } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** The save pipeline around the SQL: lifecycle hooks, scripts, the approval lock, batches, retention. */
let server: TestServer;
let tenant: TestTenant;

const deal = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number', minimum: 0 },
    net: { type: 'number', 'x-formula': 'record.amount * 0.9' },
    code: { type: 'string', maxLength: 20, 'x-unique': true },
  },
  required: ['name', 'amount'],
  'x-audit': { retainDays: 30 },
};

const ctx = () => systemCtx(server.runtime.db, tenant.id, tenant.admin.id);

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recsave' });
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('lifecycle hooks', () => {
  it('lets filter hooks change or refuse a save, and runs action hooks after commit', async () => {
    const after: AfterSavePayload[] = [];
    const offFilter = server.runtime.hooks.filter<BeforeCreatePayload>('record.beforeCreate', (_ctx, p) => {
      if (p.object !== 'deal') return;
      if (p.record.name === 'refuse me') throw validationFailed('Refused by a plugin', { name: 'Not this name' });
      if (p.record.name === 'hook me') p.record.name = 'changed by hook';
    });
    const offAction = server.runtime.hooks.action<AfterSavePayload>('record.afterCreate', (_ctx, p) => {
      if (p.object === 'deal') after.push(p);
    });
    try {
      const changed = await tenant.api.post('/api/records/deal', { name: 'hook me', amount: 1 });
      expect(changed.status).toBe(201);
      expect(changed.body.name).toBe('changed by hook');
      const refused = await tenant.api.post('/api/records/deal', { name: 'refuse me', amount: 1 });
      expect(refused.status).toBe(400);
      expect(refused.body.error.fields).toEqual({ name: 'Not this name' });
      expect(after.map((p) => p.id)).toEqual([changed.body.id]);
      expect(after[0]).toMatchObject({ action: 'create', changes: { name: [null, 'changed by hook'] } });
    } finally {
      offFilter();
      offAction();
    }
  });

  it('delivers saved records to onSaved listeners through the outbox, never for a rolled-back save', async () => {
    const seen: string[] = [];
    const off = server.runtime.records.onSaved(async (_ctx, e) => {
      if (e.object === 'deal') seen.push(`${e.action}:${e.record.name}`);
    });
    try {
      const c = await tenant.api.post('/api/records/deal', { name: 'outboxed', amount: 2, code: 'OB-1' });
      expect((await tenant.api.post('/api/records/deal', { name: 'dup', amount: 2, code: 'OB-1' })).status).toBe(409);
      await tenant.api.patch(`/api/records/deal/${c.body.id}`, { name: 'outboxed 2' });
      await server.runtime.outbox.drain();
      expect(seen).toEqual(['create:outboxed', 'update:outboxed 2']);
    } finally {
      off();
    }
  });
});

describe('scripts', () => {
  it('runs validate, beforeSave and formulas in the save', async () => {
    const scripts = {
      deal_validate: {
        object: 'deal',
        event: 'validate',
        code: "if (record.amount > 1000) error('amount', 'Too big for a rep');",
      },
      deal_before: {
        object: 'deal',
        event: 'beforeSave',
        code: "if (typeof record.name === 'string') set('name', record.name.trim()); if (record.name === 'bad set') set('amount', 'lots');",
      },
    };
    const r = await tenant.api.post('/api/meta/apply', { scripts });
    expect(r.status, r.text).toBe(200);
    const c = await tenant.api.post('/api/records/deal', { name: '  padded  ', amount: 100 });
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({ name: 'padded', net: 90 });
    const big = await tenant.api.post('/api/records/deal', { name: 'big', amount: 5000 });
    expect(big.status).toBe(400);
    expect(big.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { amount: 'Too big for a rep' } });
    const u = await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 200 });
    expect(u.body.net).toBe(180);
    const badSet = await tenant.api.post('/api/records/deal', { name: 'bad set', amount: 1 });
    expect(badSet.status).toBe(422);
    expect(badSet.body.error.code).toBe('SCRIPT_FAILED');
    expect(badSet.body.error.fields).toHaveProperty('amount');
    // Computed fields stay read-only for clients.
    expect((await tenant.api.patch(`/api/records/deal/${c.body.id}`, { net: 1 })).status).toBe(400);
    await tenant.api.post('/api/meta/apply', { scripts: { deal_validate: null, deal_before: null } });
  });
});

describe('approval lock override', () => {
  it('lets only tenant admins write through a pending approval with override=true', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'locked', amount: 1 });
    await server.runtime.db.raw('update ??.?? set approval_status = ? where id = ?', [
      `t_${tenant.id}`,
      'deal',
      'pending',
      c.body.id,
    ]);
    const path = `/api/records/deal/${c.body.id}`;
    expect((await tenant.api.patch(path, { amount: 2 })).body.error.code).toBe('RECORD_LOCKED');
    const role = { label: 'Editor', objects: { deal: { create: true, read: 'all', update: 'all', delete: 'all' } } };
    expect((await tenant.api.put('/api/meta/roles/editor', role)).status).toBe(200);
    const user = await tenant.addUser({ roles: ['editor'] });
    expect((await user.api.patch(path, { amount: 2 })).body.error.code).toBe('RECORD_LOCKED');
    expect((await user.api.patch(path, { amount: 2 }, { query: { override: 'true' } })).status).toBe(403);
    expect((await user.api.delete(path, { query: { override: 'true' } })).status).toBe(403);
    const ok = await tenant.api.patch(path, { amount: 2 }, { query: { override: 'true' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.amount).toBe(2);
  });
});

describe('batches (the import entry point)', () => {
  it('inserts many rows all or nothing, or keeps the good ones with partial', async () => {
    const before = (await tenant.api.get('/api/records/deal', { query: { count: 'true' } })).body.total;
    const rows = [
      { name: 'b1', amount: 1, code: 'B-1' },
      { name: 'b2', amount: -1 },
      { name: 'b3', amount: 3, code: 'B-1' },
      'not an object',
      { name: 'b5', amount: 5 },
    ];
    await expect(server.runtime.records.createMany(await ctx(), 'deal', rows)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { row: 1 },
    });
    expect((await tenant.api.get('/api/records/deal', { query: { count: 'true' } })).body.total).toBe(before);
    const r = await server.runtime.records.createMany(await ctx(), 'deal', rows, {
      partial: true,
      batch: crypto.randomUUID(),
    });
    expect(r.created.map((x) => x.name)).toEqual(['b1', 'b5']);
    expect(r.failed.map((f) => f.row).sort()).toEqual([1, 2, 3]);
    expect(r.failed.find((f) => f.row === 2)?.errors).toHaveProperty('code');
    expect((await tenant.api.get('/api/records/deal', { query: { count: 'true' } })).body.total).toBe(before + 2);
    const h = await tenant.api.get(`/api/records/deal/${r.created[0]!.id}/history`);
    expect(h.body.items[0].batch).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('audit retention', () => {
  it('purges history older than x-audit.retainDays', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'old news', amount: 1 });
    await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 2 });
    await server.runtime.db.raw(
      "update ??.?? set at = now() - interval '40 days' where record_id = ? and action = 'create'",
      [`t_${tenant.id}`, '_audit', c.body.id],
    );
    const { deleted } = await server.runtime.records.purgeAudit(await ctx());
    expect(deleted).toBeGreaterThanOrEqual(1);
    const h = await tenant.api.get(`/api/records/deal/${c.body.id}/history`);
    expect(h.body.items.map((e: { action: string }) => e.action)).toEqual(['update']);
  });
});
