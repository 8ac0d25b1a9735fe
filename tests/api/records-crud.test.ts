import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

const account = {
  title: 'Account',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    city: { type: 'string', maxLength: 100 },
  },
  required: ['name'],
};

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 20 },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['new', 'won', 'lost'], default: 'new' },
    close_on: { type: 'string', format: 'date' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    code: { type: 'string', maxLength: 20, 'x-unique': true },
    number: { type: 'string', 'x-autonumber': 'D-{0000}' },
  },
  required: ['name', 'amount'],
};

beforeAll(async () => {
  server = await startTestServer({ bodyLimit: 64 * 1024 });
  tenant = await createTestTenant(server, { prefix: 'reccrud' });
  expect((await tenant.api.put('/api/meta/objects/account', account)).status).toBe(200);
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('create and read', () => {
  it('creates a record with system fields, defaults and an autonumber', async () => {
    const r = await tenant.api.post('/api/records/deal', { name: 'First', amount: 100 });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ name: 'First', amount: 100, stage: 'new', version: 1, approval_status: 'none' });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.owner).toBe(tenant.admin.id);
    expect(r.body.created_by).toBe(tenant.admin.id);
    expect(r.body.number).toMatch(/^D-\d{4}$/);
    expect(r.headers.get('etag')).toBe('"1"');
    const got = await tenant.api.get(`/api/records/deal/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: r.body.id, name: 'First', version: 1 });
  });

  it('maps validation errors to fields', async () => {
    const r = await tenant.api.post('/api/records/deal', {
      amount: 'lots',
      stage: 'maybe',
      bogus: 1,
      name: 'x'.repeat(21),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(r.body.error.fields).sort()).toEqual(['amount', 'bogus', 'name', 'stage']);
    expect(r.body.error.fields.bogus).toBe('Unknown field');
    const missing = await tenant.api.post('/api/records/deal', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toMatchObject({ name: 'Required', amount: 'Required' });
  });

  it('refuses system and read-only fields with 400', async () => {
    for (const body of [
      { name: 'a', amount: 1, id: '00000000-0000-4000-8000-000000000000' },
      { name: 'a', amount: 1, version: 5 },
      { name: 'a', amount: 1, number: 'D-9999' },
      { name: 'a', amount: 1, owner: tenant.admin.id },
    ]) {
      const r = await tenant.api.post('/api/records/deal', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses bodies that are not objects and malformed JSON, without a stack trace', async () => {
    for (const raw of ['[]', 'null', '"x"', '42', '{"name":', '']) {
      const r = await tenant.api.post('/api/records/deal', undefined, { raw });
      expect(r.status, raw).toBe(400);
      expect(r.text).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('answers 404 for unknown objects and ids, and for malformed ids', async () => {
    expect((await tenant.api.get('/api/records/nope')).status).toBe(404);
    expect((await tenant.api.post('/api/records/nope', { a: 1 })).status).toBe(404);
    expect((await tenant.api.get('/api/records/deal/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await tenant.api.get('/api/records/deal/not-a-uuid')).status).toBe(404);
    expect((await tenant.api.get('/api/records/Robert%27);DROP')).status).toBe(400);
  });

  it('refuses oversized bodies with 413 and unknown objects on every route with 404', async () => {
    const big = await tenant.api.post('/api/records/deal', { name: 'big', amount: 1, pad: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('TOO_LARGE');
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/api/records/nope/${id}`],
      ['PATCH', `/api/records/nope/${id}`],
      ['DELETE', `/api/records/nope/${id}`],
      ['POST', `/api/records/nope/${id}/restore`],
      ['POST', `/api/records/nope/${id}/purge`],
      ['GET', `/api/records/nope/${id}/history`],
      ['GET', `/api/records/deal/${id}/history`],
      ['POST', `/api/records/deal/${id}/restore`],
    ] as const) {
      const r = await tenant.api.request(method, path, method === 'PATCH' ? { body: { a: 1 } } : {});
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await server.anon.get('/api/records/deal')).status).toBe(401);
  });

  it('names the unique field on a duplicate with 409', async () => {
    expect((await tenant.api.post('/api/records/deal', { name: 'U1', amount: 1, code: 'C-1' })).status).toBe(201);
    const dup = await tenant.api.post('/api/records/deal', { name: 'U2', amount: 1, code: 'C-1' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    expect(dup.body.error.fields).toHaveProperty('code');
  });

  it('refuses a lookup to a missing record', async () => {
    const r = await tenant.api.post('/api/records/deal', {
      name: 'L',
      amount: 1,
      account: '00000000-0000-4000-8000-000000000000',
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { account: 'No such record' } });
  });
});

