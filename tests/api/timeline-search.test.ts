import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * A record's activity timeline (`GET /api/records/:object/:id/timeline`) and the global search
 * (`GET /api/search`): what each source contributes, paging, names, and what a scoped user may not
 * see through either (rows outside their scope, fields hidden from them, activities of others).
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let nobody: Awaited<ReturnType<TestTenant['addUser']>>;
let acme: string;
let globex: string;
let adminDeal: string;
let repDeal: string;

const SECRET = 'zebrafish-7781';

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'timeline' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, `${path}: ${r.text}`).toBe(200);
  };
  await put('/api/meta/objects/account', {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 }, city: { type: 'string', maxLength: 100 } },
    required: ['name'],
  });
  await put('/api/meta/objects/deal', {
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 100 },
      stage: { type: 'string', enum: ['new', 'won', 'lost'] },
      secret: { type: 'string', maxLength: 100 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    },
    required: ['name'],
  });
  await put('/api/meta/objects/activity', {
    type: 'object',
    'x-label-field': 'subject',
    'x-timeline': true,
    properties: {
      subject: { type: 'string', maxLength: 100 },
      deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    },
  });
  await put('/api/meta/workflows/review', {
    object: 'deal',
    label: 'Review',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'n_7f3a',
        type: 'approval',
        position: { x: 0, y: 100 },
        data: { label: 'Manager review', approvers: [{ user: tenant.admin.id }], mode: 'any' },
      },
      { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
      { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'n_7f3a' },
      { id: 'e2', source: 'n_7f3a', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'n_7f3a', target: 'ko', data: { outcome: 'rejected' } },
    ],
  });
  await put('/api/meta/roles/rep', {
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: 'own', fields: { secret: 'none' } },
      account: { read: 'all' },
      activity: { create: true, read: 'own', update: 'own' },
    },
  });
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rita Rep' });
  nobody = await tenant.addUser({ roles: [], name: 'Nora Nobody' });

  const a = tenant.api;
  acme = (await a.post('/api/records/account', { name: 'Acme Rockets', city: 'Shanghai' })).body.id;
  globex = (await a.post('/api/records/account', { name: 'Globex 100%_off', city: 'Beijing' })).body.id;
  const d = await a.post('/api/records/deal', { name: 'Acme big order', stage: 'new', account: acme });
  adminDeal = d.body.id;
  const u = await a.patch(`/api/records/deal/${adminDeal}`, { stage: 'won', account: globex, secret: SECRET });
  expect(u.status, u.text).toBe(200);
  expect((await a.post('/api/records/activity', { subject: 'Call with Acme', deal: adminDeal })).status).toBe(201);
  const file = await a.request('POST', `/api/records/deal/${adminDeal}/files`, {
    raw: 'hello',
    headers: { 'content-type': 'text/plain' },
    query: { name: 'notes.txt' },
  });
  expect(file.status, file.text).toBe(201);
  // An e-mail queued about the record (what a mail merge writes to the outbox).
  await server.runtime.db
    .withSchema(`t_${tenant.id}`)
    .insert({
      to_address: 'buyer@example.com',
      subject: 'Your quote',
      body: 'Hello',
      created_at: new Date(),
      object: 'deal',
      record_id: adminDeal,
      created_by: tenant.admin.id,
    })
    .into('_email_outbox');
  const sub = await a.post(`/api/records/deal/${adminDeal}/submit`, { comment: 'Please look' });
  expect(sub.status, sub.text).toBe(201);

  repDeal = (await rep.api.post('/api/records/deal', { name: 'Rep own deal', account: acme })).body.id;
  // The admin writes the hidden field and logs an activity on the rep's deal.
  expect((await a.patch(`/api/records/deal/${repDeal}`, { secret: SECRET, stage: 'won' })).status).toBe(200);
  expect((await a.post('/api/records/activity', { subject: 'Admin private note', deal: repDeal })).status).toBe(201);
  expect((await rep.api.post('/api/records/activity', { subject: 'Rep call', deal: repDeal })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  if (tenant) await server.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
  await server?.close();
});

