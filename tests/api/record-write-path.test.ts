/**
 * One record write path: approval steps and import reverts change records through the records
 * engine, so the record's history (with what caused the change), formulas, record hooks and
 * automation rules see those changes like any user's save.
 */
import { type BeforeDeletePayload, type BeforeUpdatePayload, conflict } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

type User = { id: string; api: ApiClient };
type HistoryItem = {
  action: string;
  user: string | null;
  changes: Record<string, [unknown, unknown]>;
  batch: string | null;
  cause: { kind: string; text: string; ref?: Record<string, unknown> } | null;
};

let server: TestServer;
let tenant: TestTenant;
let manager: User;
let rep: User;
/** The beforeUpdate / beforeDelete payloads the records engine gave this tenant's hooks. */
const beforeUpdates: BeforeUpdatePayload[] = [];
const beforeDeletes: BeforeDeletePayload[] = [];

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 200 },
    amount: { type: 'number', minimum: 0 },
    stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'], default: 'new' },
    checked: { type: 'boolean', default: false },
    celebrated: { type: 'boolean', default: false },
    bonus: { type: 'number', 'x-formula': "record.stage === 'won' ? record.amount / 10 : 0" },
  },
  required: ['name', 'amount'],
};

const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y: 0 },
  data,
});

/** Manager review, then an action node, then an end node that sets the stage. */
const bigDeal = {
  object: 'deal',
  label: 'Big deal',
  trigger: { on: 'submit' },
  nodes: [
    node('start', 'start'),
    node('review', 'approval', { label: 'Manager review', approvers: [{ managerOf: 'submitter' }], mode: 'any' }),
    node('flag', 'action', { set: { checked: true } }),
    node('won', 'end', { outcome: 'approved', set: { stage: 'won' } }),
    node('no', 'end', { outcome: 'rejected' }),
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'review' },
    { id: 'e2', source: 'review', target: 'flag', data: { outcome: 'approved' } },
    { id: 'e3', source: 'flag', target: 'won' },
    { id: 'e4', source: 'review', target: 'no', data: { outcome: 'rejected' } },
  ],
};

/** Started by every save of an expense; its own approval must not start it again. */
const expenseCheck = {
  object: 'expense',
  label: 'Expense check',
  trigger: { on: 'save' },
  nodes: [
    node('start', 'start'),
    node('fin', 'approval', { label: 'Finance', approvers: [{ managerOf: 'submitter' }], mode: 'any' }),
    node('ok', 'end', { outcome: 'approved', set: { paid: true } }),
    node('ko', 'end', { outcome: 'rejected' }),
  ],
  edges: [
    { id: 'a', source: 'start', target: 'fin' },
    { id: 'b', source: 'fin', target: 'ok', data: { outcome: 'approved' } },
    { id: 'c', source: 'fin', target: 'ko', data: { outcome: 'rejected' } },
  ],
};

async function put(path: string, body: unknown) {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}

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

async function history(api: ApiClient, object: string, id: string): Promise<HistoryItem[]> {
  const r = await api.get(`/api/records/${object}/${id}/history`);
  expect(r.status, r.text).toBe(200);
  return r.body.items;
}

