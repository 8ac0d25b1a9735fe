/**
 * Bulk actions on a selection (`POST /api/records/:object/bulk`, issue 21): every record through
 * the records engine (permissions, validation, approval lock, hooks, audit with a cause,
 * automations), refused rows reported with id, label and reason, and nothing leaked about records
 * the caller may not read.
 */
import { conflict, type BeforeDeletePayload } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

type User = { id: string; api: ApiClient };

let server: TestServer;
let tenant: TestTenant;
let manager: User;
let rep: User;
let other: User;

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 200 },
    amount: { type: 'number', minimum: 0 },
    stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'], default: 'new' },
    celebrated: { type: 'boolean', default: false },
  },
  required: ['name', 'amount'],
};

async function put(path: string, body: unknown) {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const handled = await server.runtime.outbox.drain();
    const [{ n }] = await server.runtime.db
      .withSchema('platform')
      .from('outbox')
      .where({ tenant: tenant.id })
      .whereNull('done_at')
      .whereNull('dead_at')
      .count({ n: '*' });
    if (!handled && !Number(n)) return;
  }
  throw new Error('after-commit events did not settle');
}

async function createDeal(user: User, values: Record<string, unknown> = {}): Promise<string> {
  const r = await user.api.post('/api/records/deal', { name: 'Deal', amount: 100, ...values });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function bulk(user: User | ApiClient, body: unknown) {
  const api = 'api' in user ? user.api : user;
  return api.post('/api/records/deal/bulk', body);
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'bulk' });
  await put('/api/meta/objects/deal', deal);
  const own = { create: true, read: 'own', update: 'own', delete: 'own' };
  await put('/api/meta/roles/sales_rep', { label: 'Rep', objects: { deal: own } });
  await put('/api/meta/roles/sales_manager', {
    label: 'Manager',
    objects: { deal: { read: 'subordinates', update: false, delete: false } },
  });
  manager = await tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager' });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
  other = await tenant.addUser({ roles: ['sales_rep'], name: 'Olga Other' });
  await put('/api/meta/automations/deal_won', {
    label: 'Deal won',
    object: 'deal',
    trigger: { on: 'update', fields: ['stage'] },
    condition: "record.stage === 'won'",
    actions: [{ type: 'set', values: { celebrated: true } }],
  });
  server.runtime.hooks.filter<BeforeDeletePayload>('record.beforeDelete', (ctx, p) => {
    if (ctx.tenant === tenant.id && p.old.name === 'Keep me') throw conflict('This deal stays');
  });
  await put('/api/meta/workflows/review', {
    object: 'deal',
    label: 'Review',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'mgr',
        type: 'approval',
        position: { x: 0, y: 0 },
        data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }], mode: 'any' },
      },
      { id: 'yes', type: 'end', position: { x: 0, y: 0 }, data: { outcome: 'approved' } },
      { id: 'no', type: 'end', position: { x: 0, y: 0 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'a', source: 'start', target: 'mgr' },
      { id: 'b', source: 'mgr', target: 'yes', data: { outcome: 'approved' } },
      { id: 'c', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
    ],
  });
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('bulk update', () => {
  it('changes every record it may, through the engine: audit cause, automations; refuses the rest by reason', async () => {
    const mine = [await createDeal(rep, { name: 'Mine 1' }), await createDeal(rep, { name: 'Mine 2' })];
    const locked = await createDeal(rep, { name: 'Locked one' });
    expect((await rep.api.post(`/api/records/deal/${locked}/submit`, {})).status).toBe(201);
    const secret = await createDeal(other, { name: 'Olga secret deal' });
    const missing = '00000000-0000-4000-8000-000000000000';

    const r = await bulk(rep, { action: 'update', ids: [...mine, locked, secret, missing], changes: { stage: 'won' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.done.sort()).toEqual([...mine].sort());
    const byId = Object.fromEntries(r.body.refused.map((x: { id: string }) => [x.id, x]));
    expect(byId[locked]).toMatchObject({ label: 'Locked one', code: 'RECORD_LOCKED' });
    // Another rep's record is "not found", like GET …/:id: no label, nothing about it leaks.
    expect(byId[secret]).toMatchObject({ label: null, code: 'NOT_FOUND' });
    expect(byId[missing]).toMatchObject({ label: null, code: 'NOT_FOUND' });
    expect(r.text).not.toContain('Olga secret deal');
    expect((await other.api.get(`/api/records/deal/${secret}`)).body.stage).toBe('new');

    await settle();
    const saved = (await rep.api.get(`/api/records/deal/${mine[0]}`)).body;
    expect(saved).toMatchObject({ stage: 'won', celebrated: true });
    const history = (await rep.api.get(`/api/records/deal/${mine[0]}/history`)).body.items;
    const change = history.find((h: { changes: Record<string, unknown> }) => h.changes.stage);
    expect(change).toMatchObject({ user: rep.id, cause: { kind: 'bulk', ref: { bulk: r.body.bulk } } });
    expect(change.cause.text).toContain('Rob Rep');
  });

  it('refuses records the user can read but not change, with their label', async () => {
    const id = await createDeal(rep, { name: 'Read only for Mia' });
    const r = await bulk(manager, { action: 'update', ids: [id], changes: { stage: 'lost' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.done).toEqual([]);
    expect(r.body.refused).toEqual([expect.objectContaining({ id, label: 'Read only for Mia', code: 'FORBIDDEN' })]);
  });

  it('reports each record’s validation errors by field, and refuses versions changed since they were read', async () => {
    const a = await createDeal(rep, { name: 'A' });
    const b = await createDeal(rep, { name: 'B' });
    const invalid = await bulk(rep, { action: 'update', ids: [a], changes: { amount: -5 } });
    expect(invalid.body.refused[0]).toMatchObject({ id: a, label: 'A', code: 'VALIDATION_FAILED' });
    expect(invalid.body.refused[0].fields.amount).toBeTruthy();
    // Coded beside the English text, so the web app can say it in the user's language.
    expect(invalid.body.refused[0].fieldErrors?.amount?.code).toBeTruthy();

    const v = (await rep.api.get(`/api/records/deal/${b}`)).body.version;
    expect((await rep.api.patch(`/api/records/deal/${b}`, { amount: 7 })).status).toBe(200);
    const stale = await bulk(rep, { action: 'update', ids: [{ id: b, version: v }], changes: { stage: 'lost' } });
    expect(stale.body.refused[0]).toMatchObject({ id: b, label: 'B', code: 'CONFLICT' });
    expect((await rep.api.get(`/api/records/deal/${b}`)).body.stage).toBe('new');
  });

  it('lets concurrent bulk writers on the same records both land, one after the other', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => createDeal(rep, { name: `C${i}` })));
    const before = (await rep.api.get('/api/records/deal', { query: { filter: JSON.stringify({ id: { in: ids } }) } }))
      .body.items;
    const [x, y] = await Promise.all([
      bulk(rep, { action: 'update', ids, changes: { amount: 1 } }),
      bulk(rep, { action: 'update', ids, changes: { stage: 'negotiation' } }),
    ]);
    expect(x.status, x.text).toBe(200);
    expect(y.status, y.text).toBe(200);
    expect(x.body.done).toHaveLength(12);
    expect(y.body.done).toHaveLength(12);
    const after = (await rep.api.get('/api/records/deal', { query: { filter: JSON.stringify({ id: { in: ids } }) } }))
      .body.items;
    for (const r of after) {
      expect(r).toMatchObject({ amount: 1, stage: 'negotiation' });
      expect(r.version).toBe(before.find((b: { id: string }) => b.id === r.id).version + 2);
    }
  });

  it('refuses unknown fields and injection in field names before touching any record', async () => {
    const id = await createDeal(rep, { name: 'Untouched' });
    for (const changes of [
      { nope: 1 },
      { 'name"; drop table deal; --': 'x' },
      { 'stage = stage) or (1=1': 'won' },
      { id: '00000000-0000-4000-8000-000000000000' },
      { version: 1 },
    ]) {
      const r = await bulk(rep, { action: 'update', ids: [id], changes });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await rep.api.get(`/api/records/deal/${id}`)).body).toMatchObject({ name: 'Untouched', version: 1 });
  });

  it('refuses bad requests: no changes, both or neither of ids and filter, too many ids, bad ids and limits', async () => {
    const id = await createDeal(rep);
    const tooMany = Array.from({ length: 201 }, () => id);
    const cases: unknown[] = [
      { action: 'update', ids: [id] },
      { action: 'update', ids: [id], changes: {} },
      { action: 'update', changes: { stage: 'won' } },
      { action: 'update', ids: [id], filter: {}, changes: { stage: 'won' } },
      { action: 'update', ids: tooMany, changes: { stage: 'won' } },
      { action: 'update', ids: ["1' or '1'='1"], changes: { stage: 'won' } },
      { action: 'update', filter: {}, limit: 1000, changes: { stage: 'won' } },
      { action: 'update', filter: { 'name; drop': { eq: 1 } }, changes: { stage: 'won' } },
      { action: 'archive', ids: [id] },
      { action: 'update', ids: [id], changes: { stage: 'won' }, extra: true },
    ];
    for (const body of cases) {
      const r = await bulk(rep, body);
      expect(r.status, `${JSON.stringify(body).slice(0, 80)} → ${r.text}`).toBe(400);
    }
    const malformed = await rep.api.request('POST', '/api/records/deal/bulk', {
      raw: '{"action": "update", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect((await bulk(rep, { action: 'update', ids: [id], changes: { stage: 'won' } })).status).toBe(200);
  });

  it('is unknown for users who may not read the object', async () => {
    const stranger = await tenant.addUser({ roles: [] });
    const r = await bulk(stranger, { action: 'update', ids: [], changes: { stage: 'won' } });
    expect(r.status).toBe(404);
  });
});

describe('owner handover', () => {
  it('hands all of a rep’s records matching a filter to another rep, page by page with one bulk id', async () => {
    const leaving = await tenant.addUser({ roles: ['sales_rep'], name: 'Lea Leaving' });
    const taking = await tenant.addUser({ roles: ['sales_rep'], name: 'Tom Taking' });
    const open = await Promise.all(Array.from({ length: 5 }, (_, i) => createDeal(leaving, { name: `Open ${i}` })));
    const closed = await createDeal(leaving, { name: 'Closed', stage: 'won' });
    const filter = { owner: { eq: leaving.id }, stage: { nin: ['won', 'lost'] } };

    const pages: Array<{ done: string[]; refused: unknown[]; next: string | null; total?: number; bulk: string }> = [];
    let cursor: string | undefined;
    let id: string | undefined;
    do {
      const r = await bulk(tenant.api, {
        action: 'update',
        filter,
        changes: { owner: taking.id },
        limit: 2,
        ...(cursor ? { cursor } : {}),
        ...(id ? { bulk: id } : {}),
      });
      expect(r.status, r.text).toBe(200);
      pages.push(r.body);
      cursor = r.body.next ?? undefined;
      id = r.body.bulk;
    } while (cursor && pages.length < 10);
    expect(pages[0]!.total).toBe(5);
    expect(pages.flatMap((p) => p.done).sort()).toEqual([...open].sort());
    expect(new Set(pages.map((p) => p.bulk)).size).toBe(1);
    expect(pages.flatMap((p) => p.refused)).toEqual([]);

    const theirs = (await taking.api.get('/api/records/deal')).body.items.map((r: { id: string }) => r.id);
    expect(theirs.sort()).toEqual([...open].sort());
    expect((await leaving.api.get(`/api/records/deal/${closed}`)).status).toBe(200);
    expect((await leaving.api.get(`/api/records/deal/${open[0]}`)).status).toBe(404);
  });

  it('refuses the owner change to a rep who may not transfer ownership, per record', async () => {
    const id = await createDeal(rep, { name: 'Not yours to give' });
    const r = await bulk(rep, { action: 'update', ids: [id], changes: { owner: other.id } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.refused[0]).toMatchObject({ id, label: 'Not yours to give', code: 'FORBIDDEN' });
  });
});

describe('bulk delete', () => {
  it('moves records to the recycle bin, reports hook refusals and others’ records', async () => {
    const gone = await createDeal(rep, { name: 'Gone' });
    const keep = await createDeal(rep, { name: 'Keep me' });
    const secret = await createDeal(other, { name: 'Olga keeps this' });
    const r = await bulk(rep, { action: 'delete', ids: [gone, keep, secret] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.done).toEqual([gone]);
    const byId = Object.fromEntries(r.body.refused.map((x: { id: string }) => [x.id, x]));
    expect(byId[keep]).toMatchObject({ label: 'Keep me', code: 'CONFLICT', reason: 'This deal stays' });
    expect(byId[secret]).toMatchObject({ label: null, code: 'NOT_FOUND' });
    expect((await rep.api.get(`/api/records/deal/${gone}`)).status).toBe(404);
    expect((await other.api.get(`/api/records/deal/${secret}`)).status).toBe(200);
  });
});
