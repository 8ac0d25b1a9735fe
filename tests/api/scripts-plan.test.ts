/**
 * Scripts publish through the metadata plan → apply like every other section (issue 22): the plan
 * says a script change in business words (code changed, switched off, the event and object it runs
 * on), changes nothing, and refuses code that does not compile with its line; apply makes the script
 * live; only admins plan or apply. `PUT /api/meta/scripts/:name` keeps working as documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

const deal = {
  type: 'object',
  title: 'Deal',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    discount: { type: 'number', title: 'Discount', minimum: 0 },
  },
};
const rule = (limit: number) => ({
  object: 'deal',
  event: 'validate',
  label: 'Check discount',
  code: `if (record.discount > ${limit}) error('discount', 'Discounts above ${limit}% need a manager');`,
});

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'scrplan' });
  const r = await tenant.api.post('/api/meta/apply', {
    objects: { deal },
    roles: { sales_rep: { label: 'Sales rep', objects: { deal: { create: true, read: 'all', update: 'all' } } } },
    scripts: { check_discount: rule(20) },
  });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const liveCode = async () => (await tenant.api.get('/api/meta')).body.scripts.check_discount.code as string;

describe('scripts through plan and apply', () => {
  it('plans a code change in business words without changing anything, then applies it live', async () => {
    const before = await tenant.api.get('/api/meta');
    const plan = await tenant.api.post('/api/meta/plan', { scripts: { check_discount: rule(10) } });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body).toMatchObject({ version: before.body.version, changed: true, steps: [], destructive: false });
    expect(plan.body.summary.scripts).toMatchObject({ changed: ['check_discount'] });
    expect(plan.body.changes).toEqual([
      {
        section: 'scripts',
        name: 'check_discount',
        label: 'Check discount',
        code: 'codeChanged',
        params: {},
      },
      {
        section: 'scripts',
        name: 'check_discount',
        label: 'Check discount',
        code: 'runsOn',
        params: { object: 'deal', objectLabel: 'Deal', event: 'validate' },
        labels: { 'zh-CN': { objectLabel: '商机' } },
      },
    ]);
    expect(await liveCode()).toContain('> 20)');
    // The old rule still runs: 15% passes.
    const ok = await tenant.api.post('/api/records/deal', { name: 'Fifteen', discount: 15 });
    expect(ok.status, ok.text).toBe(201);

    const applied = await tenant.api.post(
      '/api/meta/apply',
      { scripts: { check_discount: rule(10) } },
      { headers: { 'if-match': String(plan.body.version) } },
    );
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.version).toBe(plan.body.version + 1);
    expect(await liveCode()).toContain('> 10)');
    const refused = await tenant.api.post('/api/records/deal', { name: 'Fifteen again', discount: 15 });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.fields).toEqual({ discount: 'Discounts above 10% need a manager' });
    const history = await tenant.api.get('/api/meta/history', { query: { limit: 1 } });
    expect(history.body.items[0]).toMatchObject({
      version: applied.body.version,
      summary: { scripts: { changed: ['check_discount'] } },
    });
  });

  it('says a new script, one switched off and one moved to another event', async () => {
    const plan = await tenant.api.post('/api/meta/plan', {
      scripts: {
        check_discount: { ...rule(10), event: 'beforeSave', active: false },
        tag_name: { object: 'deal', event: 'beforeSave', code: "set('name', String(record.name).trim());" },
      },
    });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.changes.map((c: { name: string; code: string }) => `${c.name}:${c.code}`)).toEqual([
      'tag_name:added',
      'tag_name:runsOn',
      'check_discount:activeChanged',
      'check_discount:runsOn',
    ]);
    expect(plan.body.changes[3].params).toEqual({
      object: 'deal',
      objectLabel: 'Deal',
      event: 'beforeSave',
      fromObject: 'deal',
      fromObjectLabel: 'Deal',
      fromEvent: 'validate',
    });
    expect((await tenant.api.get('/api/meta')).body.scripts.tag_name).toBeUndefined();
  });

  it('refuses code that does not compile, on plan and on apply, with the line, and keeps the live script', async () => {
    const broken = { ...rule(10), code: "log('x');\nif (record.discount > 5 {\n  error('discount', 'no');\n}" };
    for (const path of ['/api/meta/plan', '/api/meta/apply']) {
      const r = await tenant.api.post(path, { scripts: { check_discount: broken } });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.fields['/scripts/check_discount/code']).toMatch(/^line 2, column 25: '\)' expected/);
    }
    expect(await liveCode()).toContain('> 10)');
  });

  it('refuses a bad event, an unknown object, a bad name and removing a script that does not exist', async () => {
    const badEvent = await tenant.api.post('/api/meta/plan', {
      scripts: { check_discount: { ...rule(10), event: 'onSave' } },
    });
    expect(badEvent.status, badEvent.text).toBe(400);
    expect(badEvent.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(badEvent.body.error)).toContain('/scripts/check_discount/event');

    const unknownObject = await tenant.api.post('/api/meta/apply', {
      scripts: { check_discount: { ...rule(10), object: 'nothing_here' } },
    });
    expect(unknownObject.status, unknownObject.text).toBe(400);
    expect(JSON.stringify(unknownObject.body.error)).toContain('/scripts/check_discount');

    const badName = await tenant.api.post('/api/meta/plan', { scripts: { 'Bad-Name': rule(10) } });
    expect(badName.status, badName.text).toBe(400);

    const unknown = await tenant.api.delete('/api/meta/scripts/no_such_script');
    expect(unknown.status, unknown.text).toBe(404);
    const nothing = await tenant.api.post('/api/meta/plan', { scripts: { no_such_script: null } });
    expect(nothing.status, nothing.text).toBe(200);
    expect(nothing.body).toMatchObject({ changed: false, changes: [] });
    expect(await liveCode()).toContain('> 10)');
  });

  it('refuses a non-admin on plan and apply of scripts, and the live script stays', async () => {
    const rep = await tenant.addUser({ roles: ['sales_rep'] });
    for (const path of ['/api/meta/plan', '/api/meta/apply']) {
      const r = await rep.api.post(path, { scripts: { check_discount: { ...rule(90), code: '' } } });
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
      expect(r.body.changes).toBeUndefined();
    }
    const put = await rep.api.put('/api/meta/scripts/check_discount', rule(90));
    expect(put.status).toBe(403);
    expect((await server.anon.post('/api/meta/plan', { scripts: { check_discount: rule(90) } })).status).toBe(401);
    expect(await liveCode()).toContain('> 10)');
  });

  it('keeps PUT /api/meta/scripts/:name working as documented: a new version, the plan and the script live', async () => {
    const r = await tenant.api.put('/api/meta/scripts/check_discount', rule(30));
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ version: expect.any(Number), plan: { steps: [] } });
    expect(await liveCode()).toContain('> 30)');
  });
});