async function createDeal(values: Record<string, unknown> = {}): Promise<string> {
  const r = await rep.api.post('/api/records/deal', { name: 'Big one', amount: 5000, stage: 'negotiation', ...values });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function taskOf(user: User, recordId: string): Promise<string> {
  const r = await user.api.get('/api/approvals/inbox');
  expect(r.status, r.text).toBe(200);
  const item = r.body.items.find((i: { record: string }) => i.record === recordId);
  expect(item, `no task for ${recordId}`).toBeTruthy();
  return item.task;
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'wpath' });
  await put('/api/meta/objects/deal', deal);
  await put('/api/meta/objects/expense', {
    title: 'Expense',
    type: 'object',
    properties: { label: { type: 'string', maxLength: 200 }, paid: { type: 'boolean', default: false } },
  });
  const own = { create: true, read: 'own', update: 'own', delete: 'own' };
  await put('/api/meta/roles/sales_rep', { label: 'Rep', objects: { deal: own, expense: own } });
  // The manager may read deals but not edit them: approving is still theirs, and so is the history entry.
  await put('/api/meta/roles/sales_manager', {
    label: 'Manager',
    objects: { deal: { read: 'subordinates', update: false }, expense: { read: 'subordinates' } },
  });
  manager = await tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager' });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
  await put('/api/meta/workflows/big_deal', bigDeal);
  await put('/api/meta/workflows/expense_check', expenseCheck);
  await put('/api/meta/automations/deal_won', {
    label: 'Deal won',
    object: 'deal',
    trigger: { on: 'update', fields: ['stage'] },
    condition: "record.stage === 'won'",
    actions: [{ type: 'set', values: { celebrated: true } }],
  });
  server.runtime.hooks.filter<BeforeUpdatePayload>('record.beforeUpdate', (ctx, p) => {
    if (ctx.tenant === tenant.id) beforeUpdates.push(structuredClone(p));
  });
  server.runtime.hooks.filter<BeforeDeletePayload>('record.beforeDelete', (ctx, p) => {
    if (ctx.tenant !== tenant.id) return;
    beforeDeletes.push(structuredClone(p));
    if (p.old.name === 'Keep me') throw conflict('This deal stays');
  });
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('approval steps change records through the records engine', () => {
  it('writes an end node’s fields to history with their cause, runs formulas, hooks and after-save rules', async () => {
    const id = await createDeal();
    const submitted = await rep.api.post(`/api/records/deal/${id}/submit`, {});
    expect(submitted.status, submitted.text).toBe(201);
    const approved = await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, id)}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.instance.status).toBe('approved');
    await settle();

    const record = (await rep.api.get(`/api/records/deal/${id}`)).body;
    expect(record).toMatchObject({ stage: 'won', checked: true, approval_status: 'approved', bonus: 500 });

    const items = (await history(rep.api, 'deal', id)).filter((h) => h.action === 'update');
    const end = items.find((h) => h.changes.stage);
    expect(end).toMatchObject({
      action: 'update',
      user: manager.id,
      changes: { stage: ['negotiation', 'won'], approval_status: ['pending', 'approved'], bonus: [0, 500] },
      cause: { kind: 'workflow', ref: { workflow: 'big_deal', node: 'won', step: 'review', decision: 'approved' } },
    });
    expect(end?.cause?.text).toContain('big_deal');
    expect(end?.cause?.text).toContain('Manager review');
    expect(end?.cause?.text).toContain('approved by Mia Manager');

    const action = items.find((h) => h.changes.checked);
    expect(action).toMatchObject({ changes: { checked: [false, true] }, cause: { kind: 'workflow' } });
    expect(action?.cause?.ref).toMatchObject({ node: 'flag' });

    const submit = items.find((h) => h.changes.approval_status?.[1] === 'pending');
    expect(submit).toMatchObject({ user: rep.id, changes: { approval_status: ['none', 'pending'] } });
    expect(submit?.cause?.text).toContain('submitted by Rob Rep');

    // The rule on "stage became won" ran once, after the approval committed, and its write is in history too.
    const runs = await tenant.api.get('/api/automations/runs', { query: { rule: 'deal_won' } });
    expect(runs.body.items.filter((r: { record: string }) => r.record === id)).toMatchObject([
      { outcome: 'succeeded' },
    ]);
    expect((await rep.api.get(`/api/records/deal/${id}`)).body.celebrated).toBe(true);
    const rule = (await history(rep.api, 'deal', id)).find((h) => h.changes.celebrated);
    expect(rule?.cause).toMatchObject({ kind: 'automation', ref: { rule: 'deal_won' } });

    // Record hooks saw the workflow's writes, and were told what caused them.
    const seen = beforeUpdates.filter((u) => u.id === id && u.cause?.kind === 'workflow');
    expect(seen.map((u) => Object.keys(u.patch))).toEqual([[], ['checked'], ['stage']]);
  });

  it('records a recall in history, and leaves the record editable', async () => {
    const id = await createDeal({ name: 'Recalled' });
    const submitted = await rep.api.post(`/api/records/deal/${id}/submit`, {});
    expect(submitted.status, submitted.text).toBe(201);
    const recalled = await rep.api.post(`/api/approvals/instances/${submitted.body.instance.id}/recall`, {});
    expect(recalled.status, recalled.text).toBe(200);
    const [last] = await history(rep.api, 'deal', id);
    expect(last).toMatchObject({ user: rep.id, changes: { approval_status: ['pending', 'none'] } });
    expect(last?.cause).toMatchObject({ kind: 'workflow', ref: { workflow: 'big_deal' } });
    expect(last?.cause?.text).toContain('recalled by Rob Rep');
    expect((await rep.api.patch(`/api/records/deal/${id}`, { amount: 10 })).status).toBe(200);
  });

  it('gives one winner and one history entry when the same task is decided twice at once', async () => {
    const id = await createDeal({ name: 'Raced' });
    expect((await rep.api.post(`/api/records/deal/${id}/submit`, {})).status).toBe(201);
    const task = await taskOf(manager, id);
    const answers = await Promise.all([1, 2].map(() => manager.api.post(`/api/approvals/tasks/${task}/approve`, {})));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const updates = (await history(rep.api, 'deal', id)).filter((h) => h.action === 'update');
    expect(updates.filter((h) => h.changes.stage)).toHaveLength(1);
    expect(updates.filter((h) => h.changes.checked)).toHaveLength(1);
  });

  it('does not start a save-triggered workflow again because of its own writes', async () => {
    const r = await rep.api.post('/api/records/expense', { label: 'Taxi' });
    expect(r.status, r.text).toBe(201);
    await settle();
    const approvals = async () => (await rep.api.get(`/api/records/expense/${r.body.id}/approvals`)).body.items;
    expect(await approvals()).toHaveLength(1);
    const decided = await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, r.body.id)}/approve`, {});
    expect(decided.status, decided.text).toBe(200);
    await settle();
    expect((await approvals()).map((i: { status: string }) => i.status)).toEqual(['approved']);
    expect((await rep.api.get(`/api/records/expense/${r.body.id}`)).body).toMatchObject({
      paid: true,
      approval_status: 'approved',
    });
  });
});

describe('an import revert deletes through the records engine', () => {
  it('runs beforeDelete hooks (a refusal skips the record) and audits the deletes with the import', async () => {
    const csv = 'name,amount\nFirst,1\nKeep me,2\nThird,3';
    const imported = await tenant.api.post('/api/records/deal/import', undefined, {
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status, imported.text).toBe(200);
    const importId = imported.body.id as string;
    const ids = (
      await tenant.api.get('/api/records/deal', {
        query: { filter: JSON.stringify({ name: { in: ['First', 'Keep me', 'Third'] } }), sort: 'name' },
      })
    ).body.items.map((d: { id: string }) => d.id) as string[];
    expect(ids).toHaveLength(3);

    const reverted = await tenant.api.post(`/api/records/deal/imports/${importId}/revert`);
    expect(reverted.status, reverted.text).toBe(200);
    expect(reverted.body).toMatchObject({ deleted: 2, skipped: 1 });
    expect(beforeDeletes.filter((d) => ids.includes(d.id)).map((d) => d.old.name)).toEqual(
      expect.arrayContaining(['First', 'Keep me', 'Third']),
    );
    expect(beforeDeletes.find((d) => d.id === ids[0])?.cause).toMatchObject({
      kind: 'import',
      ref: { import: importId },
    });

    const left = await tenant.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ name: { in: ['First', 'Keep me', 'Third'] } }) },
    });
    expect(left.body.items.map((d: { name: string }) => d.name)).toEqual(['Keep me']);
    const [gone] = await history(tenant.api, 'deal', ids[0]!);
    expect(gone).toMatchObject({ action: 'delete', batch: importId, cause: { kind: 'import' } });
    expect(gone?.cause?.text).toContain('revert');
  });
});
