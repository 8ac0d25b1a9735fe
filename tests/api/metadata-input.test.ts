/**
 * Bad input to the metadata API: every refusal is a clear 4xx with the JSON path, nothing changes,
 * and no name ever reaches SQL unvalidated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, catalog } from '../support/catalog';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let db: Catalog;
let baseVersion: number;

const BODY_LIMIT = 64 * 1024;

beforeAll(async () => {
  server = await startTestServer({ bodyLimit: BODY_LIMIT });
  tenant = await createTestTenant(server, { prefix: 'metain' });
  db = catalog(server, tenant.id);
  const r = await tenant.api.post('/api/meta/apply', {
    objects: {
      account: { type: 'object', properties: { name: { type: 'string' } } },
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          amount: { type: 'number' },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
        },
      },
    },
  });
  expect(r.status, r.text).toBe(200);
  baseVersion = r.body.version;
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

/** Nothing changed: same version, same tables. */
async function unchanged() {
  const r = await tenant.api.get('/api/meta');
  expect(r.body.version).toBe(baseVersion);
  expect(await db.tables()).toEqual(expect.arrayContaining(['account', 'deal']));
  expect((await db.tables()).filter((t) => !t.startsWith('_'))).toEqual(['account', 'deal']);
}

function expect400(r: { status: number; body: any; text: string }, path?: string) {
  expect(r.status, r.text).toBe(400);
  expect(['VALIDATION_FAILED', 'BAD_REQUEST']).toContain(r.body.error.code);
  expect(r.text).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  if (path) expect(Object.keys(r.body.error.fields ?? {}), r.text).toContain(path);
}

describe('malformed and oversized bodies', () => {
  it('answers malformed JSON with 400', async () => {
    for (const raw of ['{"objects": {', '{objects: {}}', 'null x', '\u0000']) {
      const r = await tenant.api.request('POST', '/api/meta/apply', { raw });
      expect(r.status, raw).toBe(400);
      expect(r.body.error.code).toBeDefined();
    }
    const put = await tenant.api.request('PUT', '/api/meta/objects/x', { raw: '{"type": "object",' });
    expect(put.status).toBe(400);
    await unchanged();
  });

  it('answers bodies that are not documents with 400', async () => {
    expect400(await tenant.api.post('/api/meta/apply', [1, 2]));
    expect400(await tenant.api.post('/api/meta/plan', { objects: [] }), '/objects');
    expect400(await tenant.api.post('/api/meta/apply', { objects: 'deal' }), '/objects');
    expect400(await tenant.api.post('/api/meta/apply', { tables: {} }), '/tables');
    expect400(await tenant.api.put('/api/meta/objects/thing', 'a string'));
    expect400(await tenant.api.put('/api/meta/objects/thing', [obj({})]));
    await unchanged();
  });

  it('answers an oversized body with 413', async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`f${i}`, { type: 'string', description: 'x'.repeat(40) }]),
    );
    const r = await tenant.api.put('/api/meta/objects/huge', obj(properties));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TOO_LARGE');
    await unchanged();
  });

  it('answers deeply nested garbage with 400, not a crash', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 500; i++) deep = { a: deep };
    const r = await tenant.api.put('/api/meta/objects/thing', obj({ x: { type: 'string', 'x-i18n': deep } }));
    expect400(r);
    await unchanged();
  });
});

