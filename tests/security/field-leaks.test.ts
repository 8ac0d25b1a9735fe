/**
 * Leaks of fields a user may not read (issue 18), each attack as the reviewer ran it: the approvals
 * inbox, documents made by automations and workflows, scripts' set() and failure details, formulas
 * and roll-ups over hidden fields on every query channel, writes naming hidden fields, and everyone's
 * e-mail addresses.
 */
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const SECRET = 'walrus-undisclosed';
const HOT = 'hot-lead-marker';

let server: TestServer;
let tenant: TestTenant;
type User = { id: string; email: string; api: ApiClient };
let rep: User;
let approver: User;

async function put(path: string, body: unknown): Promise<void> {
  const r = await tenant.api.put(path, body);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
}

/** Runs the outbox (after-commit automations) until nothing is left for this tenant. */
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
  throw new Error('the outbox did not settle');
}

async function pdfText(api: ApiClient, path: string): Promise<string> {
  const res = await fetch(new URL(path, api.baseUrl), { headers: { authorization: `Bearer ${api.token}` } });
  expect(res.status, path).toBe(200);
  const parser = new PDFParse({ data: Buffer.from(await res.arrayBuffer()) });
  const text = (await parser.getText()).text;
  await parser.destroy();
  return text;
}

/** A deal of the rep, with the hidden value set by the admin (who bypasses field security). */
async function repDeal(name: string, amount = 10): Promise<string> {
  const c = await rep.api.post('/api/records/deal', { name, amount });
  expect(c.status, c.text).toBe(201);
  const p = await tenant.api.patch(
    `/api/records/deal/${c.body.id}`,
    { secret: SECRET },
    { headers: { 'if-match': '1' } },
  );
  expect(p.status, p.text).toBe(200);
  return c.body.id;
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'leaks' });
  const dealProperties = {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number' },
    secret: { type: 'string', maxLength: 100 },
    tier: { type: 'string', maxLength: 20 },
  };
  await put('/api/meta/objects/deal', { type: 'object', 'x-label-field': 'name', properties: dealProperties });
  await put('/api/meta/objects/task', {
    title: 'Task',
    type: 'object',
    'x-label-field': 'title',
    properties: {
      title: { type: 'string', maxLength: 100 },
      deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' },
      secret: { type: 'string', maxLength: 100 },
    },
  });
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    'x-search': ['name', 'secret'],
    properties: {
      name: { type: 'string', maxLength: 100 },
      amount: { type: 'number' },
      secret: { type: 'string', maxLength: 100 },
      tier: { type: 'string', maxLength: 20 },
      leak: { type: 'string', 'x-formula': 'record.secret' },
      dump: { type: 'string', 'x-formula': 'JSON.stringify(record)' },
      net: { type: 'number', 'x-formula': 'record.amount * 0.9' },
      hot_tasks: {
        type: 'integer',
        'x-rollup': { object: 'task', via: 'deal', op: 'count', filter: { secret: { eq: HOT } } },
      },
      tasks: { type: 'integer', 'x-rollup': { object: 'task', via: 'deal', op: 'count' } },
    },
    required: ['name'],
  });
  await put('/api/meta/roles/rep', {
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: false, fields: { secret: 'none', tier: 'read' } },
      task: { create: true, read: 'all', update: 'own', delete: false, fields: { secret: 'none' } },
    },
  });
  await put('/api/meta/roles/approver', { objects: { task: { read: 'all' } } });
  const addUser = async (roles: string[], name: string): Promise<User> => {
    const u = await tenant.addUser({ roles, name });
    return { id: u.id, email: u.email, api: u.api };
  };
  rep = await addUser(['rep'], 'Rita Rep');
  approver = await addUser(['approver'], 'Abe Approver');
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
  await server?.close();
});

