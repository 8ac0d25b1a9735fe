import { ManualClock } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** The two-level "large deal" workflow of shared/API.md, as data. */
const largeDeal = {
  object: 'deal',
  label: 'Large deal approval',
  trigger: { on: 'submit', condition: 'record.amount > 100000' },
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'mgr',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: {
        label: 'Manager',
        approvers: [{ managerOf: 'submitter' }],
        mode: 'any',
        escalation: { after: 'PT48H', to: { role: 'director' } },
      },
    },
    { id: 'big', type: 'condition', position: { x: 0, y: 200 }, data: {} },
    {
      id: 'dir',
      type: 'approval',
      position: { x: 0, y: 300 },
      data: { label: 'Director', approvers: [{ role: 'director' }], mode: 'any' },
    },
    { id: 'won', type: 'end', position: { x: 0, y: 400 }, data: { outcome: 'approved', set: { stage: 'won' } } },
    { id: 'no', type: 'end', position: { x: 200, y: 400 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'big', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
    { id: 'e4', source: 'big', target: 'dir', data: { condition: 'record.amount > 500000' } },
    { id: 'e5', source: 'big', target: 'won', data: { default: true } },
    { id: 'e6', source: 'dir', target: 'won', data: { outcome: 'approved' } },
    { id: 'e7', source: 'dir', target: 'no', data: { outcome: 'rejected' } },
  ],
};

/** A one-step `all` workflow for expenses: both finance users must approve. */
const expenseAll = (approvers: string[]) => ({
  object: 'expense',
  label: 'Expense',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'fin',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: { label: 'Finance', approvers: approvers.map((user) => ({ user })), mode: 'all' },
    },
    { id: 'paid', type: 'action', position: { x: 0, y: 150 }, data: { set: { paid: true } } },
    { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
    { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'fin' },
    { id: 'b', source: 'fin', target: 'paid', data: { outcome: 'approved' } },
    { id: 'b2', source: 'paid', target: 'ok' },
    { id: 'c', source: 'fin', target: 'ko', data: { outcome: 'rejected' } },
  ],
});

type User = { id: string; api: ApiClient };

let server: TestServer;
let tenant: TestTenant;
// In the future: real server processes of other test files sweep every tenant's due escalations with
// the real time, so a task due on a past date here would be escalated under this file's feet.
const clock = new ManualClock('2036-03-03T09:00:00Z');
let director: User;
let director2: User;
let manager: User;
let rep: User;
let fin1: User;
let fin2: User;

async function insert(object: string, values: Record<string, unknown>, owner = rep.id): Promise<string> {
  const [row] = await server.runtime.db
    .withSchema(`t_${tenant.id}`)
    .insert({ ...values, owner, created_by: owner })
    .into(object)
    .returning('id');
  return String(row.id);
}

async function record(object: string, id: string): Promise<Record<string, unknown>> {
  return server.runtime.db.withSchema(`t_${tenant.id}`).from(object).where({ id }).first();
}

async function taskOf(user: User, recordId: string): Promise<string> {
  const r = await user.api.get('/api/approvals/inbox');
  expect(r.status, r.text).toBe(200);
  const item = r.body.items.find((i: { record: string }) => i.record === recordId);
  expect(item, `no task for ${recordId}`).toBeTruthy();
  return item.task;
}

