import { ManualClock, runInUnitOfWork, systemCtx } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

type User = { id: string; api: ApiClient };

let server: TestServer;
let tenant: TestTenant;
const clock = new ManualClock('2026-03-02T09:00:00Z');
let boss: User;
let agent: User;
let other: User;

const caseObject = {
  title: 'Case',
  type: 'object',
  'x-label-field': 'subject',
  properties: {
    subject: { type: 'string', maxLength: 200 },
    status: { type: 'string', enum: ['new', 'open', 'resolved'], default: 'new' },
    priority: { type: 'string', enum: ['low', 'high', 'urgent'], default: 'low' },
    escalated: { type: 'boolean', default: false },
    sla_due_at: { type: 'string', format: 'date-time' },
    assigned_to: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    note: { type: 'string', maxLength: 500 },
    touches: { type: 'integer', default: 0 },
    ping: { type: 'integer', default: 0 },
    pong: { type: 'integer', default: 0 },
  },
  required: ['subject'],
};

const taskObject = {
  title: 'Task',
  type: 'object',
  'x-label-field': 'subject',
  properties: {
    subject: { type: 'string', maxLength: 200 },
    status: { type: 'string', enum: ['open', 'done'], default: 'open' },
    due_on: { type: 'string', format: 'date' },
    case: { type: 'string', format: 'uuid', 'x-ref': 'case' },
    assigned_to: { type: 'string', format: 'uuid', 'x-ref': 'user' },
  },
  required: ['subject'],
};

const db = () => server.runtime.db.withSchema(`t_${tenant.id}`);
const row = (object: string, id: string) => db().from(object).where({ id }).first();
/** Handles after-commit events until this tenant has none left (rules may chain further events). */
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
const sweep = (at: string) => server.runtime.automations.sweep(new Date(at), { tenants: [tenant.id] });

async function put(path: string, body: unknown) {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}

async function runsOf(rule: string) {
  const r = await tenant.api.get('/api/automations/runs', { query: { rule } });
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<Record<string, any>>;
}

