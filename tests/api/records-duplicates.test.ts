import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let ann: string;

const lead = {
  title: 'Lead',
  type: 'object',
  'x-label-field': 'name',
  'x-duplicates': [['email'], ['name', 'city']],
  properties: {
    name: { type: 'string', maxLength: 100 },
    email: { type: 'string', format: 'email' },
    city: { type: 'string', maxLength: 100 },
    score: { type: 'integer' },
  },
  required: ['name'],
};

const importCsv = (text: string, query: Record<string, string | boolean> = {}) =>
  tenant.api.post('/api/records/lead/import', undefined, {
    raw: text,
    headers: { 'content-type': 'text/csv' },
    query,
  });

async function count(): Promise<number> {
  return (await tenant.api.get('/api/records/lead', { query: { count: true, limit: 1 } })).body.total;
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recdup' });
  const r = await tenant.api.put('/api/meta/objects/lead', lead);
  expect(r.status, r.text).toBe(200);
  const created = await tenant.api.post('/api/records/lead', {
    name: 'Ann Lee',
    email: 'ann@example.com',
    city: 'Paris',
  });
  expect(created.status, created.text).toBe(201);
  ann = created.body.id;
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('duplicate rules on create', () => {
  it('refuses a likely duplicate (case and spaces ignored) with 409 DUPLICATE and the candidates', async () => {
    const r = await tenant.api.post('/api/records/lead', { name: 'Someone', email: 'ANN@Example.COM' });
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('DUPLICATE');
    expect(r.body.error.details.duplicates).toEqual([{ rule: ['email'], candidates: [{ id: ann, label: 'Ann Lee' }] }]);
    const byPair = await tenant.api.post('/api/records/lead', { name: 'ann   LEE', city: 'PARIS' });
    expect(byPair.status).toBe(409);
    expect(byPair.body.error.details.duplicates[0].rule).toEqual(['name', 'city']);
  });

  it('creates it anyway with ?allowDuplicates=true', async () => {
    const before = await count();
    const r = await tenant.api.post(
      '/api/records/lead',
      { name: 'Ann Lee', email: 'ann@example.com' },
      {
        query: { allowDuplicates: true },
      },
    );
    expect(r.status, r.text).toBe(201);
    expect(await count()).toBe(before + 1);
    await tenant.api.delete(`/api/records/lead/${r.body.id}`);
  });

  it('does not match on a partial rule or an empty value, nor against the recycle bin', async () => {
    expect((await tenant.api.post('/api/records/lead', { name: 'Ann Lee', city: 'Lyon' })).status).toBe(201);
    expect((await tenant.api.post('/api/records/lead', { name: 'Nobody', email: null })).status).toBe(201);
    expect((await tenant.api.post('/api/records/lead', { name: 'Nobody 2' })).status).toBe(201);
    const gone = await tenant.api.post('/api/records/lead', { name: 'Gone', email: 'gone@example.com' });
    await tenant.api.delete(`/api/records/lead/${gone.body.id}`);
    expect((await tenant.api.post('/api/records/lead', { name: 'Back', email: 'GONE@example.com' })).status).toBe(201);
  });

  it('answers a check without creating anything', async () => {
    const r = await tenant.api.post('/api/records/lead/duplicates', { email: 'ann@EXAMPLE.com', name: 'x' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.duplicates).toEqual([{ rule: ['email'], candidates: [{ id: ann, label: 'Ann Lee' }] }]);
    const none = await tenant.api.post('/api/records/lead/duplicates', { email: 'new@example.com' });
    expect(none.body.duplicates).toEqual([]);
    expect((await tenant.api.post('/api/records/lead/duplicates', [1])).status).toBe(400);
    expect((await tenant.api.post('/api/records/nope/duplicates', {})).status).toBe(404);
  });

  it('only reports records the user may read, and never their hidden fields', async () => {
    const role = await tenant.api.put('/api/meta/roles/rep', {
      label: 'Rep',
      objects: { lead: { create: true, read: 'own', update: 'own', delete: false } },
    });
    expect(role.status, role.text).toBe(200);
    const rep = await tenant.addUser({ roles: ['rep'] });
    const r = await rep.api.post('/api/records/lead', { name: 'Rep lead', email: 'ann@example.com' });
    expect(r.status, r.text).toBe(201);
    const again = await rep.api.post('/api/records/lead', { name: 'Rep lead 2', email: 'ANN@example.com' });
    expect(again.status).toBe(409);
    expect(again.body.error.details.duplicates[0].candidates).toEqual([{ id: r.body.id, label: 'Rep lead' }]);
  });
});

describe('duplicate rules on import', () => {
  it('refuses an import with duplicates of existing records or of earlier rows, naming them', async () => {
    const before = await count();
    const r = await importCsv(
      ['name,email,city', 'New One,new1@example.com,Rome', 'Dup,Ann@Example.com,', 'New Two,new1@EXAMPLE.com,'].join(
        '\n',
      ),
    );
    expect(r.status, r.text).toBe(400);
    const report = r.body.error.details;
    expect(report.duplicateCount).toBe(2);
    expect(report.duplicates).toEqual([
      { row: 2, matches: [{ rule: ['email'], candidates: expect.arrayContaining([{ id: ann, label: 'Ann Lee' }]) }] },
      { row: 3, matches: [], rows: [1] },
    ]);
    expect(await count()).toBe(before);
  });

  it('keeps the other rows with partial=true, or imports everything with allowDuplicates=true', async () => {
    const before = await count();
    const partial = await importCsv('name,email\nP1,p1@example.com\nP2,ann@example.com', { partial: true });
    expect(partial.status, partial.text).toBe(200);
    expect(partial.body).toMatchObject({ inserted: 1, duplicateCount: 1, failedCount: 0 });
    expect(await count()).toBe(before + 1);
    const all = await importCsv('name,email\nA1,a1@example.com\nA2,ann@example.com\nA3,a1@example.com', {
      allowDuplicates: true,
    });
    expect(all.status, all.text).toBe(200);
    expect(all.body).toMatchObject({ inserted: 3, duplicateCount: 0 });
  });
});

describe('metadata', () => {
  it('refuses rules naming unknown or non-comparable fields', async () => {
    const r = await tenant.api.put('/api/meta/objects/lead2', {
      ...lead,
      'x-duplicates': [['nope'], ['score']],
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.fields)).toEqual(
      expect.arrayContaining(['/objects/lead2/x-duplicates/0/0', '/objects/lead2/x-duplicates/1/0']),
    );
    const bad = await tenant.api.put('/api/meta/objects/lead2', { ...lead, 'x-duplicates': [[]] });
    expect(bad.status).toBe(400);
  });
});
