/**
 * Issue 21: errors a client can translate and labels in two languages.
 * - Field errors carry `details.fieldErrors[field] = {code, params}` beside the English `fields`
 *   text, which is plain words ("Must be at least 0", not ajv's "must be >= 0").
 * - `x-i18n` labels are validated wherever they are allowed: a bad shape is a 400 and changes nothing.
 * - A user sets their own language (`PATCH /api/auth/me`); approval notices are written in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

const DEAL = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 10 },
    amount: { type: 'number', title: 'Amount', minimum: 0, maximum: 1000 },
    stage: { type: 'string', enum: ['new', 'won'], 'x-i18n': { 'zh-CN': { enum: { new: '新建', won: '赢单' } } } },
    close_on: { type: 'string', format: 'date' },
  },
  required: ['name'],
};

const workflow = (stepI18n: unknown) => ({
  object: 'deal',
  label: 'Review',
  trigger: { on: 'submit' },
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'mgr',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: { label: 'Manager review', 'x-i18n': stepI18n, approvers: [{ managerOf: 'submitter' }], mode: 'any' },
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

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'i18nerr' });
  const r = await tenant.api.put('/api/meta/objects/deal', DEAL);
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('coded field errors', () => {
  it('gives each invalid field a code and params beside plain English text', async () => {
    const r = await tenant.api.post('/api/records/deal', {
      name: 'A name far too long',
      amount: -5,
      stage: 'lost',
      close_on: '31/12/2026',
      colour: 'red',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toEqual({
      name: 'Must be at most 10 characters',
      amount: 'Must be at least 0',
      stage: 'Must be one of: new, won',
      close_on: 'Must be a date (YYYY-MM-DD)',
      colour: 'Unknown field',
    });
    expect(r.body.error.details.fieldErrors).toEqual({
      name: { code: 'max_length', params: { limit: 10 } },
      amount: { code: 'min', params: { limit: 0 } },
      stage: { code: 'one_of', params: { values: ['new', 'won'] } },
      close_on: { code: 'format', params: { format: 'date' } },
      colour: { code: 'unknown_field' },
    });
    expect(JSON.stringify(r.body)).not.toMatch(/must be >=|must NOT/);
  });

  it('codes required, type and upper bound errors, and read-only system fields', async () => {
    const r = await tenant.api.post('/api/records/deal', { amount: 'lots', created_at: '2026-01-01' });
    expect(r.status).toBe(400);
    expect(r.body.error.details.fieldErrors).toEqual({
      name: { code: 'required' },
      amount: { code: 'type', params: { type: 'number' } },
      created_at: { code: 'system_field' },
    });
    const big = await tenant.api.post('/api/records/deal', { name: 'x', amount: 5000 });
    expect(big.body.error.fields.amount).toBe('Must be at most 1000');
    expect(big.body.error.details.fieldErrors.amount).toEqual({ code: 'max', params: { limit: 1000 } });
  });

  it("carries a script's error() text as the code `script`", async () => {
    const s = await tenant.api.put('/api/meta/scripts/big_deal', {
      object: 'deal',
      event: 'validate',
      code: "if (record.amount > 500) error('amount', 'Deals above 500 need a manager');",
    });
    expect(s.status, s.text).toBe(200);
    const r = await tenant.api.post('/api/records/deal', { name: 'x', amount: 600 });
    expect(r.status).toBe(400);
    expect(r.body.error.fields.amount).toBe('Deals above 500 need a manager');
    expect(r.body.error.details.fieldErrors.amount).toEqual({
      code: 'script',
      params: { message: 'Deals above 500 need a manager' },
    });
    expect((await tenant.api.delete('/api/meta/scripts/big_deal')).status).toBe(200);
  });

  it("carries the translations a script gives as error()'s third argument, checked", async () => {
    const s = await tenant.api.put('/api/meta/scripts/big_deal_zh', {
      object: 'deal',
      event: 'validate',
      code: "if (record.amount > 500) error('amount', 'Deals above 500 need a manager', { 'zh-CN': '超过 500 的商机需要经理审批', 'not a tag': 'x', fr: 5 });",
    });
    expect(s.status, s.text).toBe(200);
    const r = await tenant.api.post('/api/records/deal', { name: 'x', amount: 600 });
    expect(r.status).toBe(400);
    expect(r.body.error.fields.amount).toBe('Deals above 500 need a manager');
    expect(r.body.error.details.fieldErrors.amount).toEqual({
      code: 'script',
      params: { message: 'Deals above 500 need a manager', 'zh-CN': '超过 500 的商机需要经理审批' },
    });
    expect((await tenant.api.delete('/api/meta/scripts/big_deal_zh')).status).toBe(200);
  });

  it('tells a failing script by reason and name so clients can say it in their language', async () => {
    const s = await tenant.api.put('/api/meta/scripts/broken', {
      object: 'deal',
      event: 'validate',
      code: 'record.nothing.at.all;',
    });
    expect(s.status, s.text).toBe(200);
    const r = await tenant.api.post('/api/records/deal', { name: 'x', amount: 1 });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('SCRIPT_FAILED');
    expect(r.body.error.details).toMatchObject({ reason: 'error', script: 'broken', unitKind: 'script' });
    expect(typeof r.body.error.details.error).toBe('string');
    expect((await tenant.api.delete('/api/meta/scripts/broken')).status).toBe(200);
  });
});

describe('labels in two languages', () => {
  const before = async () => (await tenant.api.get('/api/meta')).body.version as number;

  it.each([
    ['a string instead of per-locale entries', { 'x-i18n': '商机' }],
    ['a language tag that is not one', { 'x-i18n': { chinese: { title: '商机' } } }],
    ['an entry that is not an object', { 'x-i18n': { 'zh-CN': '商机' } }],
    ['an empty label', { 'x-i18n': { 'zh-CN': { title: '' } } }],
    ['an unknown key', { 'x-i18n': { 'zh-CN': { colour: '红' } } }],
    ['a label that is not text', { 'x-i18n': { 'zh-CN': { title: 5 } } }],
    ['an option label that is not text', { 'x-i18n': { 'zh-CN': { enum: { new: ['新'] } } } }],
  ])('refuses an object with %s (400, nothing changes)', async (_what, patch) => {
    const v = await before();
    const r = await tenant.api.put('/api/meta/objects/deal', { ...DEAL, ...patch });
    expect(r.status, r.text).toBe(400);
    const f = await tenant.api.put('/api/meta/objects/deal', {
      ...DEAL,
      properties: { ...DEAL.properties, name: { ...DEAL.properties.name, ...patch } },
    });
    expect(f.status, f.text).toBe(400);
    expect(await before()).toBe(v);
  });

  it('accepts and keeps labels on views, reports, dashboards, widgets and workflow steps', async () => {
    const view = await tenant.api.put('/api/meta/views/pipeline', {
      object: 'deal',
      label: 'Pipeline',
      'x-i18n': { 'zh-CN': { label: '销售管道' } },
      columns: ['name'],
    });
    expect(view.status, view.text).toBe(200);
    const report = await tenant.api.put('/api/meta/reports/by_stage', {
      label: 'By stage',
      'x-i18n': { 'zh-CN': { title: '按阶段' } },
      object: 'deal',
      groupBy: [{ field: 'stage' }],
      aggregates: [{ fn: 'count', as: 'n', label: 'Deals', 'x-i18n': { 'zh-CN': { label: '商机数' } } }],
      chart: 'bar',
    });
    expect(report.status, report.text).toBe(200);
    const dash = await tenant.api.put('/api/meta/dashboards/main', {
      label: 'Main',
      'x-i18n': { 'zh-CN': { title: '主页' } },
      widgets: [{ report: 'by_stage', title: 'Deals', 'x-i18n': { 'zh-CN': { title: '商机' } } }],
    });
    expect(dash.status, dash.text).toBe(200);
    const wf = await tenant.api.put('/api/meta/workflows/review', workflow({ 'zh-CN': { label: '经理审批' } }));
    expect(wf.status, wf.text).toBe(200);

    const home = await tenant.api.get('/api/dashboards/home');
    expect(home.body.dashboard['x-i18n']).toEqual({ 'zh-CN': { title: '主页' } });
    expect(home.body.dashboard.widgets[0]['x-i18n']).toEqual({ 'zh-CN': { title: '商机' } });
    const run = await tenant.api.post('/api/reports/by_stage/run', {});
    expect(run.status, run.text).toBe(200);
    expect(run.body['x-i18n']).toEqual({ 'zh-CN': { title: '按阶段' } });
    expect(run.body.columns.find((c: { key: string }) => c.key === 'n')).toMatchObject({
      label: 'Deals',
      'x-i18n': { 'zh-CN': { label: '商机数' } },
    });
    expect(run.body.columns.find((c: { key: string }) => c.key === 'stage')['x-i18n']).toEqual({
      'zh-CN': { enum: { new: '新建', won: '赢单' } },
    });
  });

  it.each([
    ['a workflow step', () => tenant.api.put('/api/meta/workflows/review', workflow('经理审批'))],
    [
      'a dashboard widget',
      () =>
        tenant.api.put('/api/meta/dashboards/main', {
          label: 'Main',
          widgets: [{ report: 'by_stage', 'x-i18n': { 'zh-CN': { title: 7 } } }],
        }),
    ],
    [
      'a view',
      () =>
        tenant.api.put('/api/meta/views/pipeline', {
          object: 'deal',
          label: 'Pipeline',
          'x-i18n': { zh_CN: { label: '销售管道' } },
          columns: ['name'],
        }),
    ],
  ])('refuses bad labels on %s', async (_what, call) => {
    const v = await before();
    const r = await call();
    expect(r.status, r.text).toBe(400);
    expect(await before()).toBe(v);
  });
});

describe("the user's language", () => {
  it('is set by the user, checked, and used for their approval notices', async () => {
    const manager = await tenant.addUser({ name: 'Wang Fang' });
    const rep = await tenant.addUser({ name: 'Li Lei', manager: manager.id });
    const role = await tenant.api.put('/api/meta/roles/sales', {
      label: 'Sales',
      objects: { deal: { create: true, read: 'all', update: 'all', delete: false } },
    });
    expect(role.status, role.text).toBe(200);
    for (const u of [manager, rep]) {
      const r = await tenant.api.patch(`/api/users/${u.id}`, { roles: ['sales'] });
      expect(r.status, r.text).toBe(200);
    }

    for (const bad of [{ locale: 'not a language!' }, { locale: 5 }, { locale: 'zh-CN', name: 'x' }, {}])
      expect((await manager.api.patch('/api/auth/me', bad)).status).toBe(400);
    const set = await manager.api.patch('/api/auth/me', { locale: 'zh-CN' });
    expect(set.status, set.text).toBe(200);
    expect(set.body.user.locale).toBe('zh-CN');
    expect((await manager.api.get('/api/auth/me')).body.user.locale).toBe('zh-CN');
    expect((await tenant.api.patch(`/api/users/${rep.id}`, { locale: '<script>' })).status).toBe(400);

    const wf = await tenant.api.put('/api/meta/workflows/review', workflow({ 'zh-CN': { label: '经理审批' } }));
    expect(wf.status, wf.text).toBe(200);
    const deal = await rep.api.post('/api/records/deal', { name: 'Alpha', amount: 10 });
    expect(deal.status, deal.text).toBe(201);
    const sub = await rep.api.post(`/api/records/deal/${deal.body.id}/submit`, { workflow: 'review' });
    expect(sub.status, sub.text).toBe(201);

    const notes = await manager.api.get('/api/notifications');
    expect(notes.body.items.map((n: { title: string }) => n.title)).toContain('待审批：商机 Alpha（经理审批）');
    const inbox = await manager.api.get('/api/approvals/inbox');
    expect(inbox.body.items[0].stepI18n).toEqual({ 'zh-CN': { label: '经理审批' } });

    // The English submitter hears the outcome in English.
    const task = inbox.body.items[0].task;
    expect((await manager.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(200);
    const repNotes = await rep.api.get('/api/notifications');
    expect(repNotes.body.items.map((n: { title: string }) => n.title)).toContain('Deal Alpha was approved');
  });
});

describe('coded refusals of reports, workflows and automation rules (issue 22)', () => {
  const issuesOf = (r: { status: number; text: string; body: any }) => {
    expect(r.status, r.text).toBe(400);
    return r.body.error.details.issues as Array<{ path: string; message: string; code?: string; params?: unknown }>;
  };

  it('codes a derived expression that does not parse and what the aggregate engine refuses', async () => {
    const report = (over: Record<string, unknown>) =>
      tenant.api.put('/api/meta/reports/coded', {
        label: 'Coded',
        object: 'deal',
        groupBy: [{ field: 'stage' }],
        aggregates: [{ fn: 'sum', field: 'amount', as: 'total' }],
        chart: 'bar',
        ...over,
      });
    expect(issuesOf(await report({ derive: [{ as: 'roi', expr: 'total / ghost' }] }))).toContainEqual({
      path: '/reports/coded/derive/0/expr',
      message: 'Unknown column "ghost" (the report has: stage, total)',
      code: 'derive_unknown_column',
      params: { column: 'ghost', columns: 'stage, total' },
    });
    expect(issuesOf(await report({ derive: [{ as: 'roi', expr: 'total *' }] }))).toContainEqual(
      expect.objectContaining({ path: '/reports/coded/derive/0/expr', code: 'derive_syntax', params: { position: 8 } }),
    );
    expect(issuesOf(await report({ aggregates: [{ fn: 'sum', field: 'name', as: 'total' }] }))).toContainEqual({
      path: '/reports/coded/aggregates',
      message: 'sum needs a numeric field: name',
      code: 'aggregate_needs_number',
      params: { fn: 'sum', field: 'name' },
    });
    expect(issuesOf(await report({ groupBy: [{ field: 'name', bucket: 'month' }] }))).toContainEqual(
      expect.objectContaining({
        path: '/reports/coded/groupBy',
        code: 'aggregate_bucket_not_date',
        params: { field: 'name', bucket: 'month' },
      }),
    );
  });

  it('codes what the workflow check refuses: roles, fields, expressions', async () => {
    const wf = workflow(undefined);
    const bad = {
      ...wf,
      trigger: { on: 'submit', condition: 'record.amount >' },
      fallbackRole: 'ghost',
      nodes: wf.nodes.map((n) => (n.id === 'mgr' ? { ...n, data: { ...n.data, approvers: [{ field: 'stage' }] } } : n)),
    };
    const issues = issuesOf(await tenant.api.put('/api/meta/workflows/coded', bad));
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: '/workflows/coded/fallbackRole',
        code: 'unknown_role',
        params: { role: 'ghost' },
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: '/workflows/coded/nodes/1/data/approvers/0',
        code: 'workflow_not_user_lookup',
        params: { field: 'stage' },
      }),
    );
    const expression = issues.find((i) => i.path === '/workflows/coded/trigger/condition');
    // The compiler's own sentence stays a fact beside the place: it names the token.
    expect(expression).toMatchObject({
      code: 'expression_invalid',
      params: { line: 1, error: expect.stringMatching(/./) },
    });
  });

  it('codes what the automation check refuses: schedules, watched fields, values', async () => {
    const rule = (trigger: Record<string, unknown>) =>
      tenant.api.put('/api/meta/automations/coded', {
        label: 'Coded',
        object: 'deal',
        trigger,
        actions: [{ type: 'notify', to: ['owner'], title: 'Hi', email: false }],
      });
    expect(issuesOf(await rule({ on: 'schedule', every: 'P1M' }))).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/trigger/every',
        code: 'schedule_months',
        params: { every: 'P1M' },
      }),
    );
    expect(issuesOf(await rule({ on: 'update', fields: ['ghost'] }))).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/trigger/fields/0',
        code: 'unknown_field',
        params: { field: 'ghost' },
      }),
    );
    expect(issuesOf(await rule({ on: 'update', fields: ['stage'], changedTo: 'mega' }))).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/trigger/changedTo',
        code: 'one_of',
        params: { field: 'stage', values: 'new, won' },
      }),
    );
    // The actions' own checks and shapes are coded too (a shape refusal comes first, alone).
    const withActions = (actions: unknown[]) =>
      tenant.api.put('/api/meta/automations/coded', {
        label: 'Coded',
        object: 'deal',
        trigger: { on: 'create' },
        actions,
      });
    expect(issuesOf(await withActions([{ type: 'notify', to: ['owner'], email: false }]))).toContainEqual(
      expect.objectContaining({ path: '/automations/coded/actions/0/title', code: 'required' }),
    );
    const actionIssues = issuesOf(
      await withActions([
        { type: 'set', values: { ghost: 1 } },
        { type: 'script', script: 'nope' },
        { type: 'notify', to: ['owner'], title: 'Hi {{record.ghost}}', email: false },
      ]),
    );
    expect(actionIssues).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/actions/2/title',
        code: 'message_unknown_field',
        params: { field: 'ghost' },
      }),
    );
    expect(actionIssues).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/actions/0/values/ghost',
        code: 'unknown_field',
        params: { field: 'ghost' },
      }),
    );
    expect(actionIssues).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/actions/1/script',
        code: 'unknown_script',
        params: { script: 'nope' },
      }),
    );
    expect(issuesOf(await rule({ on: 'create', every: 'P1D' }))).toContainEqual(
      expect.objectContaining({
        path: '/automations/coded/trigger/every',
        code: 'automation_schedule_only',
        params: { name: 'every' },
      }),
    );
  });
});