async function createCase(api: ApiClient, values: Record<string, unknown>): Promise<string> {
  const r = await api.post('/api/records/case', values);
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function notificationsOf(user: User) {
  const r = await user.api.get('/api/notifications');
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<{ kind: string; title: string; body: string | null; data: Record<string, unknown> }>;
}

beforeAll(async () => {
  server = await startTestServer({ clock });
  tenant = await createTestTenant(server, { prefix: 'auto' });
  await put('/api/meta/objects/case', caseObject);
  await put('/api/meta/objects/task', taskObject);
  const own = { create: true, read: 'own', update: 'own', delete: false };
  await put('/api/meta/roles/support', {
    label: 'Support',
    // Agents may not touch `escalated` or `note`: rules still set them (they run as the system).
    objects: { case: { ...own, fields: { escalated: 'read', note: 'read' } }, task: own },
  });
  await put('/api/meta/roles/lead', { label: 'Lead', objects: { case: { read: 'all' }, task: { read: 'all' } } });
  boss = await tenant.addUser({ roles: ['lead'], name: 'Bea Boss' });
  agent = await tenant.addUser({ roles: ['support'], name: 'Al Agent', manager: boss.id });
  other = await tenant.addUser({ roles: ['support'], name: 'Oz Other' });
  await put('/api/meta/scripts/stamp', {
    object: 'case',
    event: 'action',
    code: "set('note', 'stamped ' + (params.word ?? ''));",
  });
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('rule definitions', () => {
  const valid = {
    label: 'Stamp',
    object: 'case',
    trigger: { on: 'update', fields: ['status'] },
    actions: [{ type: 'set', values: { note: 'x' } }],
  };
  const refused = async (name: string, rule: unknown) => {
    const r = await tenant.api.put(`/api/meta/automations/${name}`, rule);
    expect(r.status, r.text).toBe(400);
    return JSON.stringify(r.body.error);
  };

  it('refuses unknown objects, fields, scripts, templates, roles and bad expressions, naming the JSON path', async () => {
    expect(await refused('bad', { ...valid, object: 'ghost' })).toContain('/automations/bad/object');
    const text = await refused('bad', {
      ...valid,
      condition: 'record.status ===',
      trigger: { on: 'update', fields: ['status', 'nope'] },
      actions: [
        { type: 'set', values: { ghost: 1, priority: 'mega' }, expressions: { note: 'record.' } },
        { type: 'create', object: 'task', values: { nothing: 1 } },
        { type: 'create', object: 'ghost' },
        { type: 'notify', to: [{ role: 'nobody' }, { field: 'subject' }], title: 'Hi {{record.nope}}' },
        { type: 'script', script: 'missing' },
        { type: 'document', template: 'missing' },
        { type: 'set', values: { id: '00000000-0000-4000-8000-000000000000' } },
        { type: 'set', values: { assigned_to: '$managerOf:subject', sla_due_at: '$now-4 hours' } },
        { type: 'notify', to: [{ managerOf: 'ghost' }], title: 'x' },
      ],
    });
    for (const part of [
      '/automations/bad/condition',
      '/automations/bad/trigger/fields/1',
      '/automations/bad/actions/0/values/ghost',
      '/automations/bad/actions/0/values/priority',
      '/automations/bad/actions/0/expressions/note',
      '/automations/bad/actions/1/values/nothing',
      '/automations/bad/actions/2/object',
      '/automations/bad/actions/3/to/0',
      '/automations/bad/actions/3/to/1',
      '/automations/bad/actions/3/title',
      '/automations/bad/actions/4/script',
      '/automations/bad/actions/5/template',
      '/automations/bad/actions/6/values/id',
      '/automations/bad/actions/7/values/assigned_to',
      '/automations/bad/actions/7/values/sla_due_at',
      '/automations/bad/actions/8/to/0',
    ])
      expect(text, part).toContain(part);
  });

  it('refuses trigger parts that do not fit the kind, bad schedules and filters', async () => {
    const text = await refused('bad', {
      ...valid,
      trigger: { on: 'schedule', every: 'P1M', fields: ['status'], filter: { ghost: { eq: 1 } } },
    });
    expect(text).toContain('/automations/bad/trigger/every');
    expect(text).toContain('months or years');
    expect(text).toContain('/automations/bad/trigger/fields');
    expect(text).toContain('/automations/bad/trigger/filter');
    expect(await refused('bad', { ...valid, trigger: { on: 'schedule' } })).toContain('needs \\"every\\"');
    expect(
      await refused('bad', {
        ...valid,
        trigger: { on: 'schedule', every: 'P1D', filter: { sla_due_at: { lt: '$now-1d' } } },
      }),
    ).toContain('ISO-8601');
    expect(await refused('bad', { ...valid, trigger: { on: 'schedule', every: '61 * * * *' } })).toContain('cron');
    expect(await refused('bad', { ...valid, trigger: { on: 'create', every: 'P1D' } })).toContain('/trigger/every');
    expect(await refused('bad', { ...valid, trigger: { on: 'sometimes' } })).toContain('/automations/bad/trigger/on');
    expect(await refused('bad', { ...valid, actions: [{ type: 'explode' }] })).toContain('/actions/0/type');
    expect(await refused('bad', { ...valid, actions: [] })).toContain('/actions');
    expect(
      await refused('bad', {
        ...valid,
        trigger: { on: 'schedule', every: 'P1D', filter: { subject: { eq: "x'); drop table case; --" }, or: 1 } },
      }),
    ).toContain('/trigger/filter');
  });

  it('refuses malformed JSON, injection in names, and non-admins', async () => {
    const raw = await tenant.api.request('PUT', '/api/meta/automations/x', { raw: '{"label": ' });
    expect(raw.status).toBe(400);
    for (const name of ['Robert"); drop table x; --', 'a b', '_private', 'x'.repeat(64)]) {
      const r = await tenant.api.put(`/api/meta/automations/${encodeURIComponent(name)}`, valid);
      expect(r.status, name).toBe(400);
    }
    expect((await agent.api.put('/api/meta/automations/mine', valid)).status).toBe(403);
    expect((await agent.api.delete('/api/meta/automations/mine')).status).toBe(403);
    expect((await server.anon.put('/api/meta/automations/mine', valid)).status).toBe(401);
    expect((await agent.api.get('/api/automations/runs')).status).toBe(403);
    expect((await agent.api.post('/api/automations/sweep')).status).toBe(403);
    expect((await server.anon.get('/api/automations/runs')).status).toBe(401);
    expect((await tenant.api.get('/api/automations/runs', { query: { rule: 'x; drop' } })).status).toBe(400);
    const meta = await tenant.api.get('/api/meta');
    expect(meta.body.automations?.bad).toBeUndefined();
  });
});

describe('create and update rules', () => {
  beforeAll(async () => {
    await put('/api/meta/automations/follow_up', {
      label: 'Follow up high-priority cases',
      object: 'case',
      trigger: { on: 'create' },
      condition: "record.priority === 'high'",
      actions: [
        {
          type: 'create',
          object: 'task',
          values: { due_on: '$today', assigned_to: '$owner' },
          expressions: { subject: "'Call back: ' + record.subject", case: 'record.id' },
        },
        {
          type: 'notify',
          to: ['owner', 'managerOfOwner'],
          title: 'High-priority case: {{record.subject}}',
          message: 'Opened by rule "{{rule}}".',
        },
      ],
    });
    await put('/api/meta/automations/status_note', {
      label: 'Note status changes',
      object: 'case',
      trigger: { on: 'update', fields: ['status'] },
      actions: [{ type: 'set', expressions: { note: "'status: ' + old.status + ' -> ' + record.status" } }],
    });
    await put('/api/meta/automations/count_touches', {
      label: 'Count edits',
      object: 'case',
      trigger: { on: 'update' },
      condition: "record.subject !== 'no count'",
      actions: [{ type: 'set', expressions: { touches: '(record.touches || 0) + 1' } }],
    });
  });

  it('a create rule makes a follow-up task and notifies the owner and their manager, once', async () => {
    const id = await createCase(agent.api, { subject: 'Printer on fire', priority: 'high' });
    await settle();
    const tasks = await db().from('task').where({ case: id });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ subject: 'Call back: Printer on fire', due_on: '2026-03-02', owner: agent.id });
    expect(tasks[0].assigned_to).toBe(agent.id);
    for (const u of [agent, boss]) {
      const mine = (await notificationsOf(u)).filter((n) => n.data.record === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ kind: 'automation', title: 'High-priority case: Printer on fire' });
      expect(mine[0]?.body).toBe('Opened by rule "Follow up high-priority cases".');
    }
    const mails = await db().from('_email_outbox').where('subject', 'High-priority case: Printer on fire');
    expect(mails).toHaveLength(2);
    const runs = (await runsOf('follow_up')).filter((r) => r.record === id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', trigger: 'create', object: 'case', actor: agent.id });
    expect(runs[0]?.actions.map((a: { type: string }) => a.type)).toEqual(['create', 'notify']);
    // Delivered again (at least once): the run key makes it a no-op.
    const event = {
      object: 'case',
      id,
      action: 'create' as const,
      record: await row('case', id),
      old: null,
      changes: {},
    };
    await runInUnitOfWork(await systemCtx(server.runtime.db, tenant.id, agent.id), (tx) =>
      server.runtime.automations.onSaved(tx, event),
    );
    expect(await db().from('task').where({ case: id })).toHaveLength(1);
  });

  it('a save whose after-commit handling was lost (a crash) is handled by the next sweep, once', async () => {
    // The state a process killed right after commit leaves: the row and its event, nothing handled.
    const [saved] = await db()
      .insert({ subject: 'Crashed right after commit', priority: 'high', owner: agent.id, created_by: agent.id })
      .into('case')
      .returning('*');
    const event = { object: 'case', id: saved.id, action: 'create', record: saved, old: null, changes: {} };
    const lost = () =>
      server.runtime.db
        .withSchema('platform')
        .insert({ tenant: tenant.id, topic: 'record.saved', payload: JSON.stringify(event), actor: agent.id })
        .into('outbox');
    await lost();
    await settle();
    expect(await db().from('task').where({ case: saved.id })).toHaveLength(1);
    // Delivered twice (a sweeper and a restarted process both saw it): still one task, one run.
    await lost();
    await settle();
    expect(await db().from('task').where({ case: saved.id })).toHaveLength(1);
    expect((await runsOf('follow_up')).filter((r) => r.record === saved.id)).toHaveLength(1);
  });

  it('a false condition does nothing and records nothing', async () => {
    const id = await createCase(agent.api, { subject: 'Quiet one', priority: 'low' });
    await settle();
    expect(await db().from('task').where({ case: id })).toHaveLength(0);
    expect((await runsOf('follow_up')).filter((r) => r.record === id)).toHaveLength(0);
  });

  it('an update rule runs only when its fields change; a rule is not retriggered by its own write', async () => {
    const id = await createCase(agent.api, { subject: 'Login broken' });
    await settle();
    let r = await agent.api.patch(`/api/records/case/${id}`, { subject: 'Login broken (SSO)' });
    expect(r.status, r.text).toBe(200);
    await settle();
    let saved = await row('case', id);
    expect(saved.note).toBeNull();
    // count_touches wrote `touches` once; its own write did not count again.
    expect(Number(saved.touches)).toBe(1);
    r = await agent.api.patch(`/api/records/case/${id}`, { status: 'open' });
    expect(r.status, r.text).toBe(200);
    await settle();
    saved = await row('case', id);
    expect(saved.note).toBe('status: new -> open');
    // One count for the agent's edit; the status_note write counted once more (another rule's write), no more.
    expect(Number(saved.touches)).toBe(3);
    const notes = (await runsOf('status_note')).filter((x) => x.record === id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ outcome: 'succeeded', trigger: 'update', actor: agent.id });
  });

  it('rules that trigger each other stop at the depth limit with a skipped run', async () => {
    await put('/api/meta/automations/ping', {
      label: 'Ping',
      object: 'case',
      trigger: { on: 'update', fields: ['pong'] },
      actions: [{ type: 'set', expressions: { ping: '(record.ping || 0) + 1' } }],
    });
    await put('/api/meta/automations/pong', {
      label: 'Pong',
      object: 'case',
      trigger: { on: 'update', fields: ['ping'] },
      actions: [{ type: 'set', expressions: { pong: '(record.pong || 0) + 1' } }],
    });
    try {
      const id = await createCase(tenant.api, { subject: 'no count' });
      await settle();
      const r = await tenant.api.patch(`/api/records/case/${id}`, { ping: 1 });
      expect(r.status, r.text).toBe(200);
      await settle();
      const saved = await row('case', id);
      expect(Number(saved.ping) + Number(saved.pong)).toBeLessThan(10);
      const runs = [...(await runsOf('ping')), ...(await runsOf('pong'))].filter((x) => x.record === id);
      expect(runs.filter((x) => x.outcome === 'skipped')).toHaveLength(1);
      expect(runs.find((x) => x.outcome === 'skipped')?.error).toMatch(/loop guard/);
    } finally {
      await tenant.api.delete('/api/meta/automations/ping');
      await tenant.api.delete('/api/meta/automations/pong');
    }
  });

  it("a failing action is recorded as failed, rolls back only that rule, and never undoes the user's save", async () => {
    await put('/api/meta/automations/broken', {
      label: 'Broken',
      object: 'case',
      trigger: { on: 'update', fields: ['status'] },
      actions: [
        { type: 'set', values: { note: 'half done' } },
        { type: 'set', expressions: { priority: "'not-a-priority'" } },
      ],
    });
    try {
      const id = await createCase(agent.api, { subject: 'Will fail' });
      await settle();
      const r = await agent.api.patch(`/api/records/case/${id}`, { status: 'resolved' });
      expect(r.status, r.text).toBe(200);
      await settle();
      const saved = await row('case', id);
      expect(saved.status).toBe('resolved');
      // status_note (another rule) still ran; broken's first action was rolled back with it.
      expect(saved.note).toBe('status: new -> resolved');
      const runs = (await runsOf('broken')).filter((x) => x.record === id);
      expect(runs).toHaveLength(1);
      expect(runs[0]?.outcome).toBe('failed');
      expect(runs[0]?.error).toMatch(/priority/);
      const failed = await tenant.api.get('/api/automations/runs', { query: { outcome: 'failed', record: id } });
      expect(failed.body.items).toHaveLength(1);
    } finally {
      await tenant.api.delete('/api/meta/automations/broken');
    }
  });

  it('a script action runs an action script of the object', async () => {
    await put('/api/meta/automations/stamp_on_urgent', {
      label: 'Stamp urgent',
      object: 'case',
      trigger: { on: 'update', fields: ['priority'] },
      condition: "record.priority === 'urgent'",
      actions: [{ type: 'script', script: 'stamp', params: { word: 'urgent' } }],
    });
    try {
      const id = await createCase(agent.api, { subject: 'Escalate me' });
      await settle();
      await agent.api.patch(`/api/records/case/${id}`, { priority: 'urgent' });
      await settle();
      expect((await row('case', id)).note).toBe('stamped urgent');
      expect((await runsOf('stamp_on_urgent')).filter((x) => x.record === id)[0]?.outcome).toBe('succeeded');
    } finally {
      await tenant.api.delete('/api/meta/automations/stamp_on_urgent');
    }
  });

  it('a document action renders a print template to PDF and attaches it to the record', async () => {
    const t = await tenant.api.put('/api/print-templates/case/summary', {
      label: 'Case summary',
      html: '<h1>{{subject}}</h1><p>Status: {{status}}</p>',
    });
    expect(t.status, t.text).toBe(200);
    await put('/api/meta/automations/pdf_on_resolve', {
      label: 'PDF when resolved',
      object: 'case',
      trigger: { on: 'update', fields: ['status'] },
      condition: "record.status === 'resolved'",
      actions: [{ type: 'document', template: 'summary', fileName: 'case-{{record.subject}}' }],
    });
    try {
      const id = await createCase(agent.api, { subject: 'Paper jam' });
      await settle();
      await agent.api.patch(`/api/records/case/${id}`, { status: 'resolved' });
      await settle();
      const files = await agent.api.get(`/api/records/case/${id}/files`);
      expect(files.status, files.text).toBe(200);
      expect(files.body.items ?? files.body).toEqual([
        expect.objectContaining({ name: 'case-Paper jam.pdf', contentType: 'application/pdf' }),
      ]);
    } finally {
      await tenant.api.delete('/api/meta/automations/pdf_on_resolve');
    }
  });
});

