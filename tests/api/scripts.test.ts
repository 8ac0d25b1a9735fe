import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  // The breaker is relaxed: these tests time out and exhaust memory on purpose, one after another.
  server = await startTestServer({
    bodyLimit: 64 * 1024,
    runtimeConfig: { scripts: { timeoutMs: 500, breaker: { failures: 10_000 } } },
  });
  tenant = await createTestTenant(server, { prefix: 'scr' });
  // Users may only hold roles the metadata defines.
  expect((await tenant.api.put('/api/meta/roles/sales_rep', { label: 'Sales rep' })).status).toBe(200);
  other = await createTestTenant(server, { prefix: 'scr2' });
});
afterAll(async () => {
  for (const t of [tenant, other])
    await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

const discountRule = {
  object: 'deal',
  event: 'validate',
  code: "if (record.discount > 20 && !user.roles.includes('sales_manager')) error('discount', 'Discounts above 20% need a sales manager');",
};
const testScript = (t: TestTenant, name: string, body: unknown) => t.api.post(`/api/meta/scripts/${name}/test`, body);

describe('POST /api/meta/scripts/:name/test', () => {
  it('runs a validate script on a sample record', async () => {
    const refused = await testScript(tenant, 'discount_rule', { script: discountRule, record: { discount: 25 } });
    expect(refused.status, refused.text).toBe(200);
    expect(refused.body).toMatchObject({
      errors: { discount: 'Discounts above 20% need a sales manager' },
      changes: {},
      logs: [],
    });
    expect(refused.body.ms).toBeTypeOf('number');
    const fine = await testScript(tenant, 'discount_rule', { script: discountRule, record: { discount: 5 } });
    expect(fine.body.errors).toEqual({});
  });

  it('runs a beforeSave script with the old record and returns its changes and logs', async () => {
    const r = await testScript(tenant, 'tier', {
      script: {
        object: 'member',
        event: 'beforeSave',
        language: 'ts',
        code: "const points: number = record.points;\nconst tier = points >= 1000 ? 'gold' : 'silver';\nif (old?.tier !== tier) log('tier', old?.tier, '->', tier);\nset('tier', tier);",
      },
      record: { points: 1200 },
      old: { points: 900, tier: 'silver' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ errors: {}, changes: { tier: 'gold' }, logs: ['[tier] tier silver -> gold'] });
  });

  it('returns what an action script returns', async () => {
    const r = await testScript(tenant, 'quote_total', {
      script: {
        object: 'quote',
        event: 'action',
        code: "const total = record.lines.reduce((s, l) => s + l.qty * l.price, 0);\nset('total', total);\nreturn { total, by: user.email };",
      },
      record: {
        lines: [
          { qty: 2, price: 10 },
          { qty: 1, price: 5.5 },
        ],
      },
      params: {},
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ changes: { total: 25.5 }, result: { total: 25.5, by: tenant.admin.email } });
  });

  it('refuses a definition that does not compile with line and column', async () => {
    const r = await testScript(tenant, 'typed', {
      script: { object: 'deal', event: 'validate', language: 'ts', code: "const a = 1;\nconst n: number = 'x';" },
      record: {},
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { code: "line 2, column 7: Type 'string' is not assignable to type 'number'." },
      details: { diagnostics: [{ line: 2, column: 7, message: "Type 'string' is not assignable to type 'number'." }] },
    });
  });

  it('answers 422 naming the script, the line and the reason when it throws', async () => {
    const r = await testScript(tenant, 'crashy', {
      script: { object: 'deal', event: 'validate', code: "log('before');\nrecord.lines.map((l) => l.qty);" },
      record: {},
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('SCRIPT_FAILED');
    expect(r.body.error.message).toMatch(
      /^Script "crashy" failed at line 2, column 14: TypeError: Cannot read properties of undefined/,
    );
    expect(r.body.error.details).toMatchObject({
      reason: 'error',
      script: 'crashy',
      line: 2,
      logs: ['[crashy] before'],
    });
    expect(r.text).not.toMatch(/node_modules|at Object\./);
  });

  it('a script asking for records gets a clear answer while no records engine is connected', async () => {
    const r = await testScript(tenant, 'lookup', {
      script: { object: 'deal', event: 'validate', code: "await query('account', {});" },
      record: {},
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/query\('account'\)/);
  });

  it('times out a spinning script while the server and other tenants keep being served', async () => {
    // Far more than the checks below need, even on a busy machine (each type-checks a script).
    server.runtime.scripts.setTenantLimits(tenant.id, { timeoutMs: 10_000 });
    let spinDone = false;
    const spin = testScript(tenant, 'spin', {
      script: { object: 'deal', event: 'validate', code: 'while (true) {}' },
      record: {},
    }).finally(() => {
      spinDone = true;
    });
    for (let i = 0; i < 5; i++) {
      expect((await server.anon.get('/api/health')).status).toBe(200);
      const fine = await testScript(other, 'discount_rule', { script: discountRule, record: { discount: 50 } });
      expect(fine.status).toBe(200);
    }
    expect(spinDone).toBe(false);
    const r = await spin;
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'SCRIPT_FAILED', message: 'Script "spin" timed out after 10000 ms' });
    server.runtime.scripts.setTenantLimits(tenant.id, undefined);
  }, 60_000);

  it('survives a memory bomb: 422, then the next call works', async () => {
    server.runtime.scripts.setTenantLimits(tenant.id, { memoryMb: 16, timeoutMs: 20_000 });
    const r = await testScript(tenant, 'bomb', {
      script: {
        object: 'deal',
        event: 'validate',
        code: 'const a = [];\nwhile (true) a.push({ i: a.length, s: "x".repeat(64) });',
      },
      record: {},
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toMatchObject({ reason: 'memory', script: 'bomb' });
    server.runtime.scripts.setTenantLimits(tenant.id, undefined);
    const next = await testScript(tenant, 'discount_rule', { script: discountRule, record: { discount: 50 } });
    expect(next.status).toBe(200);
    expect(next.body.errors.discount).toBeTruthy();
  });

  it('answers 404 for a saved script that does not exist', async () => {
    const r = await testScript(tenant, 'nope', { record: {} });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('is for tenant admins only', async () => {
    const role = await tenant.api.put('/api/meta/roles/sales_rep', { label: 'Sales rep', objects: {} });
    expect(role.status, role.text).toBe(200);
    const rep = await tenant.addUser({ roles: ['sales_rep'] });
    const r = await rep.api.post('/api/meta/scripts/discount_rule/test', { script: discountRule, record: {} });
    expect(r.status).toBe(403);
    expect((await server.anon.post('/api/meta/scripts/discount_rule/test', { record: {} })).status).toBe(401);
  });

  it.each([
    ['a record that is not an object', { script: discountRule, record: 'x' }, 'record'],
    ['a missing record', { script: discountRule }, 'record'],
    ['an unknown body field', { script: discountRule, record: {}, extra: 1 }, 'extra'],
    ['an unknown event', { script: { ...discountRule, event: 'onDelete' }, record: {} }, 'script.event'],
    [
      'an object name with SQL in it',
      { script: { ...discountRule, object: 'deal; drop table x' }, record: {} },
      'script.object',
    ],
    ['code that is not a string', { script: { ...discountRule, code: 42 }, record: {} }, 'script.code'],
    ['an unknown language', { script: { ...discountRule, language: 'python' }, record: {} }, 'script.language'],
  ])('refuses %s with 400', async (_label, body, field) => {
    const r = await testScript(tenant, 'discount_rule', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(r.body.error.fields)).toContain(field);
  });

  it('refuses malformed JSON, bad names, deep nesting and oversized bodies', async () => {
    const malformed = await tenant.api.post('/api/meta/scripts/x/test', undefined, { raw: '{"record": {' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BAD_REQUEST');
    for (const bad of ['Bad-Name', 'a%20b', '1abc', `a${'b'.repeat(63)}`]) {
      const r = await testScript(tenant, bad, { script: discountRule, record: {} });
      expect(r.status, bad).toBe(400);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = { d: deep };
    const nested = await testScript(tenant, 'discount_rule', { script: discountRule, record: { deep } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.message).toMatch(/nests more than 64 levels/);
    const huge = await testScript(tenant, 'discount_rule', { script: discountRule, record: { s: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    // And after all that, the sandbox still answers.
    expect((await testScript(tenant, 'discount_rule', { script: discountRule, record: {} })).status).toBe(200);
  });

  it('PUT /api/meta/scripts/:name compiles the script and refuses errors with line and column', async () => {
    const object = {
      title: 'Deal',
      type: 'object',
      properties: { name: { type: 'string', maxLength: 200 }, discount: { type: 'number' } },
    };
    expect((await tenant.api.put('/api/meta/objects/deal', object)).status).toBe(200);
    const broken = await tenant.api.put('/api/meta/scripts/typed_rule', {
      object: 'deal',
      event: 'validate',
      language: 'ts',
      code: "const limit: number = 20;\nif (record.discount > limit) error('discount', limit);",
    });
    expect(broken.status, broken.text).toBe(400);
    expect(broken.body.error.code).toBe('VALIDATION_FAILED');
    expect(broken.body.error.fields).toEqual({
      '/scripts/typed_rule/code':
        "line 2, column 48: Argument of type 'number' is not assignable to parameter of type 'string'.",
    });
    const syntax = await tenant.api.put('/api/meta/scripts/js_rule', {
      object: 'deal',
      event: 'validate',
      code: "if (record.discount > 20 {\n  error('discount', 'x');\n}",
    });
    expect(syntax.status).toBe(400);
    expect(JSON.stringify(syntax.body.error)).toMatch(/line 1, column 26: '\)' expected/);
  });

  it('runs a saved script by name', async () => {
    const saved = await tenant.api.put('/api/meta/scripts/discount_rule', discountRule);
    expect(saved.status, saved.text).toBe(200);
    const r = await testScript(tenant, 'discount_rule', { record: { discount: 30 } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.errors).toEqual({ discount: 'Discounts above 20% need a sales manager' });
    // An inline definition under the same name runs instead of the saved one.
    const inline = await testScript(tenant, 'discount_rule', {
      script: { ...discountRule, code: "error('discount', 'inline');" },
      record: {},
    });
    expect(inline.body.errors).toEqual({ discount: 'inline' });
    // The saved one changes with the metadata version.
    await tenant.api.put('/api/meta/scripts/discount_rule', { ...discountRule, code: "error('_', 'v2');" });
    expect((await testScript(tenant, 'discount_rule', { record: {} })).body.errors).toEqual({ _: 'v2' });
  });

  it('is listed in the OpenAPI document', async () => {
    const r = await server.anon.get('/api/openapi.json');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/meta/scripts/{name}/test',
        '/api/records/{object}/{id}/actions/{script}',
        '/api/tenants/{id}/script-limits',
      ]),
    );
  });
});
