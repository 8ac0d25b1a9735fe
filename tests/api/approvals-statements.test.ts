/**
 * What one approval decision costs the database (issue 27): the statements a request sends are
 * counted with a knex query listener, only those naming the tenant's schema (other test files'
 * background work on the shared pool names other schemas), the session lookup left out (the
 * session cache's business: a metadata change empties it once). The limits are today's counts: a
 * change that sends more statements per decision fails here, and has to say why it needs them.
 * The exactly-one-winner races are in approvals.test.ts; here a race only has to stay cheap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TWO_LEVEL_CHAIN } from '../../bench/src/approval-chain';
import {
  type ApiClient,
  createTestTenant,
  putMeta,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../support';

type User = { id: string; email: string; api: ApiClient };
let server: TestServer;
let tenant: TestTenant;
let schema: string;
let submitter: User;
let r1: User;
let r2: User;

/** Statements per request, today (see the file's comment): raise one only with a reason. */
const LIMITS = {
  /**
   * The record locked with its update scope and pending instance, instance + `submitted` event + the
   * first step's approvers, the record's update (3: it takes the locked row), tasks + notices + the
   * instance's step.
   */
  submit: 6,
  /** An inbox read, however many tasks it lists (their records come in one statement per object). */
  inbox: 2,
  /** A decision that opens the next step: lock, claim + event + record lock + next approvers, tasks + notices + step. */
  decideNextStep: 3,
  /** The last decision: lock, claim + event + record lock, the record's update (3), end + event + notice. */
  decideLast: 6,
  /** The same decision again, once the first is committed. */
  decidedAlready: 1,
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'apst' });
  schema = `t_${tenant.id}`;
  await putMeta(tenant, '/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    'x-i18n': { 'zh-CN': { title: '商机' } },
    properties: {
      name: { type: 'string', maxLength: 200 },
      reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
      reviewer2: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
  });
  await putMeta(tenant, '/api/meta/roles/bench', {
    label: 'Bench',
    objects: { deal: { read: 'all', create: true, update: 'own' } },
  });
  submitter = await tenant.addUser({ roles: ['bench'], name: 'Sam Submitter' });
  r1 = await tenant.addUser({ roles: ['bench'], name: 'Rita Reviewer' });
  r2 = await tenant.addUser({ roles: ['bench'], name: 'Zhang Wei' });
  expect((await r2.api.patch('/api/auth/me', { locale: 'zh-CN' })).status).toBe(200);
  await putMeta(tenant, '/api/meta/workflows/chain', TWO_LEVEL_CHAIN);
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

