/**
 * Lookups may only point at records the writer may read (issue 18, "Other findings"): a lookup to a
 * record outside the user's read scope and one to a record that does not exist get the same 400
 * VALIDATION_FAILED on the field ("No such record"), on create and update, so ids cannot be probed;
 * no error body ever names a database constraint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let rep: { id: string; api: ApiClient };
let mine: string;
let theirs: string;

const NO_SUCH = { code: 'VALIDATION_FAILED', fields: { account: 'No such record' } };

function expectNoConstraint(text: string): void {
  expect(text).not.toMatch(/fk_|uq_|pk_|ck_|constraint|violates|_users|"t_/i);
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'lookups' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, `${path}: ${r.text}`).toBe(200);
  };
  await put('/api/meta/objects/account', {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 } },
  });
  await put('/api/meta/objects/deal', {
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 100 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      buddy: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
  });
  await put('/api/meta/objects/contact', {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 100 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    },
    required: ['account'],
  });
  await put('/api/meta/roles/rep', {
    objects: {
      account: { create: true, read: 'own', update: 'own' },
      deal: { create: true, read: 'own', update: 'own' },
    },
  });
  const u = await tenant.addUser({ roles: ['rep'] });
  rep = { id: u.id, api: u.api };
  mine = (await rep.api.post('/api/records/account', { name: 'Mine' })).body.id;
  theirs = (await tenant.api.post('/api/records/account', { name: 'Theirs' })).body.id;
  expect(mine && theirs).toBeTruthy();
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
  await server?.close();
});

describe('lookups on create and update', () => {
  it('a record outside the read scope and a missing one answer the same 400 on the field', async () => {
    const unreadable = await rep.api.post('/api/records/deal', { name: 'd', account: theirs });
    const missing = await rep.api.post('/api/records/deal', { name: 'd', account: crypto.randomUUID() });
    for (const r of [unreadable, missing]) {
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toMatchObject(NO_SUCH);
      expectNoConstraint(r.text);
    }
    expect(unreadable.body).toEqual(missing.body);
    const ok = await rep.api.post('/api/records/deal', { name: 'd', account: mine });
    expect(ok.status, ok.text).toBe(201);
    const deals = await tenant.api.get('/api/records/deal');
    expect(deals.body.items.map((d: { account: string | null }) => d.account)).toEqual([mine]);
  });

  it('the same on update; a lookup the record already has is not checked again', async () => {
    const own = (await rep.api.post('/api/records/deal', { name: 'u', account: mine })).body.id;
    const unreadable = await rep.api.patch(`/api/records/deal/${own}`, { account: theirs });
    const missing = await rep.api.patch(`/api/records/deal/${own}`, { account: crypto.randomUUID() });
    for (const r of [unreadable, missing]) {
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toMatchObject(NO_SUCH);
    }
    expect(unreadable.body).toEqual(missing.body);
    // The admin links it to an account the rep cannot read; the rep can still edit the rest.
    expect((await tenant.api.patch(`/api/records/deal/${own}`, { account: theirs })).status).toBe(200);
    const kept = await rep.api.patch(`/api/records/deal/${own}`, { name: 'u2', account: theirs });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body.account).toBe(theirs);
  });

  it('user lookups name active users of the tenant', async () => {
    const ok = await rep.api.post('/api/records/deal', { name: 'b', buddy: rep.id });
    expect(ok.status, ok.text).toBe(201);
    const missing = await rep.api.post('/api/records/deal', { name: 'b', buddy: crypto.randomUUID() });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { buddy: 'No such record' } });
    expectNoConstraint(missing.text);
  });

  it('an admin gets the same answer for a missing record, without the database’s words', async () => {
    const r = await tenant.api.post('/api/records/contact', { name: 'c', account: crypto.randomUUID() });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject(NO_SUCH);
    expectNoConstraint(r.text);
  });

  it('purging a record others still require answers 409 without naming the constraint', async () => {
    const acc = (await tenant.api.post('/api/records/account', { name: 'Held' })).body.id;
    expect((await tenant.api.post('/api/records/contact', { name: 'c', account: acc })).status).toBe(201);
    expect((await tenant.api.delete(`/api/records/account/${acc}`)).status).toBe(204);
    const purge = await tenant.api.post(`/api/records/account/${acc}/purge`);
    expect(purge.status, purge.text).toBe(409);
    expect(purge.body.error.details ?? {}).not.toHaveProperty('constraint');
    expectNoConstraint(purge.text);
  });

  it('import answers unreadable and missing alike too (the same rule)', async () => {
    const r = await rep.api.request('POST', '/api/records/deal/import', {
      raw: JSON.stringify([
        { name: 'i1', account: theirs },
        { name: 'i2', account: crypto.randomUUID() },
      ]),
      query: { format: 'json' },
    });
    expect(r.status, r.text).toBe(400);
    const failed = r.body.error.details.failed as Array<{ errors: Record<string, string> }>;
    expect(failed).toHaveLength(2);
    expect(failed[0]!.errors.account).toBe(failed[1]!.errors.account);
  });
});