describe('invalid object schemas', () => {
  it.each([
    ['a field without a kind', obj({ x: { type: 'string', format: 'uuid' } }), '/objects/thing/properties/x'],
    ['a wrong type', obj({ x: { type: 'strnig' } }), '/objects/thing/properties/x/type'],
    ['an unknown keyword', obj({ x: { type: 'string', colour: 'red' } }), '/objects/thing/properties/x/colour'],
    ['an unknown x- keyword', obj({ x: { type: 'string', 'x-magic': 1 } }), '/objects/thing/properties/x/x-magic'],
    [
      'a keyword the kind does not take',
      obj({ x: { type: 'boolean', maxLength: 3 } }),
      '/objects/thing/properties/x/maxLength',
    ],
    [
      'maxLength of the wrong type',
      obj({ x: { type: 'string', maxLength: '200' } }),
      '/objects/thing/properties/x/maxLength',
    ],
    [
      'an x-ref to an unknown object',
      obj({ x: { type: 'string', format: 'uuid', 'x-ref': 'nowhere' } }),
      '/objects/thing/properties/x/x-ref',
    ],
    [
      'a required field that does not exist',
      obj({ x: { type: 'string' } }, { required: ['y'] }),
      '/objects/thing/required/0',
    ],
    [
      'an unknown label field',
      obj({ x: { type: 'string' } }, { 'x-label-field': 'y' }),
      '/objects/thing/x-label-field',
    ],
    [
      'a default of the wrong type',
      obj({ x: { type: 'integer', default: 'one' } }),
      '/objects/thing/properties/x/default',
    ],
    [
      'a default outside the enum',
      obj({ x: { type: 'string', enum: ['a'], default: 'b' } }),
      '/objects/thing/properties/x/default',
    ],
    [
      'a formula that does not parse',
      obj({ x: { type: 'number', 'x-formula': 'record.(' } }),
      '/objects/thing/properties/x/x-formula',
    ],
    [
      'a formula reading an unknown field',
      obj({ x: { type: 'number', 'x-formula': 'record.nope * 2' } }),
      '/objects/thing/properties/x/x-formula',
    ],
    [
      'a bad autonumber pattern',
      obj({ x: { type: 'string', 'x-autonumber': 'Q-{YYYYY}' } }),
      '/objects/thing/properties/x/x-autonumber',
    ],
    ['a scale out of range', obj({ x: { type: 'number', 'x-scale': 12 } }), '/objects/thing/properties/x/x-scale'],
    ['a type that is not object', { type: 'array', properties: {} }, '/objects/thing/type'],
  ])('refuses %s with the JSON path', async (_what, schema, path) => {
    const r = await tenant.api.put('/api/meta/objects/thing', schema);
    expect400(r, path);
    expect(r.body.error.details.issues.length).toBeGreaterThan(0);
    expect(await db.tableExists('thing')).toBe(false);
  });

  it('refuses formula cycles, naming every field of the cycle', async () => {
    const r = await tenant.api.put(
      '/api/meta/objects/thing',
      obj({
        a: { type: 'number', 'x-formula': 'record.b + 1' },
        b: { type: 'number', 'x-formula': 'record.a + 1' },
      }),
    );
    expect400(r);
    expect(r.text).toMatch(/cycle/i);
    expect(Object.keys(r.body.error.fields).join(' ')).toMatch(/\/properties\/a|\/properties\/b/);
  });

  it('refuses system and reserved field names', async () => {
    for (const name of ['id', 'owner', 'created_at', 'version', 'deleted_at', 'approval_status', 'and', 'or', 'not']) {
      const r = await tenant.api.put('/api/meta/objects/thing', obj({ [name]: { type: 'string' } }));
      expect400(r, `/objects/thing/properties/${name}`);
    }
    for (const name of ['user', 'users']) expect400(await tenant.api.put(`/api/meta/objects/${name}`, obj({})));
    await unchanged();
  });
});