describe('schedule rules', () => {
  beforeAll(async () => {
    await put('/api/meta/automations/sla_escalation', {
      label: 'Escalate cases past their SLA',
      object: 'case',
      trigger: {
        on: 'schedule',
        every: 'PT5M',
        filter: { status: { nin: ['resolved'] }, sla_due_at: { lt: '$now' }, escalated: { eq: false } },
      },
      actions: [
        { type: 'set', values: { escalated: true, assigned_to: '$managerOfOwner' } },
        { type: 'notify', to: ['managerOfOwner'], title: 'Case past its SLA: {{record.subject}}', email: false },
      ],
    });
    await put('/api/meta/automations/task_reminder', {
      label: 'Remind owners of tasks due',
      object: 'task',
      trigger: { on: 'schedule', every: 'P1D', filter: { status: { eq: 'open' }, due_on: { lte: '$today' } } },
      actions: [{ type: 'notify', to: ['owner'], title: 'Task due: {{record.subject}}' }],
    });
  });

  it('two concurrent sweeps act once per record; later sweeps in the period do nothing', async () => {
    const late = await createCase(agent.api, { subject: 'Late', sla_due_at: '2026-03-02T08:00:00Z' });
    const early = await createCase(agent.api, { subject: 'Not yet', sla_due_at: '2026-03-02T12:00:00Z' });
    await settle();
    const [a, b] = await Promise.all([sweep('2026-03-02T09:01:00Z'), sweep('2026-03-02T09:01:30Z')]);
    expect((a?.succeeded ?? 0) + (b?.succeeded ?? 0)).toBeGreaterThanOrEqual(1);
    const runs = (await runsOf('sla_escalation')).filter((r) => r.record === late);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', trigger: 'schedule', actor: null });
    expect(await row('case', late)).toMatchObject({ escalated: true, assigned_to: boss.id });
    expect((await row('case', early)).escalated).toBe(false);
    const notes = (await notificationsOf(boss)).filter((n) => n.data.record === late);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.title).toBe('Case past its SLA: Late');
    // Three hours on, the other case is late too; the first is escalated already and stays alone.
    await sweep('2026-03-02T12:05:00Z');
    expect((await row('case', early)).escalated).toBe(true);
    expect((await runsOf('sla_escalation')).filter((r) => r.record === late)).toHaveLength(1);
  });

  it('reminders go to the owner once per day while the task stays due', async () => {
    const due = await agent.api.post('/api/records/task', { subject: 'Send invoice', due_on: '2026-03-02' });
    const later = await agent.api.post('/api/records/task', { subject: 'Next week', due_on: '2026-03-09' });
    expect(due.status, due.text).toBe(201);
    expect(later.status).toBe(201);
    await settle();
    await sweep('2026-03-02T09:00:00Z');
    await sweep('2026-03-02T17:00:00Z');
    const today = (await notificationsOf(agent)).filter((n) => n.data.record === due.body.id);
    expect(today).toHaveLength(1);
    expect(today[0]?.title).toBe('Task due: Send invoice');
    await sweep('2026-03-03T08:00:00Z');
    expect((await notificationsOf(agent)).filter((n) => n.data.record === due.body.id)).toHaveLength(2);
    expect((await notificationsOf(agent)).filter((n) => n.data.record === later.body.id)).toHaveLength(0);
    // Done: no more reminders.
    await agent.api.patch(`/api/records/task/${due.body.id}`, { status: 'done' });
    await settle();
    await sweep('2026-03-04T08:00:00Z');
    expect((await notificationsOf(agent)).filter((n) => n.data.record === due.body.id)).toHaveLength(2);
  });

  it('the sweep endpoint runs this tenant only, for admins', async () => {
    const r = await tenant.api.post('/api/automations/sweep');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ succeeded: expect.any(Number), failed: 0, skipped: 0 });
  });
});