beforeAll(async () => {
  server = await startTestServer({ clock });
  tenant = await createTestTenant(server, { prefix: 'appr' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
      stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'], default: 'new' },
      reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
    required: ['name', 'amount'],
  });
  await put('/api/meta/objects/expense', {
    title: 'Expense',
    type: 'object',
    properties: { label: { type: 'string', maxLength: 200 }, total: { type: 'number' }, paid: { type: 'boolean' } },
  });
  const dealGrant = { create: true, read: 'own', update: 'own', delete: false };
  await put('/api/meta/roles/sales_rep', { label: 'Rep', objects: { deal: dealGrant, expense: dealGrant } });
  await put('/api/meta/roles/sales_manager', { label: 'Manager', objects: { deal: { read: 'subordinates' } } });
  // Directors may read deals but not edit them, and never see the amount: deciding is still theirs.
  await put('/api/meta/roles/director', {
    label: 'Director',
    objects: { deal: { read: 'all', update: false, fields: { amount: 'none' } } },
  });
  await put('/api/meta/roles/finance', { label: 'Finance', objects: { expense: { read: 'all' } } });
  director = await tenant.addUser({ roles: ['director'], name: 'Dora Director' });
  director2 = await tenant.addUser({ roles: ['director'], name: 'Dan Director' });
  manager = await tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager', manager: director.id });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
  fin1 = await tenant.addUser({ roles: ['finance'] });
  fin2 = await tenant.addUser({ roles: ['finance'] });
  await put('/api/meta/workflows/large_deal', largeDeal);
  await put('/api/meta/workflows/expense_all', expenseAll([fin1.id, fin2.id]));
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('workflow definitions', () => {
  const broken = (patch: (w: typeof largeDeal) => void) => {
    const w = structuredClone(largeDeal);
    patch(w);
    return w;
  };
  const refused = async (w: unknown) => {
    const r = await tenant.api.put('/api/meta/workflows/broken', w);
    expect(r.status, r.text).toBe(400);
    if (process.env.WF_DEBUG) console.log(JSON.stringify(r.body.error.details));
    return JSON.stringify(r.body.error.details);
  };

  it('refuses an approval without both outcomes, naming the node', async () => {
    const text = await refused(broken((w) => (w.edges = w.edges.filter((e) => e.id !== 'e7'))));
    expect(text).toContain('[dir]');
    expect(text).toContain('rejected');
  });

  it('refuses unreachable nodes and dead ends', async () => {
    const w = broken((w) => {
      w.nodes.push({ id: 'orphan', type: 'end', position: { x: 0, y: 0 }, data: { outcome: 'approved' } } as never);
      w.nodes.push({ id: 'stuck', type: 'condition', position: { x: 0, y: 0 }, data: {} } as never);
      w.edges.push({ id: 'e8', source: 'big', target: 'stuck', data: { condition: 'true' } } as never);
    });
    const text = await refused(w);
    expect(text).toContain('orphan');
    expect(text).toContain('unreachable');
    expect(text).toContain('[stuck]');
    expect(text).toContain('dead end');
  });

  it('refuses a condition without default, unknown roles, fields, users and bad expressions', async () => {
    const w = broken((w) => {
      w.edges = w.edges.filter((e) => e.id !== 'e5');
      w.edges.push({ id: 'e5b', source: 'big', target: 'won', data: { condition: 'record.amount >' } } as never);
      const dir = w.nodes.find((n) => n.id === 'dir') as { data: { approvers: unknown[] } };
      dir.data.approvers = [
        { role: 'nobody_has_this' },
        { field: 'name' },
        { field: 'ghost' },
        { user: '00000000-0000-4000-8000-000000000001' },
      ];
      w.trigger.condition = 'record.amount >>> ;';
    });
    const text = await refused(w);
    expect(text).toContain('a condition needs exactly one default edge');
    expect(text).toContain('unknown role');
    expect(text).toContain('is not a user lookup');
    expect(text).toContain('unknown field');
    expect(text).toContain('unknown or inactive user');
    expect(text).toContain('trigger condition');
    expect(text).toContain('e5b');
  });

  it('refuses fields an end node cannot set, and structural nonsense', async () => {
    const w = broken((w) => {
      (w.nodes.find((n) => n.id === 'won') as { data: Record<string, unknown> }).data.set = {
        stage: 'bogus',
        approval_status: 'approved',
      };
    });
    expect(await refused(w)).toContain('read-only');
    const bad = await tenant.api.put('/api/meta/workflows/broken', {
      object: 'deal',
      label: 'x',
      nodes: 'no',
      edges: [],
    });
    expect(bad.status).toBe(400);
    const unknownObject = await tenant.api.put('/api/meta/workflows/broken', { ...largeDeal, object: 'nope' });
    expect(unknownObject.status).toBe(400);
    const malformed = await tenant.api.put('/api/meta/workflows/broken', undefined, { raw: '{"object":' });
    expect(malformed.status).toBe(400);
  });

  it('is for admins only', async () => {
    expect((await rep.api.put('/api/meta/workflows/mine', largeDeal)).status).toBe(403);
  });
});

describe('the large deal workflow, end to end', () => {
  it('runs rep → manager → director for a large deal and marks it won', async () => {
    const id = await insert('deal', { name: 'Mega', amount: 600000 });
    const submitted = await rep.api.post(`/api/records/deal/${id}/submit`, { comment: 'please' });
    expect(submitted.status, submitted.text).toBe(201);
    expect(submitted.body.instance).toMatchObject({ status: 'pending', step: 'mgr', workflow: 'large_deal' });
    expect(await record('deal', id)).toMatchObject({ approval_status: 'pending' });

    // Not the rep's task, nor the director's yet.
    const mgrTask = await taskOf(manager, id);
    expect((await rep.api.post(`/api/approvals/tasks/${mgrTask}/approve`, {})).status).toBe(404);
    expect((await director.api.post(`/api/approvals/tasks/${mgrTask}/approve`, {})).status).toBe(404);

    const approved = await manager.api.post(`/api/approvals/tasks/${mgrTask}/approve`, { comment: 'fine' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.instance).toMatchObject({ status: 'pending', step: 'dir' });
    expect((await manager.api.post(`/api/approvals/tasks/${mgrTask}/approve`, {})).status).toBe(409);

    // The director may not edit deals nor see amounts, and still decides.
    const inbox = await director.api.get('/api/approvals/inbox');
    const item = inbox.body.items.find((i: { record: string }) => i.record === id);
    expect(item).toMatchObject({ object: 'deal', step: 'dir', stepLabel: 'Director', submittedBy: { id: rep.id } });
    expect(item.fields.name).toBe('Mega');
    expect(item.fields).not.toHaveProperty('amount');
    const done = await director.api.post(`/api/approvals/tasks/${item.task}/approve`, {});
    expect(done.status, done.text).toBe(200);
    expect(done.body.instance).toMatchObject({ status: 'approved', step: 'won' });
    expect(await record('deal', id)).toMatchObject({ approval_status: 'approved', stage: 'won' });

    // The other director's task was cancelled when the first decided.
    expect(
      (await director2.api.get('/api/approvals/inbox')).body.items.some((i: { record: string }) => i.record === id),
    ).toBe(false);

    const history = await rep.api.get(`/api/records/deal/${id}/approvals`);
    expect(history.status, history.text).toBe(200);
    const [instance] = history.body.items;
    expect(instance.history.map((h: { action: string }) => h.action)).toEqual([
      'submitted',
      'approved',
      'branch',
      'approved',
      'completed',
    ]);
    expect(instance.history[1]).toMatchObject({ user: { id: manager.id }, comment: 'fine', step: 'mgr' });
    expect(instance.tasks.filter((t: { status: string }) => t.status === 'cancelled')).toHaveLength(1);

    const notes = await rep.api.get('/api/notifications');
    expect(notes.body.items[0]).toMatchObject({ kind: 'approval.approved' });
  });

  it('skips the director below the threshold', async () => {
    const id = await insert('deal', { name: 'Mid', amount: 200000 });
    expect((await rep.api.post(`/api/records/deal/${id}/submit`)).status).toBe(201);
    const r = await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, id)}/approve`);
    expect(r.body.instance).toMatchObject({ status: 'approved', step: 'won' });
  });

  it('refuses a deal that meets no trigger, and a second submit', async () => {
    const small = await insert('deal', { name: 'Small', amount: 5000 });
    const none = await rep.api.post(`/api/records/deal/${small}/submit`, {});
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('BAD_REQUEST');
    expect(await record('deal', small)).toMatchObject({ approval_status: 'none' });

    const id = await insert('deal', { name: 'Twice', amount: 150000 });
    const [a, b] = await Promise.all([
      rep.api.post(`/api/records/deal/${id}/submit`),
      rep.api.post(`/api/records/deal/${id}/submit`),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
  });

  it('rejects with a comment only, and the director can reject', async () => {
    const id = await insert('deal', { name: 'Risky', amount: 900000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, id)}/approve`);
    const task = await taskOf(director, id);
    expect((await director.api.post(`/api/approvals/tasks/${task}/reject`, {})).status).toBe(400);
    expect((await director.api.post(`/api/approvals/tasks/${task}/reject`, { comment: '' })).status).toBe(400);
    expect((await director.api.post(`/api/approvals/tasks/${task}/reject`, { comment: 42 })).status).toBe(400);
    const r = await director.api.post(`/api/approvals/tasks/${task}/reject`, { comment: 'Too risky' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.instance.status).toBe('rejected');
    expect(await record('deal', id)).toMatchObject({ approval_status: 'rejected', stage: 'new' });
    // A rejected deal can be submitted again.
    expect((await rep.api.post(`/api/records/deal/${id}/submit`)).status).toBe(201);
  });

  it('lets the submitter recall, and nobody else', async () => {
    const id = await insert('deal', { name: 'Oops', amount: 300000 });
    const { body } = await rep.api.post(`/api/records/deal/${id}/submit`);
    expect((await manager.api.post(`/api/approvals/instances/${body.instance.id}/recall`)).status).toBe(404);
    const r = await rep.api.post(`/api/approvals/instances/${body.instance.id}/recall`, { comment: 'wrong amount' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.instance.status).toBe('recalled');
    expect(await record('deal', id)).toMatchObject({ approval_status: 'none' });
    expect((await rep.api.post(`/api/approvals/instances/${body.instance.id}/recall`)).status).toBe(409);
    expect(
      (await manager.api.get('/api/approvals/inbox')).body.items.some((i: { record: string }) => i.record === id),
    ).toBe(false);
  });
});

describe('races', () => {
  it('two directors approving one step at once: exactly one wins', async () => {
    const id = await insert('deal', { name: 'Race', amount: 700000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, id)}/approve`);
    const [t1, t2] = [await taskOf(director, id), await taskOf(director2, id)];
    const [a, b] = await Promise.all([
      director.api.post(`/api/approvals/tasks/${t1}/approve`),
      director2.api.post(`/api/approvals/tasks/${t2}/reject`, { comment: 'no' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const { body } = await rep.api.get(`/api/records/deal/${id}/approvals`);
    expect(body.items[0].history.filter((h: { action: string }) => h.action === 'completed')).toHaveLength(1);
  });

  it('the same task decided twice at once: one 200, one 409', async () => {
    const id = await insert('deal', { name: 'Double', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const task = await taskOf(manager, id);
    const results = await Promise.all([1, 2, 3].map(() => manager.api.post(`/api/approvals/tasks/${task}/approve`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('`all` mode with simultaneous decisions advances once', async () => {
    const id = await insert('expense', { label: 'Trip', total: 800 });
    const s = await rep.api.post(`/api/records/expense/${id}/submit`);
    expect(s.status, s.text).toBe(201);
    const [a, b] = await Promise.all([
      fin1.api.post(`/api/approvals/tasks/${await taskOf(fin1, id)}/approve`),
      fin2.api.post(`/api/approvals/tasks/${await taskOf(fin2, id)}/approve`),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const { body } = await rep.api.get(`/api/records/expense/${id}/approvals`);
    const history = body.items[0].history.map((h: { action: string }) => h.action);
    expect(history.filter((h: string) => h === 'action')).toHaveLength(1);
    expect(history.filter((h: string) => h === 'completed')).toHaveLength(1);
    expect(await record('expense', id)).toMatchObject({ approval_status: 'approved', paid: true, version: 4 });
  });

  it('approve racing recall: exactly one of them applies', async () => {
    for (let i = 0; i < 3; i += 1) {
      const id = await insert('deal', { name: `Recall race ${i}`, amount: 150000 });
      const { body } = await rep.api.post(`/api/records/deal/${id}/submit`);
      const task = await taskOf(manager, id);
      const [approve, recall] = await Promise.all([
        manager.api.post(`/api/approvals/tasks/${task}/approve`),
        rep.api.post(`/api/approvals/instances/${body.instance.id}/recall`),
      ]);
      expect([approve.status, recall.status].sort()).toEqual([200, 409]);
      const status = (await record('deal', id)).approval_status;
      expect(status).toBe(approve.status === 200 ? 'approved' : 'none');
    }
  });
});

describe('delegation, escalation, links, notifications', () => {
  it('delegates a task, and routes tasks through dated delegations', async () => {
    const id = await insert('deal', { name: 'Deleg', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const task = await taskOf(manager, id);
    expect((await manager.api.post(`/api/approvals/tasks/${task}/delegate`, { to: manager.id })).status).toBe(400);
    expect((await manager.api.post(`/api/approvals/tasks/${task}/delegate`, { to: 'x' })).status).toBe(400);
    const d = await manager.api.post(`/api/approvals/tasks/${task}/delegate`, { to: director2.id });
    expect(d.status, d.text).toBe(200);
    expect((await manager.api.post(`/api/approvals/tasks/${task}/approve`)).status).toBe(409);
    const t2 = await taskOf(director2, id);
    expect((await director2.api.post(`/api/approvals/tasks/${t2}/approve`)).body.instance.status).toBe('approved');

    // Out of office: the manager's approvals go to director2 this week.
    const ooo = await manager.api.post('/api/approvals/delegations', {
      to: director2.id,
      from: '2036-03-02T00:00:00Z',
      until: '2036-03-09T00:00:00Z',
    });
    expect(ooo.status, ooo.text).toBe(201);
    expect(
      (
        await manager.api.post('/api/approvals/delegations', {
          to: director2.id,
          from: '2036-03-10T00:00:00Z',
          until: '2036-03-02T00:00:00Z',
        })
      ).status,
    ).toBe(400);
    expect((await rep.api.post('/api/approvals/delegations', { to: rep.id, from: 'x', until: 'y' })).status).toBe(400);
    const id2 = await insert('deal', { name: 'Away', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id2}/submit`);
    expect(
      (await director2.api.get('/api/approvals/inbox')).body.items.some((i: { record: string }) => i.record === id2),
    ).toBe(true);
    expect((await manager.api.delete(`/api/approvals/delegations/${ooo.body.id}`)).status).toBe(204);
    expect((await rep.api.delete(`/api/approvals/delegations/${ooo.body.id}`)).status).toBe(404);
  });

  it('escalates a task past its deadline to the directors, once', async () => {
    const id = await insert('deal', { name: 'Slow', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const before = await server.runtime.workflows.escalateDue(
      new Date(clock.now().getTime() + 47 * 3600_000),
      tenant.id,
    );
    expect(before.escalated).toBe(0);
    clock.advance(49 * 3600_000);
    const report = await server.runtime.workflows.escalateDue(clock.now(), tenant.id);
    expect(report.escalated).toBeGreaterThanOrEqual(1);
    expect(report.failed).toBe(0);
    expect((await server.runtime.workflows.escalateDue(clock.now(), tenant.id)).escalated).toBe(0);
    const task = await taskOf(director, id);
    expect((await director.api.post(`/api/approvals/tasks/${task}/approve`)).body.instance.status).toBe('approved');
    const { body } = await rep.api.get(`/api/records/deal/${id}/approvals`);
    // Once: the second sweep above found nothing more, and this deal's history holds one escalation.
    expect(body.items[0].history.filter((h: { action: string }) => h.action === 'escalated')).toHaveLength(1);
  });

  it('escalates an approver set that resolves to nobody, and auto-decides on a deadline', async () => {
    const auto = {
      object: 'deal',
      label: 'Reviewer',
      trigger: { on: 'submit', condition: 'record.name.startsWith("Auto")' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'rev',
          type: 'approval',
          position: { x: 0, y: 1 },
          data: { approvers: [{ field: 'reviewer' }], escalation: { after: 'PT1H', decide: 'approved' } },
        },
        { id: 'ok', type: 'end', position: { x: 0, y: 2 }, data: { outcome: 'approved', set: { stage: 'won' } } },
        { id: 'ko', type: 'end', position: { x: 1, y: 2 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'rev' },
        { id: 'b', source: 'rev', target: 'ok', data: { outcome: 'approved' } },
        { id: 'c', source: 'rev', target: 'ko', data: { outcome: 'rejected' } },
      ],
    };
    const noEscalation = structuredClone(auto);
    (noEscalation.nodes[1] as { data: Record<string, unknown> }).data = { approvers: [{ field: 'reviewer' }] };
    noEscalation.trigger.condition = 'record.name.startsWith("Nobody")';
    expect((await tenant.api.put('/api/meta/workflows/a_auto', auto)).status).toBe(200);
    expect((await tenant.api.put('/api/meta/workflows/a_nobody', noEscalation)).status).toBe(200);

    // No reviewer and a `decide` escalation: decided at once instead of stalling.
    const unassigned = await insert('deal', { name: 'Auto unassigned', amount: 10 });
    const r1 = await rep.api.post(`/api/records/deal/${unassigned}/submit`);
    expect(r1.body.instance).toMatchObject({ status: 'approved', step: 'ok' });
    // No reviewer and no escalation: the tenant's admins get the task.
    const orphan = await insert('deal', { name: 'Nobody reviews', amount: 10 });
    await rep.api.post(`/api/records/deal/${orphan}/submit`);
    await tenant.api.post(
      `/api/approvals/tasks/${await taskOf({ id: tenant.admin.id, api: tenant.api }, orphan)}/approve`,
    );
    expect(await record('deal', orphan)).toMatchObject({ approval_status: 'approved' });
    // A reviewer who never answers: auto-approved once the hour has passed.
    const slow = await insert('deal', { name: 'Auto slow', amount: 10, reviewer: director2.id });
    await rep.api.post(`/api/records/deal/${slow}/submit`);
    clock.advance(2 * 3600_000);
    expect((await server.runtime.workflows.escalateDue(clock.now(), tenant.id)).decided).toBeGreaterThanOrEqual(1);
    expect(await record('deal', slow)).toMatchObject({ approval_status: 'approved', stage: 'won' });
    expect(
      (await director2.api.get('/api/approvals/inbox')).body.items.some((i: { record: string }) => i.record === slow),
    ).toBe(false);
    for (const name of ['a_auto', 'a_nobody'])
      expect((await tenant.api.delete(`/api/meta/workflows/${name}`)).status).toBe(200);
  });

  it('decides through a signed single-use link from the e-mail', async () => {
    const id = await insert('deal', { name: 'Linked', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const mails = await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .from('_email_outbox')
      .where('body', 'like', '%Linked%')
      .select('body', 'to_address');
    expect(mails).toHaveLength(1);
    const approveLink = /Approve: \S*\/api\/approvals\/links\/(\S+)/.exec(mails[0].body)?.[1] as string;
    const rejectLink = /Reject: \S*\/api\/approvals\/links\/(\S+)/.exec(mails[0].body)?.[1] as string;
    const info = await server.anon.get(`/api/approvals/links/${approveLink}`);
    expect(info.status, info.text).toBe(200);
    expect(info.body).toMatchObject({ decision: 'approved', status: 'open' });
    const tampered = `${approveLink.slice(0, -2)}xx`;
    expect((await server.anon.post(`/api/approvals/links/${tampered}`)).status).toBe(404);
    expect((await server.anon.post(`/api/approvals/links/${rejectLink}`, {})).status).toBe(400);
    const used = await server.anon.post(`/api/approvals/links/${approveLink}`, {});
    expect(used.status, used.text).toBe(200);
    expect(used.body.instance.status).toBe('approved');
    expect((await server.anon.post(`/api/approvals/links/${approveLink}`, {})).status).toBe(409);
  });

  it('lists and marks notifications read', async () => {
    const list = await manager.api.get('/api/notifications', { query: { unread: true } });
    expect(list.status).toBe(200);
    expect(list.body.unread).toBeGreaterThan(0);
    const first = list.body.items[0];
    expect((await manager.api.post(`/api/notifications/${first.id}/read`)).status).toBe(204);
    expect((await rep.api.post(`/api/notifications/${first.id}/read`)).status).toBe(404);
    expect((await manager.api.post('/api/notifications/read-all')).body.marked).toBe(list.body.unread - 1);
    expect((await manager.api.get('/api/notifications')).body.unread).toBe(0);
    expect((await manager.api.get('/api/notifications', { query: { limit: 'lots' } })).status).toBe(400);
  });
});

describe('locking and versions', () => {
  it('locks a pending record (the records engine hook), with an audited admin override', async () => {
    const id = await insert('deal', { name: 'Locked', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const ctx = {
      ...(await server.runtime.auth.authenticate((rep.api as unknown as { token: string }).token)),
    } as never;
    await expect(server.runtime.workflows.assertEditable(ctx, 'deal', id)).rejects.toMatchObject({
      code: 'RECORD_LOCKED',
    });
    const adminCtx = (await server.runtime.auth.authenticate(
      (tenant.api as unknown as { token: string }).token,
    )) as never;
    await expect(server.runtime.workflows.assertEditable(adminCtx, 'deal', id)).rejects.toMatchObject({
      code: 'RECORD_LOCKED',
    });
    await server.runtime.workflows.assertEditable(adminCtx, 'deal', id, { override: true });
    const { body } = await rep.api.get(`/api/records/deal/${id}/approvals`);
    expect(body.items[0].history.at(-1)).toMatchObject({ action: 'override' });

    // The same through HTTP: the owner and an admin without the flag are refused, nothing changes;
    // an admin's explicit override writes and leaves an override entry in the approval history.
    const url = `/api/records/deal/${id}`;
    for (const api of [rep.api, tenant.api]) {
      const r = await api.patch(url, { name: 'Edited while pending' });
      expect(r.status, r.text).toBe(409);
      expect(r.body.error.code).toBe('RECORD_LOCKED');
    }
    expect((await rep.api.patch(url, { name: 'x' }, { query: { override: 'true' } })).status).toBe(403);
    const forced = await tenant.api.patch(url, { name: 'Corrected by admin' }, { query: { override: 'true' } });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.body.name).toBe('Corrected by admin');
    const after = await rep.api.get(`/api/records/deal/${id}/approvals`);
    expect(after.body.items[0].history.filter((h: { action: string }) => h.action === 'override').length).toBe(2);
  });

  it('keeps running instances on their version and moves them on request', async () => {
    const id = await insert('deal', { name: 'Versioned', amount: 150000 });
    await rep.api.post(`/api/records/deal/${id}/submit`);
    const changed = structuredClone(largeDeal);
    changed.label = 'Large deal approval v2';
    (changed.nodes[1] as { data: { label: string } }).data.label = 'Sales manager';
    expect((await tenant.api.put('/api/meta/workflows/large_deal', changed)).status).toBe(200);
    const versions = await tenant.api.get('/api/approvals/workflows/large_deal/versions');
    expect(versions.status, versions.text).toBe(200);
    const pendingOld = versions.body.versions.filter((v: { version: number }) => v.version < versions.body.current);
    expect(pendingOld.reduce((n: number, v: { pending: number }) => n + v.pending, 0)).toBeGreaterThan(0);
    expect((await rep.api.get('/api/approvals/workflows/large_deal/versions')).status).toBe(403);
    const moved = await tenant.api.post('/api/approvals/workflows/large_deal/migrate');
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.moved.length).toBeGreaterThan(0);
    const after = await tenant.api.get('/api/approvals/workflows/large_deal/versions');
    expect(
      after.body.versions.find((v: { version: number }) => v.version === after.body.current).pending,
    ).toBeGreaterThan(0);
    expect((await tenant.api.get('/api/approvals/workflows/nope/versions')).status).toBe(404);
  });
});

describe('bad input', () => {
  it('answers clear 4xx, never 500', async () => {
    const id = await insert('deal', { name: 'Bad', amount: 150000 });
    expect((await rep.api.post(`/api/records/nope/${id}/submit`)).status).toBe(404);
    expect((await rep.api.post(`/api/records/deal;drop/${id}/submit`)).status).toBe(400);
    expect((await rep.api.post('/api/records/deal/not-a-uuid/submit')).status).toBe(400);
    expect((await rep.api.post(`/api/records/deal/${crypto.randomUUID()}/submit`)).status).toBe(404);
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, undefined, { raw: '{"comment":' })).status).toBe(400);
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, { workflow: 'nope' })).status).toBe(400);
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, { workflow: 'expense_all' })).status).toBe(400);
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, { extra: 1 })).status).toBe(400);
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, { comment: 'x'.repeat(5000) })).status).toBe(400);
    expect((await rep.api.post(`/api/approvals/tasks/${crypto.randomUUID()}/approve`)).status).toBe(404);
    expect((await rep.api.post('/api/approvals/tasks/1%27%20or%201=1/approve')).status).toBe(400);
    expect((await server.anon.get('/api/approvals/inbox')).status).toBe(401);
    expect((await server.anon.get('/api/approvals/links/not-a-token-at-all')).status).toBe(404);
    expect((await tenant.api.get(`/api/records/deal/${crypto.randomUUID()}/approvals`)).status).toBe(404);
  });
});