describe('names that must never reach SQL', () => {
  const badNames = [
    'x; drop table deal',
    'a"; drop table x; --',
    "o'brien",
    'Deal',
    '1deal',
    '_hidden',
    'déal',
    '交易',
    'deal\u0000',
    'a-b',
    'a b',
    'x'.repeat(64),
    '',
  ];

  it.each(badNames.filter(Boolean))('refuses the object name %j', async (name) => {
    const r = await tenant.api.put(`/api/meta/objects/${encodeURIComponent(name)}`, obj({ x: { type: 'string' } }));
    expect([400, 404]).toContain(r.status);
    if (r.status === 400) expect(r.body.error.code).toMatch(/VALIDATION_FAILED|BAD_REQUEST/);
    const viaApply = await tenant.api.post('/api/meta/apply', { objects: { [name]: obj({ x: { type: 'string' } }) } });
    expect400(viaApply);
  });

  it.each(badNames)('refuses the field name %j', async (name) => {
    const r = await tenant.api.put(
      '/api/meta/objects/deal',
      obj({ name: { type: 'string' }, [name]: { type: 'string' } }),
    );
    expect400(r);
    expect(JSON.stringify(r.body.error.fields)).toContain('/objects/deal/properties');
  });

  it('accepts a 63-character name and reserved SQL words, quoted', async () => {
    const long = `a${'b'.repeat(62)}`;
    const r = await tenant.api.post('/api/meta/plan', {
      objects: { select: obj({ [long]: { type: 'string' }, from: { type: 'integer' }, table: { type: 'boolean' } }) },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.steps[0].sql).toContain('"select"');
    expect(r.body.steps[0].sql).toContain(`"${long}"`);
  });

  it('refuses injection in other sections: roles, views, filters', async () => {
    expect400(await tenant.api.put(`/api/meta/roles/${encodeURIComponent('r"; drop')}`, { label: 'x' }));
    expect400(
      await tenant.api.put('/api/meta/views/v', {
        object: 'deal',
        label: 'v',
        columns: ['name; drop table deal'],
      }),
    );
    expect400(
      await tenant.api.put('/api/meta/views/v', {
        object: 'deal',
        label: 'v',
        columns: ['name'],
        filter: { "name') or 1=1 --": { eq: 'x' } },
      }),
    );
    expect400(
      await tenant.api.put('/api/meta/views/v', {
        object: 'deal',
        label: 'v',
        columns: ['name'],
        filter: { amount: { contains: 'x' } },
      }),
    );
    await unchanged();
  });
});

describe('unknown items and routes', () => {
  it('answers 404 for unknown items, 400 for unknown sections', async () => {
    expect((await tenant.api.delete('/api/meta/objects/nothing')).status).toBe(404);
    expect((await tenant.api.delete('/api/meta/roles/nothing')).status).toBe(404);
    expect((await tenant.api.put('/api/meta/tables/x', obj({}))).status).toBe(404);
    expect((await tenant.api.post('/api/templates/nothing/apply', {})).status).toBe(404);
    expect((await tenant.api.post('/api/meta/history/424242/revert')).status).toBe(404);
  });

  it('refuses a view or form on an unknown object or field', async () => {
    expect400(
      await tenant.api.put('/api/meta/views/v', { object: 'ghost', label: 'v', columns: ['name'] }),
      '/views/v/object',
    );
    expect400(await tenant.api.put('/api/meta/views/v', { object: 'deal', label: 'v', columns: ['ghost'] }));
    expect400(await tenant.api.put('/api/meta/forms/deal', { uiSchema: { ghost: {} } }));
    expect400(await tenant.api.put('/api/meta/roles/r', { label: 'r', objects: { ghost: { read: 'all' } } }));
  });

  it('refuses wrong query flags', async () => {
    const r = await tenant.api.post('/api/meta/apply', { objects: {} }, { query: { allowDestructive: 'yes please' } });
    expect(r.status).toBe(400);
    const h = await tenant.api.get('/api/meta/history', { query: { limit: 100000 } });
    expect(h.status).toBe(400);
    const t = await tenant.api.post('/api/templates/x/apply', { sampleData: 'yes', extra: 1 });
    expect(t.status).toBe(400);
    await unchanged();
  });
});

describe('renames and ids that do not add up', () => {
  it('refuses renaming from a field that does not exist', async () => {
    const r = await tenant.api.put(
      '/api/meta/objects/deal',
      obj({ title: { type: 'string', 'x-renamed-from': 'ghost' }, amount: { type: 'number' } }),
    );
    expect400(r, '/objects/deal/properties/title/x-renamed-from');
  });

  it('refuses moving a field to another object by its x-id', async () => {
    const doc = (await tenant.api.get('/api/meta')).body;
    const nameId = doc.objects.deal.properties.name['x-id'];
    const r = await tenant.api.put('/api/meta/objects/account', {
      ...doc.objects.account,
      properties: { ...doc.objects.account.properties, moved: { type: 'string', 'x-id': nameId } },
    });
    expect400(r, '/objects/account/properties/moved/x-id');
    await unchanged();
  });

  it('refuses swapping two names in one change', async () => {
    const doc = (await tenant.api.get('/api/meta')).body;
    const { name, amount, ...rest } = doc.objects.deal.properties;
    const r = await tenant.api.put('/api/meta/objects/deal', {
      ...doc.objects.deal,
      properties: { ...rest, name: { ...amount }, amount: { ...name } },
    });
    expect(r.status).toBe(400);
    await unchanged();
  });
});