describe('workflows started on save', () => {
  it('a workflow triggered on create starts when its condition holds, as the saving user', async () => {
    await put('/api/meta/workflows/urgent_review', {
      object: 'case',
      label: 'Urgent case review',
      trigger: { on: 'create', condition: "record.priority === 'urgent'" },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'lead',
          type: 'approval',
          position: { x: 0, y: 100 },
          data: { label: 'Lead', approvers: [{ managerOf: 'submitter' }] },
        },
        { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
        { id: 'no', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'lead' },
        { id: 'b', source: 'lead', target: 'ok', data: { outcome: 'approved' } },
        { id: 'c', source: 'lead', target: 'no', data: { outcome: 'rejected' } },
      ],
    });
    try {
      const urgent = await createCase(agent.api, { subject: 'Server down', priority: 'urgent' });
      const calm = await createCase(agent.api, { subject: 'Typo on site', priority: 'low' });
      await settle();
      expect((await row('case', urgent)).approval_status).toBe('pending');
      expect((await row('case', calm)).approval_status).toBe('none');
      const inbox = await boss.api.get('/api/approvals/inbox');
      const item = inbox.body.items.find((i: { record: string }) => i.record === urgent);
      expect(item).toMatchObject({ workflow: 'urgent_review', submittedBy: { id: agent.id } });
      // Submitting by hand does not pick a save-triggered workflow.
      const submit = await agent.api.post(`/api/records/case/${calm}/submit`, {});
      expect(submit.status).toBe(400);
    } finally {
      await tenant.api.delete('/api/meta/workflows/urgent_review');
    }
  });
});