describe('formulas and roll-ups over hidden fields', () => {
  let id: string;
  beforeAll(async () => {
    id = await repDeal('Formula deal', 100);
    for (const secret of [HOT, 'cold']) {
      const t = await tenant.api.post('/api/records/task', { title: `t ${secret}`, deal: id, secret });
      expect(t.status, t.text).toBe(201);
    }
    const row = await tenant.api.get(`/api/records/deal/${id}`);
    expect(row.body).toMatchObject({ leak: SECRET, net: 90, hot_tasks: 1, tasks: 2 });
    expect(row.body.dump).toContain(SECRET);
  });

  it('a formula or roll-up reading a hidden field is hidden itself: never answered', async () => {
    const one = await rep.api.get(`/api/records/deal/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ net: 90, tasks: 2 });
    for (const f of ['leak', 'dump', 'hot_tasks', 'secret']) expect(one.body).not.toHaveProperty(f);
    const list = await rep.api.get('/api/records/deal');
    expect(list.text).not.toContain(SECRET);
    expect(list.text).not.toMatch(/"(leak|dump|hot_tasks)"/);
  });

  it('cannot be filtered, sorted, searched, projected, grouped, summed or exported', async () => {
    const refused = [
      { filter: JSON.stringify({ leak: { eq: SECRET } }) },
      { filter: JSON.stringify({ leak: { startsWith: 'w' } }) },
      { filter: JSON.stringify({ hot_tasks: { gte: 1 } }) },
      { filter: JSON.stringify({ dump: { contains: SECRET } }) },
      { sort: 'leak' },
      { sort: '-hot_tasks' },
      { fields: 'name,leak' },
    ];
    for (const query of refused) {
      const r = await rep.api.get('/api/records/deal', { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.text).not.toContain(SECRET);
    }
    const q = await rep.api.get('/api/records/deal', { query: { q: SECRET } });
    expect(q.status).toBe(200);
    expect(q.body.items).toEqual([]);
    for (const query of [{ groupBy: 'leak' }, { groupBy: 'hot_tasks' }, { sum: 'hot_tasks' }, { max: 'hot_tasks' }]) {
      const r = await rep.api.get('/api/records/deal/aggregate', { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
    }
    expect((await rep.api.get('/api/records/deal/export', { query: { fields: 'name,leak' } })).status).toBe(400);
    const csv = await rep.api.get('/api/records/deal/export');
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(SECRET);
    expect(csv.text.split(/\r?\n/)[0]).not.toMatch(/leak|dump|hot_tasks/);
    // Script query() is the same list.
    await put('/api/meta/scripts/probe_leak', {
      object: 'task',
      event: 'validate',
      code: "if (record.title === 'probe') { const d = await query('deal', { leak: { eq: 'x' } }); }",
    });
    try {
      const r = await rep.api.post('/api/records/task', { title: 'probe' });
      expect(r.status).toBe(422);
      expect(r.body.error.message).toMatch(/unknown field/);
    } finally {
      await tenant.api.delete('/api/meta/scripts/probe_leak');
    }
  });

  it('/api/meta/app does not show the rep definitions naming hidden fields', async () => {
    const app = await rep.api.get('/api/meta/app');
    expect(app.status).toBe(200);
    const deal = app.body.objects.deal;
    expect(Object.keys(deal.properties).sort()).toEqual(
      expect.arrayContaining(['amount', 'name', 'net', 'tasks', 'tier']),
    );
    for (const f of ['secret', 'leak', 'dump', 'hot_tasks']) expect(deal.properties).not.toHaveProperty(f);
    expect(deal['x-search']).toEqual(['name']);
    expect(JSON.stringify(app.body)).not.toMatch(/record\.secret|"secret"|JSON\.stringify/);
  });
});

describe('writes naming hidden fields', () => {
  it('answer exactly as for a field the object does not have (400), on create and update', async () => {
    const hidden = await rep.api.post('/api/records/deal', { name: 'w', secret: 'x' });
    const unknown = await rep.api.post('/api/records/deal', { name: 'w', no_such_field: 'x' });
    expect(hidden.status).toBe(400);
    expect(unknown.status).toBe(400);
    // The coded form (issue 21) says the same as for a field that does not exist.
    expect(unknown.body.error.details).toEqual({ fieldErrors: { no_such_field: { code: 'unknown_field' } } });
    expect(hidden.body.error).toEqual({
      code: unknown.body.error.code,
      message: unknown.body.error.message,
      fields: { secret: 'Unknown field' },
      details: { fieldErrors: { secret: { code: 'unknown_field' } } },
    });
    const id = await repDeal('Patch me');
    const patch = await rep.api.patch(`/api/records/deal/${id}`, { secret: 'x' });
    const patchUnknown = await rep.api.patch(`/api/records/deal/${id}`, { no_such_field: 'x' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toBe(patchUnknown.body.error.message);
    expect(patch.body.error.fields).toEqual({ secret: 'Unknown field' });
    // A field the rep may read but not edit still answers 403, naming it.
    const readOnly = await rep.api.patch(`/api/records/deal/${id}`, { tier: 'gold' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error.fields).toEqual({ tier: 'You may not edit this field' });
  });
});

describe('users', () => {
  it('non-admins list names and ids only, and expanded users carry no e-mail address', async () => {
    const list = await rep.api.get('/api/users');
    expect(list.status).toBe(200);
    for (const u of list.body.items) expect(Object.keys(u).sort()).toEqual(['id', 'name']);
    expect(list.text).not.toContain('@');
    await repDeal('Expand owner');
    const expanded = await rep.api.get('/api/records/deal', { query: { expand: 'owner' } });
    expect(expanded.status).toBe(200);
    expect(expanded.body.items[0].owner).toEqual({ id: rep.id, name: 'Rita Rep' });
    expect(expanded.text).not.toContain('@');
    // Nor can they be guessed a letter at a time through a filter.
    const byEmail = { filter: JSON.stringify({ 'owner.email': { startsWith: rep.email.slice(0, 3) } }) };
    expect((await rep.api.get('/api/records/deal', { query: byEmail })).status).toBe(400);
    expect(
      (
        await rep.api.get('/api/records/deal', {
          query: { filter: JSON.stringify({ 'owner.name': { eq: 'Rita Rep' } }) },
        })
      ).status,
    ).toBe(200);
    expect((await tenant.api.get('/api/records/deal', { query: byEmail })).status).toBe(200);
    const admin = await tenant.api.get('/api/users');
    expect(admin.body.items.some((u: { email?: string }) => u.email === rep.email)).toBe(true);
  });
});

describe('scripts', () => {
  beforeAll(async () => {
    await put('/api/meta/scripts/deal_tier', {
      object: 'deal',
      event: 'beforeSave',
      code: "if (record.amount > 1000) set('tier', 'gold');\nif (record.name === 'spill') set('secret', 'spilled');",
    });
    await put('/api/meta/scripts/deal_debug', {
      object: 'deal',
      event: 'validate',
      code: "if (record.name === 'boom') { log('secret is', record.secret); throw new Error('boom'); }",
    });
    await put('/api/meta/scripts/deal_touch', {
      object: 'deal',
      event: 'action',
      code: "log('pressed on', record.name); return 'ok';",
    });
  });
  afterAll(async () => {
    for (const s of ['deal_tier', 'deal_debug', 'deal_touch']) await tenant.api.delete(`/api/meta/scripts/${s}`);
  });

  it('set() cannot change a field the saving user may not edit (403), nor a hidden one (unnamed)', async () => {
    const gold = await rep.api.post('/api/records/deal', { name: 'Big one', amount: 5000 });
    expect(gold.status, gold.text).toBe(403);
    expect(gold.body.error.fields).toEqual({ tier: expect.any(String) });
    const spill = await rep.api.post('/api/records/deal', { name: 'spill', amount: 1 });
    expect(spill.status, spill.text).toBe(403);
    expect(spill.text).not.toMatch(/secret/);
    const small = await rep.api.post('/api/records/deal', { name: 'Small one', amount: 5 });
    expect(small.status, small.text).toBe(201);
    // The same scripts write freely for a user who may edit those fields.
    const admin = await tenant.api.post('/api/records/deal', { name: 'Big one', amount: 5000 });
    expect(admin.status).toBe(201);
    expect(admin.body.tier).toBe('gold');
    // Setting a protected field to the value it already has is no change: the rep's save goes through.
    const id = await repDeal('Keep tier', 5);
    const raised = await tenant.api.patch(`/api/records/deal/${id}`, { amount: 5000 });
    expect(raised.body.tier).toBe('gold');
    const renamed = await rep.api.patch(`/api/records/deal/${id}`, { name: 'Renamed' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed', tier: 'gold' });
  });

  it('a failing script’s logs go to admins only; the user gets its message', async () => {
    const id = await repDeal('Debug me');
    const r = await rep.api.patch(`/api/records/deal/${id}`, { name: 'boom' });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/boom/);
    expect(r.body.error.details).not.toHaveProperty('logs');
    expect(r.text).not.toContain(SECRET);
    const admin = await tenant.api.patch(`/api/records/deal/${id}`, { name: 'boom' });
    expect(admin.status).toBe(422);
    expect(admin.body.error.details.logs).toEqual([`[deal_debug] secret is ${SECRET}`]);
  });

  it('an action answers its result to the user, its logs to admins', async () => {
    const id = await repDeal('Press me');
    const r = await rep.api.post(`/api/records/deal/${id}/actions/deal_touch`, {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ result: 'ok', logs: [] });
    const admin = await tenant.api.post(`/api/records/deal/${id}/actions/deal_touch`, {});
    expect(admin.body.logs).toEqual(['[deal_touch] pressed on Press me']);
  });
});

describe('documents made by automations and workflows', () => {
  beforeAll(async () => {
    const t = await tenant.api.put('/api/print-templates/deal/summary', {
      html: '<h1>{{name}}</h1><p>Secret: {{secret}}</p><p>Amount: {{amount}}</p>',
    });
    expect(t.status, t.text).toBe(200);
  });

  it('an automation’s document is rendered as the user whose save caused it', async () => {
    await put('/api/meta/automations/deal_pdf', {
      label: 'PDF on amount change',
      object: 'deal',
      trigger: { on: 'update', fields: ['amount'] },
      actions: [{ type: 'document', template: 'summary', fileName: 'summary' }],
    });
    try {
      const id = await repDeal('Automated paper');
      await settle();
      const before = await tenant.api.get(`/api/records/deal/${id}/files`);
      const p = await rep.api.patch(`/api/records/deal/${id}`, { amount: 77 });
      expect(p.status, p.text).toBe(200);
      await settle();
      const files = await tenant.api.get(`/api/records/deal/${id}/files`);
      const made = files.body.items.filter(
        (f: { id: string }) => !before.body.items.some((b: { id: string }) => b.id === f.id),
      );
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ name: 'summary.pdf', createdBy: rep.id });
      const text = await pdfText(rep.api, `/api/records/deal/${id}/files/${made[0].id}`);
      expect(text).toContain('Automated paper');
      expect(text).toContain('77');
      expect(text).not.toContain(SECRET);
    } finally {
      await tenant.api.delete('/api/meta/automations/deal_pdf');
    }
  });

  describe('approvals', () => {
    beforeAll(async () => {
      await put('/api/meta/workflows/deal_review', {
        object: 'deal',
        label: 'Deal review',
        trigger: { on: 'submit' },
        nodes: [
          { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
          {
            id: 'review',
            type: 'approval',
            position: { x: 0, y: 100 },
            data: { label: 'Review', approvers: [{ role: 'approver' }], mode: 'any', show: ['amount'] },
          },
          { id: 'paper', type: 'action', position: { x: 0, y: 150 }, data: { document: 'summary' } },
          { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
          { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'review' },
          { id: 'e2', source: 'review', target: 'paper', data: { outcome: 'approved' } },
          { id: 'e3', source: 'paper', target: 'ok' },
          { id: 'e4', source: 'review', target: 'ko', data: { outcome: 'rejected' } },
        ],
      });
    });

    it('a workflow step’s document is rendered as its submitter, whoever decides the step', async () => {
      const id = await repDeal('Workflow paper', 31);
      const s = await rep.api.post(`/api/records/deal/${id}/submit`, {});
      expect(s.status, s.text).toBe(201);
      // The approver may not read deals at all: deciding is their right, the document is the submitter's.
      const inbox = await approver.api.get('/api/approvals/inbox');
      const task = inbox.body.items.find((i: { record: string }) => i.record === id).task;
      expect((await approver.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(200);
      const files = await tenant.api.get(`/api/records/deal/${id}/files`);
      expect(files.body.items).toHaveLength(1);
      expect(files.body.items[0].createdBy).toBe(rep.id);
      const text = await pdfText(tenant.api, `/api/records/deal/${id}/files/${files.body.items[0].id}`);
      expect(text).toContain('Workflow paper');
      expect(text).not.toContain(SECRET);
    });

    it('the inbox shows an approver without read on the object the label and the step’s fields only', async () => {
      const id = await repDeal('Inbox deal', 4321);
      expect((await rep.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
      const inbox = await approver.api.get('/api/approvals/inbox');
      expect(inbox.status).toBe(200);
      const item = inbox.body.items.find((i: { record: string }) => i.record === id);
      expect(item).toBeTruthy();
      expect(item.recordLabel).toBe('Inbox deal');
      expect(item.fields).toEqual({ name: 'Inbox deal', amount: 4321 });
      expect(inbox.text).not.toContain(SECRET);
      expect(inbox.text).not.toMatch(/"(secret|leak|dump|tier|owner)"/);
      // Deciding needs no read access; reading the record still does.
      expect((await approver.api.get(`/api/records/deal/${id}`)).status).toBe(404);
      const ok = await approver.api.post(`/api/approvals/tasks/${item.task}/approve`, {});
      expect(ok.status, ok.text).toBe(200);
    });
  });
});
