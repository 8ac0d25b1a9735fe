import { ManualClock } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

// What the designer's automation screen relies on (docs/designer.md, Automation rules): the `when`
// filter, approval and date-offset triggers, the action catalogue, test runs and the run log.

let server: TestServer;
let tenant: TestTenant;
const clock = new ManualClock('2026-03-02T09:00:00Z');
let boss: { id: string; api: ApiClient };
let agent: { id: string; api: ApiClient };

const dealObject = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 200 },
    stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'], default: 'new' },
    amount: { type: 'number', minimum: 0 },
    note: { type: 'string', maxLength: 500 },
    due_on: { type: 'string', format: 'date' },
  },
  required: ['name'],
};

const db = () => server.runtime.db.withSchema(`t_${tenant.id}`);

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

async function put(path: string, body: unknown) {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}

async function createDeal(api: ApiClient, values: Record<string, unknown>): Promise<string> {
  const r = await api.post('/api/records/deal', values);
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function patchDeal(api: ApiClient, id: string, values: Record<string, unknown>) {
  const current = await api.get(`/api/records/deal/${id}`);
  const r = await api.patch(`/api/records/deal/${id}`, { ...values, version: current.body.version });
  expect(r.status, r.text).toBe(200);
}

async function runsOf(rule: string) {
  const r = await tenant.api.get('/api/automations/runs', { query: { rule } });
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<Record<string, any>>;
}

const notifyManager = {
  type: 'notify',
  to: ['managerOfOwner'],
  title: 'Deal {{record.name}} won',
  email: false,
};

beforeAll(async () => {
  server = await startTestServer({ clock });
  tenant = await createTestTenant(server, { prefix: 'autod' });
  await put('/api/meta/objects/deal', dealObject);
  await put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'own', update: 'own', delete: false } },
  });
  await put('/api/meta/roles/lead', { label: 'Lead', objects: { deal: { read: 'all', update: 'all' } } });
  boss = await tenant.addUser({ roles: ['lead'], name: 'Bea Boss' });
  agent = await tenant.addUser({ roles: ['rep'], name: 'Al Agent', manager: boss.id });
});

afterAll(async () => {
  await server?.close();
});

describe('action types', () => {
  it('lists every kind with the JSON Schema of its configuration', async () => {
    const r = await tenant.api.get('/api/automations/action-types');
    expect(r.status, r.text).toBe(200);
    const byType = Object.fromEntries((r.body.items as Array<Record<string, any>>).map((i) => [i.type, i]));
    expect(Object.keys(byType)).toEqual(expect.arrayContaining(['set', 'create', 'notify', 'script', 'document']));
    expect(byType.notify.schema.required).toEqual(['to', 'title']);
    expect(byType.notify.schema.properties.to.items.anyOf).toBeDefined();
    expect(byType.create.schema.properties.object.pattern).toBe('^[a-z][a-z0-9_]{0,62}$');
    expect(byType.notify).toMatchObject({ core: true, transactional: true });
    expect(byType.document).toMatchObject({ core: true, transactional: false });
  });

  it('is for tenant admins only', async () => {
    expect((await agent.api.get('/api/automations/action-types')).status).toBe(403);
  });
});