describe('workflows started on save (update)', () => {
  it('a workflow triggered on save starts when an update makes its condition hold', async () => {
    await put('/api/meta/workflows/escalated_review', {
      object: 'case',
      label: 'Escalated case review',
      trigger: { on: 'save', condition: "record.priority === 'urgent' && record.status === 'open'" },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'lead',
          type: 'approval',
          position: { x: 0, y: 100 },
          data: { label: 'Lead', approvers: [{ user: boss.id }] },
        },
        { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
        { id: 'no', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'lead' },
        { id: 'b', source: 'lead', target: 'ok', data: { outcome: 'approved' } },
        { id: 'c', source: 'lead', target: 'no', data: { outcome: 'rejected' } },
      ],
    });
    try {
      const id = await createCase(agent.api, { subject: 'Slowly getting worse', priority: 'urgent' });
      await settle();
      expect((await row('case', id)).approval_status).toBe('none');
      const r = await agent.api.patch(`/api/records/case/${id}`, { status: 'open' });
      expect(r.status, r.text).toBe(200);
      await settle();
      expect((await row('case', id)).approval_status).toBe('pending');
      // Pending: the rules that write this record now fail with the lock, recorded, the record untouched.
      const again = await tenant.api.patch(`/api/records/case/${id}`, { subject: 'x' });
      expect(again.status).toBe(409);
    } finally {
      await tenant.api.delete('/api/meta/workflows/escalated_review');
    }
  });
});