/** The response of `fn` and the statements naming the tenant's schema sent while it ran. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const listener = (q: { sql: string }) => {
    // The session lookup is the session cache's business (a metadata change empties it once).
    if (q.sql.includes(`"${schema}"`) && !q.sql.includes(`"${schema}"."_sessions"`)) sql.push(q.sql);
  };
  server.runtime.db.on('query', listener);
  try {
    return { result: await fn(), sql };
  } finally {
    server.runtime.db.off('query', listener);
  }
}

const within = (c: { sql: string[] }, limit: number, what: string) => {
  if (process.env.SHOW_SQL) console.log(`== ${what}\n${c.sql.map((s) => s.slice(0, 700)).join('\n')}`);
  expect(c.sql.length, `${what}:\n${c.sql.map((s) => s.slice(0, 400)).join('\n')}`).toBeLessThanOrEqual(limit);
};

async function deal(name: string): Promise<string> {
  const [row] = await server.runtime.db
    .withSchema(schema)
    .insert({ name, reviewer: r1.id, reviewer2: r2.id, owner: submitter.id, created_by: submitter.id })
    .into('deal')
    .returning('id');
  return String(row.id);
}

async function taskOf(user: User, record: string): Promise<string> {
  const r = await user.api.get('/api/approvals/inbox');
  expect(r.status, r.text).toBe(200);
  const item = r.body.items.find((i: { record: string }) => i.record === record);
  expect(item, `no task for ${record}`).toBeTruthy();
  return item.task;
}

describe('statements per approval request', () => {
  it('a submit, an inbox read and each decision stay within their counts', async () => {
    const ids = [await deal('Alpha'), await deal('Beta')];
    for (const id of ids) {
      const submit = await counted(() => submitter.api.post(`/api/records/deal/${id}/submit`, {}));
      expect(submit.result.status, submit.result.text).toBe(201);
      within(submit, LIMITS.submit, 'submit');
    }
    // Two tasks listed, still two statements.
    const inbox = await counted(() => r1.api.get('/api/approvals/inbox'));
    expect(inbox.result.body.items.map((i: { recordLabel: string }) => i.recordLabel).sort()).toEqual([
      'Alpha',
      'Beta',
    ]);
    within(inbox, LIMITS.inbox, 'inbox');

    const first = await taskOf(r1, ids[0] as string);
    const next = await counted(() => r1.api.post(`/api/approvals/tasks/${first}/approve`, {}));
    expect(next.result.status, next.result.text).toBe(200);
    expect(next.result.body.instance).toMatchObject({ status: 'pending', step: 'l2' });
    within(next, LIMITS.decideNextStep, 'decision opening the next step');
    const again = await counted(() => r1.api.post(`/api/approvals/tasks/${first}/approve`, {}));
    expect(again.result.status).toBe(409);
    within(again, LIMITS.decidedAlready, 'the same decision again');

    const second = await taskOf(r2, ids[0] as string);
    const last = await counted(() => r2.api.post(`/api/approvals/tasks/${second}/approve`, {}));
    expect(last.result.status, last.result.text).toBe(200);
    expect(last.result.body.instance).toMatchObject({ status: 'approved', step: 'ok' });
    within(last, LIMITS.decideLast, 'the last decision');
  });

  it('a decision sent twice at once: one wins, the other is refused without writing', async () => {
    const id = await deal('Gamma');
    expect((await submitter.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
    const task = await taskOf(r1, id);
    const pair = await counted(() =>
      Promise.all([1, 2].map(() => r1.api.post(`/api/approvals/tasks/${task}/approve`, {}))),
    );
    expect(pair.result.map((r) => r.status).sort()).toEqual([200, 409]);
    // The loser waited for the instance lock and then found the task decided (a claim that writes nothing).
    within(pair, LIMITS.decideNextStep + 2, 'a decision and its duplicate');
    const tasks = await server.runtime.db.withSchema(schema).from('_wf_tasks').where({ assignee: r2.id });
    const events = await server.runtime.db.withSchema(schema).from('_wf_events').where({ record_id: id });
    expect(events.filter((e: { action: string }) => e.action === 'approved')).toHaveLength(1);
    expect(tasks.filter((t: { status: string }) => t.status === 'open')).toHaveLength(1);
  });

  it('approvers read ahead by the instance and claim statements route like a lookup: delegations, inactive reviewers', async () => {
    // Both levels' reviewers are away (a delegation in force now): each task goes to the stand-in,
    // recorded as delegated from the reviewer; a reviewer who is no longer active drops out (the
    // step goes to the tenant's admins, as a lookup would send it).
    const standIn = await tenant.addUser({ roles: ['bench'], name: 'Sara Stand-in' });
    const away = {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      until: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const d1 = await r1.api.post('/api/approvals/delegations', { to: standIn.id, ...away });
    const d2 = await r2.api.post('/api/approvals/delegations', { to: standIn.id, ...away });
    expect([d1.status, d2.status], `${d1.text} ${d2.text}`).toEqual([201, 201]);
    try {
      const id = await deal('Epsilon');
      expect((await submitter.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
      const tasks = () =>
        server.runtime.db
          .withSchema(schema)
          .from('_wf_tasks as t')
          .join('_wf_instances as i', 'i.id', 't.instance_id')
          .where('i.record_id', id)
          .orderBy('t.created_at')
          .select('t.node', 't.assignee', 't.delegated_from', 't.status');
      expect(await tasks()).toEqual([{ node: 'l1', assignee: standIn.id, delegated_from: r1.id, status: 'open' }]);
      const first = await standIn.api.post(`/api/approvals/tasks/${await taskOf(standIn, id)}/approve`, {});
      expect(first.status, first.text).toBe(200);
      expect((await tasks())[1]).toEqual({ node: 'l2', assignee: standIn.id, delegated_from: r2.id, status: 'open' });
    } finally {
      await r1.api.delete(`/api/approvals/delegations/${d1.body.id}`);
      await r2.api.delete(`/api/approvals/delegations/${d2.body.id}`);
    }
    const gone = await tenant.addUser({ roles: ['bench'], name: 'Gone Reviewer' });
    await server.runtime.db.withSchema(schema).table('_users').where({ id: gone.id }).update({ active: false });
    const [row] = await server.runtime.db
      .withSchema(schema)
      .insert({ name: 'Zeta', reviewer: r1.id, reviewer2: gone.id, owner: submitter.id, created_by: submitter.id })
      .into('deal')
      .returning('id');
    const id = String(row.id);
    expect((await submitter.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
    expect((await r1.api.post(`/api/approvals/tasks/${await taskOf(r1, id)}/approve`, {})).status).toBe(200);
    const second = await server.runtime.db
      .withSchema(schema)
      .from('_wf_tasks as t')
      .join('_wf_instances as i', 'i.id', 't.instance_id')
      .where({ 'i.record_id': id, 't.node': 'l2' })
      .select('t.assignee');
    expect(second.map((t: { assignee: string }) => t.assignee)).toEqual([tenant.admin.id]);
  });

  it('writes each notice in its recipient language in the same statement as the step', async () => {
    const id = await deal('Delta');
    expect((await submitter.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
    expect((await r1.api.post(`/api/approvals/tasks/${await taskOf(r1, id)}/approve`, {})).status).toBe(200);
    expect((await r2.api.post(`/api/approvals/tasks/${await taskOf(r2, id)}/approve`, {})).status).toBe(200);
    const titles = async (user: User) =>
      ((await user.api.get('/api/notifications')).body.items as Array<{ title: string; data: { record: string } }>)
        .filter((n) => n.data.record === id)
        .map((n) => n.title);
    expect(await titles(r1)).toEqual(['Approval needed: Deal Delta (l1)']);
    expect(await titles(r2)).toEqual(['待审批：商机 Delta（l2）']);
    expect(await titles(submitter)).toEqual(['Deal Delta was approved']);
    const mails = await server.runtime.db
      .withSchema(schema)
      .from('_email_outbox')
      .whereIn('to_address', [r1.email, r2.email])
      .where('body', 'like', '%Delta%')
      .orderBy('to_address');
    expect(mails.map((m: { subject: string }) => m.subject).sort()).toEqual([
      'Approval needed: Deal Delta',
      '待审批：商机 Delta',
    ]);
    expect(mails.every((m: { body: string }) => m.body.includes('/api/approvals/links/'))).toBe(true);
  });
});