describe('update with versions', () => {
  it('updates with If-Match and bumps the version', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'V', amount: 1 });
    const u = await tenant.api.patch(
      `/api/records/deal/${c.body.id}`,
      { amount: 2 },
      { headers: { 'if-match': '"1"' } },
    );
    expect(u.status, u.text).toBe(200);
    expect(u.body).toMatchObject({ amount: 2, version: 2 });
    expect(u.headers.get('etag')).toBe('"2"');
    const stale = await tenant.api.patch(
      `/api/records/deal/${c.body.id}`,
      { amount: 3 },
      { headers: { 'if-match': '1' } },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    const viaBody = await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 3, version: 1 });
    expect(viaBody.status).toBe(409);
    const ok = await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 3, version: 2 });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(3);
  });

  it('lets exactly one of two concurrent writers with the same version win', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'Race', amount: 1 });
    const results = await Promise.all(
      [10, 20, 30, 40].map((amount) =>
        tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount }, { headers: { 'if-match': '1' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const final = await tenant.api.get(`/api/records/deal/${c.body.id}`);
    expect(final.body.version).toBe(2);
  });

  it('refuses a malformed If-Match, read-only fields and bad values', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'B', amount: 1 });
    const path = `/api/records/deal/${c.body.id}`;
    expect((await tenant.api.patch(path, { amount: 2 }, { headers: { 'if-match': 'abc' } })).status).toBe(400);
    expect((await tenant.api.patch(path, { number: 'X' })).status).toBe(400);
    expect((await tenant.api.patch(path, { name: null })).status).toBe(400);
    expect((await tenant.api.patch(path, { amount: -5 })).status).toBe(400);
    expect((await tenant.api.patch(path, { version: 'one' })).status).toBe(400);
    expect((await tenant.api.patch(path, undefined, { raw: '[1]' })).status).toBe(400);
    const after = await tenant.api.get(path);
    expect(after.body).toMatchObject({ name: 'B', amount: 1, version: 1 });
  });

  it('locks records pending approval', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'P', amount: 1 });
    await server.runtime.db.raw('update ??.?? set approval_status = ? where id = ?', [
      `t_${tenant.id}`,
      'deal',
      'pending',
      c.body.id,
    ]);
    const u = await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 2 });
    expect(u.status).toBe(409);
    expect(u.body.error.code).toBe('RECORD_LOCKED');
    const d = await tenant.api.delete(`/api/records/deal/${c.body.id}`);
    expect(d.status).toBe(409);
    expect(d.body.error.code).toBe('RECORD_LOCKED');
  });
});

describe('recycle bin', () => {
  it('deletes to the bin, restores, and purges', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'Bin', amount: 1, code: 'BIN-1' });
    const id = c.body.id;
    expect((await tenant.api.delete(`/api/records/deal/${id}`)).status).toBe(204);
    expect((await tenant.api.get(`/api/records/deal/${id}`)).status).toBe(404);
    const bin = await tenant.api.get('/api/records/deal', { query: { deleted: 'true' } });
    expect(bin.body.items.map((r: { id: string }) => r.id)).toContain(id);
    // A unique value is free again while its record is in the bin…
    const reuse = await tenant.api.post('/api/records/deal', { name: 'Reuse', amount: 1, code: 'BIN-1' });
    expect(reuse.status).toBe(201);
    // …so restoring the first one now conflicts, naming the field.
    const clash = await tenant.api.post(`/api/records/deal/${id}/restore`);
    expect(clash.status).toBe(409);
    expect(clash.body.error.fields).toHaveProperty('code');
    await tenant.api.patch(`/api/records/deal/${reuse.body.id}`, { code: 'BIN-2' });
    const restored = await tenant.api.post(`/api/records/deal/${id}/restore`);
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.version).toBe(3);
    expect((await tenant.api.get(`/api/records/deal/${id}`)).status).toBe(200);
    // Purge only from the bin, only by admins.
    expect((await tenant.api.post(`/api/records/deal/${id}/purge`)).status).toBe(409);
    expect((await tenant.api.delete(`/api/records/deal/${id}`)).status).toBe(204);
    const user = await tenant.addUser({ roles: [] });
    expect((await user.api.post(`/api/records/deal/${id}/purge`)).status).toBe(403);
    expect((await tenant.api.post(`/api/records/deal/${id}/purge`)).status).toBe(204);
    expect((await tenant.api.get(`/api/records/deal/${id}`, { query: { deleted: 'true' } })).status).toBe(404);
    const history = await tenant.api.get(`/api/records/deal/${id}/history`);
    expect(history.body.items.map((h: { action: string }) => h.action)).toEqual([
      'purge',
      'delete',
      'restore',
      'delete',
      'create',
    ]);
  });
});

describe('history', () => {
  it('records per-field diffs with user and time', async () => {
    const c = await tenant.api.post('/api/records/deal', { name: 'H', amount: 1 });
    await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 5, stage: 'won' });
    await tenant.api.patch(`/api/records/deal/${c.body.id}`, { amount: 5 });
    const h = await tenant.api.get(`/api/records/deal/${c.body.id}/history`);
    expect(h.status).toBe(200);
    expect(h.body.items).toHaveLength(2);
    const [update, create] = h.body.items;
    expect(update).toMatchObject({
      action: 'update',
      user: tenant.admin.id,
      changes: { amount: [1, 5], stage: ['new', 'won'] },
    });
    expect(Object.keys(update.changes).sort()).toEqual(['amount', 'stage']);
    expect(create.action).toBe('create');
    expect(create.changes.name).toEqual([null, 'H']);
    expect(Date.parse(update.at)).not.toBeNaN();
  });
});
