import { runInUnitOfWork, systemCtx } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Scripts taking effect on real saves: validate, beforeSave, formulas, afterSave after commit,
 * action endpoints, and query() through the records engine with the caller's permissions.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let manager: Awaited<ReturnType<TestTenant['addUser']>>;

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    discount: { type: 'number', minimum: 0, maximum: 100, 'x-kind': 'percent' },
    stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'] },
    note: { type: 'string', maxLength: 200 },
    net: { type: 'number', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
  },
  required: ['name', 'amount'],
};

const member = {
  title: 'Member',
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    points: { type: 'integer', minimum: 0 },
    tier: { type: 'string', enum: ['silver', 'gold', 'platinum'] },
  },
  required: ['name'],
};

const scripts: Record<string, Record<string, unknown>> = {
  discount_rule: {
    object: 'deal',
    event: 'validate',
    code: "if (record.discount > 20 && !user.roles.includes('sales_manager')) error('discount', 'Discounts above 20% need a sales manager');",
  },
  stage_default: { object: 'deal', event: 'beforeSave', code: "if (!record.stage) set('stage', 'new');" },
  after_log: {
    object: 'deal',
    event: 'afterSave',
    code: "const rows = await query('deal', { id: { eq: record.id } });\nlog('seen', rows.length, record.stage, old ? old.stage : null);",
  },
  close_deal: {
    object: 'deal',
    event: 'action',
    code: "if (!params.reason) error('reason', 'Give a reason');\nset('stage', 'won');\nset('note', 'closed: ' + params.reason);\nreturn { previous: record.stage };",
  },
  count_deals: {
    object: 'deal',
    event: 'action',
    code: "const all = await query('deal', {}, { sort: 'name' });\nreturn all.map((d) => d.name);",
  },
  greedy: {
    object: 'deal',
    event: 'action',
    code: "for (let i = 0; i < 3; i++) await query('deal', {});\nreturn 'done';",
  },
  probe_objects: {
    object: 'deal',
    event: 'action',
    code: [
      'const out = {};',
      'const tries = {',
      "  system_table: () => query('_users', {}),",
      "  unknown_object: () => query('nope', {}),",
      "  too_many: () => query('deal', {}, { limit: 100000 }),",
      "  bad_sort: () => query('deal', {}, { sort: 'name; drop table deal' }),",
      "  team_operator: () => query('deal', { owner: { $inTeamOf: params.admin } }),",
      "  shared_operator: () => query('deal', { id: { $sharedWith: { user: params.admin, roles: ['admin'], level: 'read' } } }),",
      "  unknown_field: () => query('deal', { password_hash: { eq: 'x' } }),",
      '};',
      'for (const [name, run] of Object.entries(tries)) {',
      '  try {',
      '    out[name] = (await run()).length;',
      '  } catch (e) {',
      '    out[name] = e.message;',
      '  }',
      '}',
      'return out;',
    ].join('\n'),
  },
  probe_filter: {
    object: 'deal',
    event: 'action',
    code: "try {\n  await query('deal', { 'name; drop table deal': { eq: 1 } });\n  return 'ran';\n} catch (e) {\n  return e.message;\n}",
  },
  tier: {
    object: 'member',
    event: 'beforeSave',
    language: 'ts',
    code: "const points: number = record.points ?? 0;\nset('tier', points >= 5000 ? 'platinum' : points >= 1000 ? 'gold' : 'silver');",
  },
};