describe('the when filter (what the condition builder writes)', () => {
  it('runs an update rule only for records matching it, and the run log names the record', async () => {
    await put('/api/meta/automations/won_notify', {
      label: 'Deal won → notify manager',
      object: 'deal',
      trigger: { on: 'update', fields: ['stage'] },
      when: { and: [{ stage: { eq: 'won' } }, { or: [{ amount: { gte: 1000 } }, { note: { contains: 'vip' } }] }] },
      actions: [notifyManager],
    });
    const small = await createDeal(agent.api, { name: 'Small one', amount: 10 });
    const big = await createDeal(agent.api, { name: 'Big one', amount: 5000 });
    await patchDeal(agent.api, small, { stage: 'won' });
    await patchDeal(agent.api, big, { stage: 'negotiation' });
    await settle();
    expect(await runsOf('won_notify')).toEqual([]);
    await patchDeal(agent.api, big, { stage: 'won' });
    await settle();
    const runs = await runsOf('won_notify');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ record: big, recordLabel: 'Big one', outcome: 'succeeded', trigger: 'update' });
    const notes = await db().from('_notifications').where({ user_id: boss.id, kind: 'automation' });
    expect(notes.map((n: { title: string }) => n.title)).toEqual(['Deal Big one won']);
  });

  it('refuses a filter on unknown fields or with values of the wrong kind, at /when', async () => {
    for (const when of [{ ghost: { eq: 1 } }, { amount: { eq: 'many' } }, { stage: { gt: [] } }]) {
      const r = await tenant.api.put('/api/meta/automations/bad_when', {
        label: 'Bad',
        object: 'deal',
        trigger: { on: 'create' },
        when,
        actions: [notifyManager],
      });
      expect(r.status, r.text).toBe(400);
      expect(r.text).toContain('/automations/bad_when/when');
    }
  });
});

describe('"field changed to" trigger', () => {
  it('runs only when the watched field changed to the value', async () => {
    await put('/api/meta/automations/lost_note', {
      label: 'Lost → note',
      object: 'deal',
      trigger: { on: 'update', fields: ['stage'], changedTo: 'lost' },
      actions: [{ type: 'set', values: { note: 'lost it' } }],
    });
    const id = await createDeal(agent.api, { name: 'Maybe' });
    await patchDeal(agent.api, id, { stage: 'negotiation' });
    await settle();
    expect((await db().from('deal').where({ id }).first()).note).toBeNull();
    await patchDeal(agent.api, id, { stage: 'lost' });
    await settle();
    expect((await db().from('deal').where({ id }).first()).note).toBe('lost it');
  });

  it('refuses a value the field cannot hold, or no single field to watch', async () => {
    const bad = (trigger: Record<string, unknown>) =>
      tenant.api.put('/api/meta/automations/bad_to', {
        label: 'Bad',
        object: 'deal',
        trigger,
        actions: [notifyManager],
      });
    const wrong = await bad({ on: 'update', fields: ['stage'], changedTo: 'mega' });
    expect(wrong.status, wrong.text).toBe(400);
    expect(wrong.body.error.fields['/automations/bad_to/trigger/changedTo']).toBeTruthy();
    const two = await bad({ on: 'update', fields: ['stage', 'amount'], changedTo: 'won' });
    expect(two.body.error.fields['/automations/bad_to/trigger/changedTo']).toContain('exactly one field');
  });
});