describe('templates', () => {
  it('rules travel with the metadata export', async () => {
    const all = await tenant.api.get('/api/meta/export');
    expect(all.status, all.text).toBe(200);
    expect(all.body.document.automations.follow_up).toMatchObject({ object: 'case', trigger: { on: 'create' } });
    expect(Object.keys(all.body.document.automations)).toEqual(
      expect.arrayContaining(['follow_up', 'status_note', 'sla_escalation', 'task_reminder']),
    );
    const history = await tenant.api.get('/api/meta/history', { query: { limit: 1 } });
    expect(history.status).toBe(200);
  });
});

describe('notify that would reach nobody', () => {
  beforeAll(async () => {
    await put('/api/meta/automations/urgent_manager', {
      label: 'Tell the manager of urgent cases',
      object: 'case',
      trigger: { on: 'create' },
      condition: "record.priority === 'urgent'",
      actions: [{ type: 'notify', to: ['managerOfOwner'], title: 'Urgent: {{record.subject}}', email: false }],
    });
  });
  const adminNotes = async (id: string) => {
    const r = await tenant.api.get('/api/notifications');
    expect(r.status, r.text).toBe(200);
    return (r.body.items as Array<{ data: Record<string, unknown> }>).filter((n) => n.data.record === id);
  };

  it('the manager of a user without one: the admins are told, and the run log says why', async () => {
    const id = await createCase(other.api, { subject: 'Nobody to tell', priority: 'urgent' });
    await settle();
    expect(await adminNotes(id)).toHaveLength(1);
    expect((await notificationsOf(other)).filter((n) => n.data.record === id)).toHaveLength(0);
    const [run] = (await runsOf('urgent_manager')).filter((r) => r.record === id);
    expect(run?.outcome).toBe('succeeded');
    expect(run?.actions[0]).toMatchObject({
      type: 'notify',
      users: [tenant.admin.id],
      fallback: 'admins',
      note: 'no manager: sent to admins',
    });
  });

  it('a user with a manager: only the manager, no fallback', async () => {
    const id = await createCase(agent.api, { subject: 'Boss knows', priority: 'urgent' });
    await settle();
    expect((await notificationsOf(boss)).filter((n) => n.data.record === id)).toHaveLength(1);
    expect(await adminNotes(id)).toHaveLength(0);
    const [run] = (await runsOf('urgent_manager')).filter((r) => r.record === id);
    expect(run?.actions[0]).toMatchObject({ type: 'notify', users: [boss.id] });
    expect(run?.actions[0].fallback).toBeUndefined();
  });
});

describe('permissions', () => {
  it("another agent's case: rules run as the system, the other agent sees nothing of them", async () => {
    const id = await createCase(other.api, { subject: 'Other high', priority: 'high' });
    await settle();
    expect(await db().from('task').where({ case: id })).toHaveLength(1);
    expect((await notificationsOf(agent)).filter((n) => n.data.record === id)).toHaveLength(0);
    // `other` has no manager: only the owner is told.
    expect((await notificationsOf(other)).filter((n) => n.data.record === id)).toHaveLength(1);
  });
});