describe('GET /api/records/:object/:id/timeline', () => {
  it('lists changes, approvals, activities, e-mails and files, newest first, with names', async () => {
    const r = await tenant.api.get(`/api/records/deal/${adminDeal}/timeline`);
    expect(r.status, r.text).toBe(200);
    const items = r.body.items as Array<Record<string, any>>;
    const one = (kind: string) => items.find((i) => i.kind === kind) as Record<string, any>;
    const kinds = new Set(items.map((i) => i.kind));
    expect([...kinds].sort()).toEqual(['activity', 'approval', 'change', 'email', 'file']);
    const times = items.map((i) => Date.parse(i.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const update = items.find((i) => i.kind === 'change' && i.changes.account) as Record<string, any>;
    expect(update.changes.account).toEqual([acme, globex]);
    expect(update.user).toEqual({ id: tenant.admin.id, name: 'Admin' });
    expect(r.body.names[acme]).toBe('Acme Rockets');
    expect(r.body.names[globex]).toBe('Globex 100%_off');
    const submit = items.find((i) => i.kind === 'approval' && i.action === 'submitted') as Record<string, any>;
    expect(submit.approval).toMatchObject({ workflow: 'review', comment: 'Please look' });
    // The step a task waits in is named by its label, never by the node id.
    expect(r.text).not.toContain('n_7f3a');
    const activity = items.find((i) => i.kind === 'activity') as Record<string, any>;
    expect(activity.activity.object).toBe('activity');
    expect(activity.activity.record.subject).toBe('Call with Acme');
    expect(activity.user.name).toBe('Admin');
    expect(one('email').email).toEqual({ subject: 'Your quote', sent: false });
    expect(one('file').file).toMatchObject({ name: 'notes.txt', size: 5 });
    expect(r.text).not.toContain('buyer@example.com');
  });

  it('pages through every entry once with the next cursor', async () => {
    const all = await tenant.api.get(`/api/records/deal/${adminDeal}/timeline`, { query: { limit: 100 } });
    const seen: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await tenant.api.get(`/api/records/deal/${adminDeal}/timeline`, { query: { limit: 2, before } });
      expect(r.status, r.text).toBe(200);
      seen.push(...r.body.items.map((e: { key: string }) => e.key));
      if (!r.body.next) break;
      before = r.body.next;
    }
    expect(seen).toEqual(all.body.items.map((e: { key: string }) => e.key));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("shows a scoped user their record's timeline without hidden fields or others' private activities", async () => {
    const r = await rep.api.get(`/api/records/deal/${repDeal}/timeline`);
    expect(r.status, r.text).toBe(200);
    expect(r.text).not.toContain(SECRET);
    const changes = r.body.items.filter((i: { kind: string }) => i.kind === 'change');
    expect(changes.some((c: { changes: Record<string, unknown> }) => 'stage' in c.changes)).toBe(true);
    for (const c of changes) expect(Object.keys(c.changes)).not.toContain('secret');
    const subjects = r.body.items
      .filter((i: { kind: string }) => i.kind === 'activity')
      .map((i: { activity: { record: { subject: string } } }) => i.activity.record.subject);
    expect(subjects).toEqual(['Rep call']);
    expect(r.body.names[acme]).toBe('Acme Rockets');
  });

  it('answers 404 for records outside the read scope, unknown objects and malformed ids', async () => {
    for (const [api, path] of [
      [rep.api, `/api/records/deal/${adminDeal}/timeline`],
      [nobody.api, `/api/records/deal/${repDeal}/timeline`],
      [tenant.api, `/api/records/nope/${adminDeal}/timeline`],
      [tenant.api, '/api/records/deal/not-a-uuid/timeline'],
      [tenant.api, `/api/records/deal/${crypto.randomUUID()}/timeline`],
    ] as const) {
      const r = await api.get(path);
      expect(r.status, `${path}: ${r.text}`).toBe(404);
      expect(r.text).not.toContain('Acme');
    }
  });

  it('refuses a bad cursor or page size with 400', async () => {
    for (const query of [{ before: 'garbage' }, { before: "'; drop table _audit; --" }, { limit: 0 }, { limit: 101 }]) {
      const r = await tenant.api.get(`/api/records/deal/${adminDeal}/timeline`, { query });
      expect(r.status, `${JSON.stringify(query)}: ${r.text}`).toBe(400);
      expect(r.body.error.code).toBe('BAD_REQUEST');
    }
  });
});

describe('GET /api/search', () => {
  it('finds records by label and searchable fields, grouped by object', async () => {
    const r = await tenant.api.get('/api/search', { query: { q: 'acme' } });
    expect(r.status, r.text).toBe(200);
    const groups = Object.fromEntries(
      r.body.groups.map((g: { object: string; items: { label: string }[] }) => [g.object, g.items.map((i) => i.label)]),
    );
    expect(groups.account).toEqual(['Acme Rockets']);
    expect(groups.deal).toEqual(['Acme big order']);
    expect(groups.activity).toEqual(['Call with Acme']);
    expect(r.body.partial).toBe(false);
    const byCity = await tenant.api.get('/api/search', { query: { q: 'shanghai' } });
    expect(byCity.body.groups[0].items[0]).toMatchObject({
      id: acme,
      label: 'Acme Rockets',
      match: { field: 'city', value: 'Shanghai' },
    });
  });

  it('every word must match; the per-object limit says when there is more', async () => {
    const r = await tenant.api.get('/api/search', { query: { q: 'acme order' } });
    expect(r.body.groups.map((g: { object: string }) => g.object)).toEqual(['deal']);
    const limited = await tenant.api.get('/api/search', { query: { q: 'acme', limit: 1 } });
    expect(limited.status).toBe(200);
    for (const g of limited.body.groups) expect(g.items.length).toBeLessThanOrEqual(1);
  });

  it('respects row scope and field security', async () => {
    const r = await rep.api.get('/api/search', { query: { q: 'deal' } });
    expect(r.status, r.text).toBe(200);
    const deals = r.body.groups.find((g: { object: string }) => g.object === 'deal');
    expect(deals.items.map((i: { label: string }) => i.label)).toEqual(['Rep own deal']);
    // The hidden field is neither searched nor answered.
    const secret = await rep.api.get('/api/search', { query: { q: SECRET } });
    expect(secret.body.groups).toEqual([]);
    expect((await tenant.api.get('/api/search', { query: { q: SECRET } })).body.groups[0].object).toBe('deal');
    const none = await nobody.api.get('/api/search', { query: { q: 'acme' } });
    expect(none.status).toBe(200);
    expect(none.body.groups).toEqual([]);
  });

  it('treats wildcards, quotes and SQL as plain text', async () => {
    const pct = await tenant.api.get('/api/search', { query: { q: '100%_off' } });
    expect(pct.body.groups.map((g: { items: { id: string }[] }) => g.items[0]?.id)).toEqual([globex]);
    for (const q of ["%' or 1=1 --", '%%', '__', "x'); drop table _audit; --", '\\\\', '{"$ne":null}']) {
      const r = await tenant.api.get('/api/search', { query: { q } });
      expect(r.status, `${q}: ${r.text}`).toBe(200);
      expect(r.body.groups, q).toEqual([]);
    }
    const history = await tenant.api.get(`/api/records/deal/${adminDeal}/history`);
    expect(history.status).toBe(200);
  });

  it('refuses missing, too short or too long text and a bad limit with 400', async () => {
    for (const query of [
      {},
      { q: 'a' },
      { q: '   ' },
      { q: 'x'.repeat(101) },
      { q: 'acme', limit: 0 },
      { q: 'acme', limit: 99 },
    ]) {
      const r = await tenant.api.get('/api/search', { query });
      expect(r.status, `${JSON.stringify(query)}: ${r.text}`).toBe(400);
    }
    expect((await server.anon.get('/api/search', { query: { q: 'acme' } })).status).toBe(401);
  });
});