beforeAll(async () => {
  server = await startTestServer({ runtimeConfig: { scripts: { timeoutMs: 3000 } } });
  tenant = await createTestTenant(server, { prefix: 'scrrec' });
  for (const [name, body] of Object.entries({ deal, member })) {
    const r = await tenant.api.put(`/api/meta/objects/${name}`, body);
    expect(r.status, r.text).toBe(200);
  }
  const role = (update: boolean) => ({
    label: 'Sales',
    objects: { deal: { create: true, read: 'own', update: update ? 'own' : false, delete: false } },
  });
  for (const [name, body] of Object.entries({
    sales_rep: role(true),
    sales_manager: role(true),
    viewer: role(false),
  })) {
    const r = await tenant.api.put(`/api/meta/roles/${name}`, body);
    expect(r.status, r.text).toBe(200);
  }
  for (const [name, body] of Object.entries(scripts)) {
    const r = await tenant.api.put(`/api/meta/scripts/${name}`, body);
    expect(r.status, `${name}: ${r.text}`).toBe(200);
  }
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rep' });
  manager = await tenant.addUser({ roles: ['sales_manager'], name: 'Manager' });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const createDeal = (api: TestTenant['api'], body: Record<string, unknown>) => api.post('/api/records/deal', body);

describe('save scripts', () => {
  it('a validate script refuses the save with 400 and the error on its field; nothing is saved', async () => {
    const r = await createDeal(rep.api, { name: 'Too generous', amount: 1000, discount: 25 });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { discount: 'Discounts above 20% need a sales manager' },
    });
    const list = await tenant.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ name: { eq: 'Too generous' } }) },
    });
    expect(list.body.items).toEqual([]);
    const ok = await createDeal(manager.api, { name: 'Manager deal', amount: 1000, discount: 25 });
    expect(ok.status, ok.text).toBe(201);
  });

  it('beforeSave set() and formulas are in the saved record, and recomputed on update', async () => {
    const r = await createDeal(rep.api, { name: 'Formula deal', amount: 1000, discount: 10 });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ stage: 'new', net: 900 });
    const got = await rep.api.get(`/api/records/deal/${r.body.id}`);
    expect(got.body).toMatchObject({ stage: 'new', net: 900 });
    const patched = await rep.api.patch(
      `/api/records/deal/${r.body.id}`,
      { discount: 20 },
      { headers: { 'if-match': '1' } },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ net: 800, stage: 'new', version: 2 });
  });

  it('a changed script takes effect on the next save (compiled scripts are per metadata version)', async () => {
    const rule = (limit: number) => ({
      ...scripts.discount_rule,
      code: `if (record.discount > ${limit} && !user.roles.includes('sales_manager')) error('discount', 'Over ${limit}%');`,
    });
    expect((await tenant.api.put('/api/meta/scripts/discount_rule', rule(30))).status).toBe(200);
    try {
      expect((await createDeal(rep.api, { name: 'Now allowed', amount: 10, discount: 25 })).status).toBe(201);
      const over = await createDeal(rep.api, { name: 'Still too much', amount: 10, discount: 35 });
      expect(over.body.error?.fields).toEqual({ discount: 'Over 30%' });
    } finally {
      expect((await tenant.api.put('/api/meta/scripts/discount_rule', scripts.discount_rule)).status).toBe(200);
    }
    const back = await createDeal(rep.api, { name: 'Refused again', amount: 10, discount: 25 });
    expect(back.status).toBe(400);
  });

  it('a formula field cannot be written by clients', async () => {
    const r = await createDeal(rep.api, { name: 'Cheat', amount: 10, net: 1_000_000 });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.fields ?? {})).toContain('net');
  });

  it('a TypeScript beforeSave script computes the membership tier from points', async () => {
    const r = await tenant.api.post('/api/records/member', { name: 'Ann', points: 1200 });
    expect(r.status, r.text).toBe(201);
    expect(r.body.tier).toBe('gold');
    const up = await tenant.api.patch(
      `/api/records/member/${r.body.id}`,
      { points: 6000 },
      { headers: { 'if-match': '1' } },
    );
    expect(up.body.tier).toBe('platinum');
  });

  it('a validate script can query() inside the save’s transaction', async () => {
    const unique = await tenant.api.put('/api/meta/scripts/unique_member', {
      object: 'member',
      event: 'validate',
      code: "const same = await query('member', { name: { eq: record.name } });\nif (same.some((m) => m.id !== record.id)) error('name', 'This name is taken');",
    });
    expect(unique.status, unique.text).toBe(200);
    try {
      const first = await tenant.api.post('/api/records/member', { name: 'Bob', points: 1 });
      expect(first.status, first.text).toBe(201);
      const second = await tenant.api.post('/api/records/member', { name: 'Bob', points: 2 });
      expect(second.status).toBe(400);
      expect(second.body.error.fields).toEqual({ name: 'This name is taken' });
      // Saving the same record again is not a clash with itself.
      const again = await tenant.api.patch(
        `/api/records/member/${first.body.id}`,
        { points: 3 },
        { headers: { 'if-match': '1' } },
      );
      expect(again.status, again.text).toBe(200);
    } finally {
      expect((await tenant.api.delete('/api/meta/scripts/unique_member')).status).toBe(200);
    }
  });

  it('a failing script answers 422 SCRIPT_FAILED naming it and the line, and rolls the save back', async () => {
    const broken = await tenant.api.put('/api/meta/scripts/broken_rule', {
      object: 'member',
      event: 'validate',
      code: "if (record.name === 'Crash') {\n  record.missing.field;\n}",
    });
    expect(broken.status, broken.text).toBe(200);
    try {
      const r = await tenant.api.post('/api/records/member', { name: 'Crash', points: 1 });
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({
        code: 'SCRIPT_FAILED',
        details: { reason: 'error', script: 'broken_rule', line: 2 },
      });
      expect(r.body.error.message).toMatch(/^Script "broken_rule" failed at line 2/);
      const list = await tenant.api.get('/api/records/member', {
        query: { filter: JSON.stringify({ name: { eq: 'Crash' } }) },
      });
      expect(list.body.items).toEqual([]);
    } finally {
      expect((await tenant.api.delete('/api/meta/scripts/broken_rule')).status).toBe(200);
    }
  });
});