describe('approval outcome trigger', () => {
  it('runs when an approval ends with the outcome, not on other saves', async () => {
    await put('/api/meta/workflows/deal_review', {
      object: 'deal',
      label: 'Deal review',
      trigger: { on: 'submit' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'mgr',
          type: 'approval',
          position: { x: 0, y: 100 },
          data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }], mode: 'any' },
        },
        { id: 'yes', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
        { id: 'no', type: 'end', position: { x: 200, y: 200 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'mgr' },
        { id: 'e2', source: 'mgr', target: 'yes', data: { outcome: 'approved' } },
        { id: 'e3', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
      ],
    });
    await put('/api/meta/automations/on_approved', {
      label: 'Approved → note',
      object: 'deal',
      trigger: { on: 'approval', outcome: 'approved' },
      actions: [{ type: 'set', values: { note: 'approved by the manager' } }],
    });
    const approved = await createDeal(agent.api, { name: 'To approve' });
    const rejected = await createDeal(agent.api, { name: 'To reject' });
    for (const id of [approved, rejected]) {
      const s = await agent.api.post(`/api/records/deal/${id}/submit`, {});
      expect(s.status, s.text).toBe(201);
    }
    await settle();
    expect(await runsOf('on_approved')).toEqual([]);
    const inbox = (await boss.api.get('/api/approvals/inbox')).body.items as Array<{ task: string; record: string }>;
    const task = (id: string) => inbox.find((i) => i.record === id)?.task;
    expect((await boss.api.post(`/api/approvals/tasks/${task(approved)}/approve`, {})).status).toBe(200);
    expect((await boss.api.post(`/api/approvals/tasks/${task(rejected)}/reject`, { comment: 'no' })).status).toBe(200);
    await settle();
    const runs = await runsOf('on_approved');
    expect(runs.map((r) => [r.recordLabel, r.trigger, r.outcome])).toEqual([['To approve', 'approval', 'succeeded']]);
    expect((await db().from('deal').where({ id: approved }).first()).note).toBe('approved by the manager');
    expect((await db().from('deal').where({ id: rejected }).first()).note).toBeNull();
  });

  it('refuses an outcome on other triggers', async () => {
    const r = await tenant.api.put('/api/meta/automations/bad_outcome', {
      label: 'Bad',
      object: 'deal',
      trigger: { on: 'create', outcome: 'approved' },
      actions: [notifyManager],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toContain('/automations/bad_outcome/trigger/outcome');
  });
});

describe('schedule with a date offset', () => {
  it('visits the records whose date is that many days away ("3 days before due_on")', async () => {
    const soon = await createDeal(agent.api, { name: 'Due in three', due_on: '2026-03-05' });
    await createDeal(agent.api, { name: 'Due in four', due_on: '2026-03-06' });
    await put('/api/meta/automations/due_reminder', {
      label: 'Reminder 3 days before due',
      object: 'deal',
      trigger: { on: 'schedule', every: 'P1D', date: { field: 'due_on', days: 3 } },
      actions: [{ type: 'notify', to: ['owner'], title: '{{record.name}} is due soon', email: false }],
    });
    await server.runtime.automations.sweep(new Date('2026-03-02T09:00:00Z'), { tenants: [tenant.id] });
    const runs = await runsOf('due_reminder');
    expect(runs.map((r) => [r.record, r.recordLabel])).toEqual([[soon, 'Due in three']]);
  });

  it('refuses a date offset on a field that is not a date', async () => {
    const r = await tenant.api.put('/api/meta/automations/bad_date', {
      label: 'Bad',
      object: 'deal',
      trigger: { on: 'schedule', every: 'P1D', date: { field: 'name', days: 3 } },
      actions: [notifyManager],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toContain('/automations/bad_date/trigger/date/field');
    expect(r.text).toContain('is not a date');
  });
});

describe('e-mail from a print template', () => {
  it('queues the record printed with the template as the body, to the recipients', async () => {
    const t = await tenant.api.put('/api/print-templates/deal/won_letter', {
      html: '<h1>Deal {{name}}</h1><p>Amount: {{amount}}</p>',
    });
    expect(t.status, t.text).toBe(200);
    await put('/api/meta/automations/won_letter', {
      label: 'Won → letter to the manager',
      object: 'deal',
      trigger: { on: 'update', fields: ['stage'], changedTo: 'won' },
      actions: [{ type: 'email', to: ['managerOfOwner'], template: 'won_letter', subject: 'Won: {{record.name}}' }],
    });
    const id = await createDeal(agent.api, { name: 'Lettered', amount: 42 });
    await patchDeal(agent.api, id, { stage: 'won' });
    await settle();
    const mails = await db().from('_email_outbox').where({ subject: 'Won: Lettered' });
    expect(mails).toHaveLength(1);
    expect(mails[0].to_address).toBe((await db().from('_users').where({ id: boss.id }).first()).email);
    expect(mails[0].body).toContain('Deal Lettered');
    expect(mails[0].body).toContain('Amount: 42');
  });

  it('refuses unknown templates and subjects naming unknown fields', async () => {
    const r = await tenant.api.put('/api/meta/automations/bad_mail', {
      label: 'Bad',
      object: 'deal',
      trigger: { on: 'create' },
      actions: [{ type: 'email', to: ['owner'], template: 'ghost', subject: '{{record.nope}}' }],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields['/automations/bad_mail/actions/0/template']).toContain('ghost');
    expect(r.body.error.fields['/automations/bad_mail/actions/0/subject']).toContain('nope');
  });
});

describe('test run (dry run)', () => {
  const draft = {
    label: 'Deal won → notify manager',
    object: 'deal',
    trigger: { on: 'update', fields: ['stage'] },
    when: { stage: { eq: 'won' } },
    actions: [{ type: 'set', values: { note: 'closed {{x}}', amount: 99 } }, notifyManager],
  };

  it('shows what the conditions say and what the actions would do, and changes nothing', async () => {
    const id = await createDeal(agent.api, { name: 'Trial deal', stage: 'won', amount: 5 });
    await settle();
    const before = await db().from('deal').where({ id }).first();
    const notesBefore = await db().from('_notifications').count({ n: '*' });
    const r = await tenant.api.post('/api/automations/dry-run', { rule: draft, name: 'won_trial', record: id });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      rule: 'won_trial',
      record: { id, label: 'Trial deal' },
      when: true,
      condition: null,
      wouldRun: true,
      error: null,
    });
    expect(r.body.actions[0]).toMatchObject({ type: 'set', values: { note: 'closed {{x}}', amount: 99 } });
    expect(r.body.actions[1]).toMatchObject({
      type: 'notify',
      title: 'Deal Trial deal won',
      people: [{ id: boss.id, name: 'Bea Boss' }],
    });
    const after = await db().from('deal').where({ id }).first();
    expect(after).toEqual(before);
    expect(await db().from('_notifications').count({ n: '*' })).toEqual(notesBefore);
    expect(await runsOf('won_trial')).toEqual([]);
    const history = await tenant.api.get(`/api/records/deal/${id}/history`);
    expect(history.body.items ?? history.body).toHaveLength(1);
  });

  it('says when the filter does not match, and tests published rules by name', async () => {
    const id = await createDeal(agent.api, { name: 'Still new', stage: 'new' });
    const r = await tenant.api.post('/api/automations/dry-run', { name: 'won_notify', record: id });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ when: false, wouldRun: false });
  });

  it('reports a failing action as the run would, and still changes nothing', async () => {
    const id = await createDeal(agent.api, { name: 'Fails' });
    const r = await tenant.api.post('/api/automations/dry-run', {
      rule: { ...draft, when: undefined, actions: [{ type: 'set', expressions: { amount: '-1' } }] },
      record: id,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.error).toMatch(/amount/);
    expect((await db().from('deal').where({ id }).first()).amount).toBeNull();
  });

  it('refuses a bad draft with each problem at its path, unknown records and rules, and non-admins', async () => {
    const id = await createDeal(agent.api, { name: 'Probe' });
    const badWhen = await tenant.api.post('/api/automations/dry-run', {
      rule: { ...draft, when: { ghost: { eq: 1 } } },
      record: id,
    });
    expect(badWhen.status, badWhen.text).toBe(400);
    expect(badWhen.body.error.fields['/automations/draft/when']).toContain('ghost');
    const noTitle = await tenant.api.post('/api/automations/dry-run', {
      rule: { ...draft, actions: [{ type: 'notify', to: ['owner'] }] },
      record: id,
    });
    expect(noTitle.status, noTitle.text).toBe(400);
    expect(noTitle.body.error.fields['/automations/draft/actions/0/title']).toBe('is required');
    const ghost = await tenant.api.post('/api/automations/dry-run', {
      name: 'won_notify',
      record: '00000000-0000-4000-8000-000000000001',
    });
    expect(ghost.status).toBe(404);
    expect((await tenant.api.post('/api/automations/dry-run', { name: 'nope', record: id })).status).toBe(404);
    expect((await tenant.api.post('/api/automations/dry-run', { record: id })).status).toBe(400);
    expect((await agent.api.post('/api/automations/dry-run', { name: 'won_notify', record: id })).status).toBe(403);
    expect((await agent.api.get('/api/automations/runs')).status).toBe(403);
  });
});
