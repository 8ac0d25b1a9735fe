import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** The two-level "large deal" workflow of shared/API.md, plus an action that marks big deals. */
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
      data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }] },
    },
    { id: 'big', type: 'condition', position: { x: 0, y: 200 }, data: {} },
    { id: 'mark', type: 'action', position: { x: 0, y: 250 }, data: { set: { stage: 'negotiation' } } },
    {
      id: 'dir',
      type: 'approval',
      position: { x: 0, y: 300 },
      data: { label: 'Director', approvers: [{ role: 'director' }] },
    },
    { id: 'won', type: 'end', position: { x: 0, y: 400 }, data: { outcome: 'approved', set: { stage: 'won' } } },
    { id: 'no', type: 'end', position: { x: 200, y: 400 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'big', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
    { id: 'e4', source: 'big', target: 'mark', data: { condition: 'record.amount > 500000' } },
    { id: 'e4b', source: 'mark', target: 'dir' },
    { id: 'e5', source: 'big', target: 'won', data: { default: true } },
    { id: 'e6', source: 'dir', target: 'won', data: { outcome: 'approved' } },
    { id: 'e7', source: 'dir', target: 'no', data: { outcome: 'rejected' } },
  ],
};

let server: TestServer;
let tenant: TestTenant;
const simulate = (body: unknown, name = 'large_deal') => tenant.api.post(`/api/meta/workflows/${name}/simulate`, body);

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'wfsim' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 200 },
      amount: { type: 'number', minimum: 0 },
      stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'] },
    },
  });
  await put('/api/meta/roles/director', { label: 'Director', objects: { deal: { read: 'all' } } });
  await put('/api/meta/workflows/large_deal', largeDeal);
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('POST /api/meta/workflows/:name/simulate', () => {
  it('walks a large deal through both approval levels, running the action on the way', async () => {
    const r = await simulate({ record: { name: 'Big', amount: 600000 } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      triggered: true,
      path: ['start', 'mgr', 'big', 'mark', 'dir', 'won'],
      edges: ['e1', 'e2', 'e4', 'e4b', 'e6'],
      outcome: 'approved',
    });
    expect(r.body.steps[3]).toEqual({ node: 'mark', type: 'action', edge: 'e4b', set: { stage: 'negotiation' } });
  });

  it('takes the default branch for a smaller deal and reports a trigger that does not hold', async () => {
    const mid = await simulate({ record: { amount: 200000 } });
    expect(mid.body).toMatchObject({ triggered: true, path: ['start', 'mgr', 'big', 'won'], outcome: 'approved' });
    const small = await simulate({ record: { amount: 10 } });
    expect(small.body).toMatchObject({ triggered: false, outcome: 'approved' });
  });

  it('follows rejections given per node', async () => {
    const r = await simulate({ record: { amount: 600000 }, decisions: { dir: 'rejected' } });
    expect(r.body).toMatchObject({ path: ['start', 'mgr', 'big', 'mark', 'dir', 'no'], outcome: 'rejected' });
    expect(r.body.steps[4].decision).toBe('rejected');
  });

  it('simulates an unsaved draft and writes nothing', async () => {
    const draft = structuredClone(largeDeal);
    draft.edges.find((e) => e.id === 'e4')!.data = { condition: 'record.amount > 50' };
    const before = (await tenant.api.get('/api/meta')).body.version;
    const r = await simulate({ record: { amount: 100 }, definition: draft }, 'not_saved_yet');
    expect(r.status, r.text).toBe(200);
    expect(r.body.path).toContain('dir');
    expect((await tenant.api.get('/api/meta')).body.version).toBe(before);
  });

  it('refuses a broken draft with the offending node ids and JSON paths', async () => {
    const draft = structuredClone(largeDeal);
    draft.edges = draft.edges.filter((e) => e.id !== 'e7');
    const r = await simulate({ record: {}, definition: draft });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.body.error.details)).toContain('[dir]');
    // Coded for clients to say in the admin's language.
    expect(r.body.error.details.issues).toContainEqual(
      expect.objectContaining({ code: 'approval_rejected_edge', path: '/definition/nodes/4' }),
    );
    const shape = await simulate({ record: {}, definition: { object: 'deal', nodes: 'x' } });
    expect(shape.status).toBe(400);
    expect(Object.keys(shape.body.error.fields ?? {}).join()).toContain('/definition');
  });

  it("computes the object's formula fields from the sample before conditions see it", async () => {
    // total_cost is a formula: an admin enters travel and hours, never total_cost itself.
    const r1 = await tenant.api.put('/api/meta/objects/expense', {
      title: 'Expense',
      type: 'object',
      properties: {
        travel: { type: 'number' },
        hours: { type: 'number' },
        total_cost: { type: 'number', 'x-formula': '(record.travel || 0) + (record.hours || 0) * 80' },
        band: { type: 'string', 'x-formula': 'record.total_cost > 1000 ? "high" : "low"' },
      },
    });
    expect(r1.status, r1.text).toBe(200);
    const expense = {
      object: 'expense',
      label: 'Expense approval',
      trigger: { on: 'submit', condition: 'record.total_cost > 0' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        { id: 'gate', type: 'condition', position: { x: 0, y: 100 }, data: {} },
        { id: 'boss', type: 'approval', position: { x: 0, y: 200 }, data: { approvers: [{ role: 'director' }] } },
        { id: 'ok', type: 'end', position: { x: 0, y: 300 }, data: { outcome: 'approved' } },
        { id: 'no', type: 'end', position: { x: 200, y: 300 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'x1', source: 'start', target: 'gate' },
        {
          id: 'x2',
          source: 'gate',
          target: 'boss',
          data: { condition: "record.total_cost > 1000 && record.band === 'high'" },
        },
        { id: 'x3', source: 'gate', target: 'ok', data: { default: true } },
        { id: 'x4', source: 'boss', target: 'ok', data: { outcome: 'approved' } },
        { id: 'x5', source: 'boss', target: 'no', data: { outcome: 'rejected' } },
      ],
    };
    const r2 = await tenant.api.put('/api/meta/workflows/expense_approval', expense);
    expect(r2.status, r2.text).toBe(200);
    const big = await simulate({ record: { travel: 200, hours: 12 } }, 'expense_approval');
    expect(big.status, big.text).toBe(200);
    expect(big.body).toMatchObject({ triggered: true, path: ['start', 'gate', 'boss', 'ok'] });
    expect(big.body.computed).toEqual({ total_cost: 1160, band: 'high' });
    const small = await simulate({ record: { travel: 100, hours: 2 } }, 'expense_approval');
    expect(small.body).toMatchObject({ triggered: true, path: ['start', 'gate', 'ok'] });
    // A value typed into a formula field is not what a save would store: the formula wins.
    const typed = await simulate({ record: { travel: 0, hours: 1, total_cost: 99999 } }, 'expense_approval');
    expect(typed.body.path).toEqual(['start', 'gate', 'ok']);
    expect(typed.body.computed.total_cost).toBe(80);
  });

  it('answers clear 4xx for bad input, unknown workflows and non-admins', async () => {
    expect((await simulate({ record: [] })).status).toBe(400);
    expect((await simulate({})).status).toBe(400);
    expect((await simulate({ record: {}, decisions: { mgr: 'maybe' } })).status).toBe(400);
    expect((await simulate({ record: {} }, 'ghost')).status).toBe(404);
    expect((await simulate({ record: {} }, "x'; drop table deal;--")).status).toBe(404);
    const raw = await tenant.api.post('/api/meta/workflows/large_deal/simulate', '{"record":', {
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    const big = await simulate({ record: { name: 'x'.repeat(3_000_000) } });
    expect(big.status).toBe(413);
    const user = await tenant.addUser({ roles: ['director'] });
    expect((await user.api.post('/api/meta/workflows/large_deal/simulate', { record: {} })).status).toBe(403);
    const throws = await simulate({
      record: { amount: 600000 },
      definition: {
        ...largeDeal,
        edges: largeDeal.edges.map((e) =>
          e.id === 'e4' ? { ...e, data: { condition: 'record.lines.length > 2' } } : e,
        ),
      },
    });
    expect(throws.status, throws.text).toBeGreaterThanOrEqual(400);
    expect(throws.status).toBeLessThan(500);
  });
});

describe('GET /api/approvals/workflows/:name/versions', () => {
  it("counts the workflow's own versions, not every change of the metadata", async () => {
    const before = await tenant.api.get('/api/approvals/workflows/large_deal/versions');
    expect(before.status, before.text).toBe(200);
    // Other changes since large_deal was stored moved the metadata version, not the workflow's.
    expect(before.body.current).toBeGreaterThan(2);
    expect(before.body.workflowVersion).toBe(1);
    const changed = { ...structuredClone(largeDeal), label: 'Large deal approval (v2)' };
    expect((await tenant.api.put('/api/meta/workflows/large_deal', changed)).status).toBe(200);
    expect((await tenant.api.put('/api/meta/roles/auditor', { label: 'Auditor' })).status).toBe(200);
    const after = await tenant.api.get('/api/approvals/workflows/large_deal/versions');
    expect(after.body.workflowVersion).toBe(2);
    expect(after.body.current).toBe(before.body.current + 2);
    expect((await tenant.api.get('/api/approvals/workflows/ghost/versions')).status).toBe(404);
  });
});