describe('afterSave', () => {
  it('runs after commit, as the user who saved, seeing the committed record', async () => {
    const spy = vi.spyOn(server.runtime.saveScripts, 'runAfterSave');
    try {
      const r = await createDeal(rep.api, { name: 'After deal', amount: 5 });
      expect(r.status, r.text).toBe(201);
      await server.runtime.outbox.drain();
      const call = spy.mock.calls.find(([, , payload]) => payload.record.id === r.body.id);
      expect(call?.[0].user.id).toBe(rep.id);
      const results = await spy.mock.results[spy.mock.calls.indexOf(call!)]!.value;
      expect(results[0].logs).toEqual(['[after_log] seen 1 new null']);
    } finally {
      spy.mockRestore();
    }
  });

  it('is not run when the save is refused or its transaction rolls back', async () => {
    const spy = vi.spyOn(server.runtime.saveScripts, 'runAfterSave');
    try {
      const refused = await createDeal(rep.api, { name: 'Refused', amount: 5, discount: 50 });
      expect(refused.status).toBe(400);
      const ctx = await systemCtx(server.runtime.db, tenant.id, tenant.admin.id);
      await expect(
        runInUnitOfWork(ctx, async (tx) => {
          await server.runtime.records.create(tx, 'deal', { name: 'Rolled back', amount: 5 });
          throw new Error('something later in the same transaction failed');
        }),
      ).rejects.toThrow(/something later/);
      await server.runtime.outbox.drain();
      const names = spy.mock.calls.map(([, , payload]) => payload.record.name);
      expect(names).not.toContain('Refused');
      expect(names).not.toContain('Rolled back');
      const list = await tenant.api.get('/api/records/deal', {
        query: { filter: JSON.stringify({ name: { eq: 'Rolled back' } }) },
      });
      expect(list.body.items).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('action scripts: POST /api/records/:object/:id/actions/:script', () => {
  it('runs the action, saves what it set through the normal update and returns its result', async () => {
    const d = await createDeal(rep.api, { name: 'To close', amount: 100 });
    const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/close_deal`, { reason: 'signed' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      result: { previous: 'new' },
      changes: { stage: 'won', note: 'closed: signed' },
      record: { id: d.body.id, stage: 'won', note: 'closed: signed', version: 2, net: 100 },
    });
    const got = await rep.api.get(`/api/records/deal/${d.body.id}`);
    expect(got.body).toMatchObject({ stage: 'won', version: 2 });
  });

  it('runs without a request body (no params)', async () => {
    const d = await createDeal(rep.api, { name: 'No body', amount: 7 });
    const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/count_deals`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.result).toContain('No body');
  });

  it('error() in an action answers 400 with its field and saves nothing', async () => {
    const d = await createDeal(rep.api, { name: 'No reason', amount: 100 });
    const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/close_deal`, {});
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { reason: 'Give a reason' } });
    expect((await rep.api.get(`/api/records/deal/${d.body.id}`)).body).toMatchObject({ stage: 'new', version: 1 });
  });

  it('answers 404 for unknown actions, non-action scripts, other objects and records outside the caller’s scope', async () => {
    const mine = await createDeal(rep.api, { name: 'Rep only', amount: 1 });
    const base = `/api/records/deal/${mine.body.id}/actions`;
    for (const name of ['nope', 'discount_rule', 'after_log']) {
      const r = await rep.api.post(`${base}/${name}`, {});
      expect(r.status, name).toBe(404);
    }
    expect((await rep.api.post(`/api/records/member/${mine.body.id}/actions/close_deal`, {})).status).toBe(404);
    expect((await manager.api.post(`${base}/close_deal`, { reason: 'x' })).status).toBe(404);
    expect(
      (await rep.api.post('/api/records/deal/00000000-0000-4000-8000-000000000000/actions/close_deal', { reason: 'x' }))
        .status,
    ).toBe(404);
    expect((await rep.api.get(`/api/records/deal/${mine.body.id}`)).body.stage).toBe('new');
  });

  it('a user who may read but not update gets 403 when the action sets fields', async () => {
    const viewer = await tenant.addUser({ roles: ['viewer'], name: 'Viewer' });
    const own = await createDeal(viewer.api, { name: 'Viewer deal', amount: 3 });
    expect(own.status, own.text).toBe(201);
    const r = await viewer.api.post(`/api/records/deal/${own.body.id}/actions/close_deal`, { reason: 'x' });
    expect(r.status, r.text).toBe(403);
    const readOnly = await viewer.api.post(`/api/records/deal/${own.body.id}/actions/count_deals`, {});
    expect(readOnly.status, readOnly.text).toBe(200);
    expect(readOnly.body.result).toEqual(['Viewer deal']);
  });

  it('refuses bad input with 400: malformed JSON, a body that is not an object, bad names', async () => {
    const d = await createDeal(rep.api, { name: 'Input', amount: 1 });
    const base = `/api/records/deal/${d.body.id}/actions`;
    expect((await rep.api.post(`${base}/close_deal`, undefined, { raw: '{"reason": ' })).status).toBe(400);
    expect((await rep.api.post(`${base}/close_deal`, undefined, { raw: '[1, 2]' })).status).toBe(400);
    expect((await rep.api.post(`${base}/Close-Deal`, {})).status).toBe(400);
    expect((await rep.api.post(`/api/records/Deal%3B/${d.body.id}/actions/close_deal`, {})).status).toBe(400);
    expect((await server.anon.post(`${base}/close_deal`, { reason: 'x' })).status).toBe(401);
  });

  it('a concurrent edit between read and save answers 409, never a lost update', async () => {
    const d = await createDeal(rep.api, { name: 'Raced', amount: 1 });
    const records = server.runtime.records;
    const realGet = records.get.bind(records);
    const spy = vi.spyOn(records, 'get').mockImplementationOnce(async (ctx, object, id, ...rest) => {
      const row = await realGet(ctx, object, id, ...rest);
      // Someone else saves the record after the action has read it.
      const other = await rep.api.patch(
        `/api/records/deal/${id}`,
        { note: 'edited meanwhile' },
        { headers: { 'if-match': '1' } },
      );
      expect(other.status, other.text).toBe(200);
      return row;
    });
    try {
      const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/close_deal`, { reason: 'late' });
      expect(r.status, r.text).toBe(409);
      expect((await rep.api.get(`/api/records/deal/${d.body.id}`)).body).toMatchObject({
        note: 'edited meanwhile',
        stage: 'new',
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('query() from scripts', () => {
  it('sees exactly the records the calling user may read', async () => {
    const mine = await createDeal(rep.api, { name: 'AAA rep query', amount: 1 });
    const asRep = await rep.api.post(`/api/records/deal/${mine.body.id}/actions/count_deals`, {});
    expect(asRep.status, asRep.text).toBe(200);
    const repNames = (await rep.api.get('/api/records/deal', { query: { limit: 200, sort: 'name' } })).body.items.map(
      (d: { name: string }) => d.name,
    );
    expect(asRep.body.result).toEqual(repNames);
    expect(asRep.body.result).not.toContain('Manager deal');
    const asAdmin = await tenant.api.post(`/api/records/deal/${mine.body.id}/actions/count_deals`, {});
    expect(asAdmin.body.result).toContain('Manager deal');
    expect(asAdmin.body.result).toContain('AAA rep query');
  });

  it('holds the per-call query budget (set per tenant)', async () => {
    const d = await createDeal(rep.api, { name: 'Budget', amount: 1 });
    const url = `/api/records/deal/${d.body.id}/actions/greedy`;
    expect((await rep.api.post(url, {})).body.result).toBe('done');
    expect((await server.platform.put(`/api/tenants/${tenant.id}/script-limits`, { queryBudget: 2 })).status).toBe(200);
    try {
      const r = await rep.api.post(url, {});
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'SCRIPT_FAILED', details: { reason: 'error', script: 'greedy' } });
      expect(r.body.error.message).toMatch(/at most 2 queries per call/);
    } finally {
      await server.platform.put(`/api/tenants/${tenant.id}/script-limits`, {});
    }
  });

  it('system tables, unknown objects, oversized limits and the permission engine’s internal operators are refused', async () => {
    const d = await createDeal(rep.api, { name: 'Objects probe', amount: 1 });
    const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/probe_objects`, { admin: tenant.admin.id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.result).toEqual({
      system_table: 'query(object, filter, options?): object must be an object name',
      unknown_object: "query('nope'): Unknown object: nope",
      too_many: "query('deal'): limit must be an integer from 1 to 200",
      bad_sort: `query('deal'): sort must look like "-amount,name"`,
      team_operator: `query('deal'): filter."owner": unknown operator "$inTeamOf"`,
      shared_operator: `query('deal'): filter."id": unknown operator "$sharedWith"`,
      unknown_field: `query('deal'): filter."password_hash": unknown field`,
    });
  });

  it('an injection attempt in a filter is refused as a bad filter the script can catch', async () => {
    const d = await createDeal(rep.api, { name: 'Probe', amount: 1 });
    const r = await rep.api.post(`/api/records/deal/${d.body.id}/actions/probe_filter`, {});
    expect(r.status, r.text).toBe(200);
    expect(r.body.result).toMatch(/^query\('deal'\): /);
    expect((await rep.api.get('/api/records/deal')).status).toBe(200);
  });
});
