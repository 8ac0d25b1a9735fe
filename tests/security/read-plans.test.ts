/**
 * Lists and reads compile once per metadata version and reader (runtime/src/records/read-plans.ts,
 * issue 27). Probes that a compiled plan never outlives what it was compiled from: a signed-in user
 * keeps one session (so one cached session and one reader key) while the admin changes their field
 * security, their roles and their scope, and every next list and read answers by the new rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const SECRET = 'plan-cache-secret';

let server: TestServer;
let tenant: TestTenant;
let rep: { id: string; api: ApiClient };
let repDeal: string;
let adminDeal: string;

async function put(path: string, body: unknown): Promise<void> {
  const r = await tenant.api.put(path, body);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
}

const repRole = (secret: 'none' | 'read', read: 'own' | 'all' = 'own') => ({
  objects: { deal: { create: true, read, update: 'own', delete: false, fields: { secret } } },
});

async function repList(): Promise<Array<Record<string, unknown>>> {
  const r = await rep.api.get('/api/records/deal', { query: { sort: 'name' } });
  expect(r.status, r.text).toBe(200);
  return r.body.items;
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'plans' });
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 }, secret: { type: 'string', maxLength: 100 } },
    required: ['name'],
  });
  await put('/api/meta/roles/rep', repRole('none'));
  await put('/api/meta/roles/viewer', { objects: { deal: { read: 'all', fields: { secret: 'none' } } } });
  const u = await tenant.addUser({ roles: ['rep'], name: 'Rita Rep' });
  rep = { id: u.id, api: u.api };
  const mine = await rep.api.post('/api/records/deal', { name: 'a rep deal' });
  expect(mine.status, mine.text).toBe(201);
  repDeal = mine.body.id;
  const p = await tenant.api.patch(
    `/api/records/deal/${repDeal}`,
    { secret: SECRET },
    { headers: { 'if-match': '1' } },
  );
  expect(p.status, p.text).toBe(200);
  const theirs = await tenant.api.post('/api/records/deal', { name: 'b admin deal', secret: SECRET });
  expect(theirs.status, theirs.text).toBe(201);
  adminDeal = theirs.body.id;
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
  await server?.close();
});

describe('compiled lists and reads follow every change of the rules', () => {
  it('a field hidden, shown and hidden again by new metadata versions', async () => {
    // Twice each: the second request of a shape is answered from its compiled plan.
    for (let i = 0; i < 2; i += 1) {
      expect((await repList()).map((d) => d.secret)).toEqual([undefined]);
      const one = await rep.api.get(`/api/records/deal/${repDeal}`);
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('secret');
    }
    await put('/api/meta/roles/rep', repRole('read'));
    for (let i = 0; i < 2; i += 1) {
      expect((await repList()).map((d) => d.secret)).toEqual([SECRET]);
      expect((await rep.api.get(`/api/records/deal/${repDeal}`)).body.secret).toBe(SECRET);
    }
    await put('/api/meta/roles/rep', repRole('none'));
    expect((await repList())[0]).not.toHaveProperty('secret');
    const one = await rep.api.get(`/api/records/deal/${repDeal}`);
    expect(one.body).not.toHaveProperty('secret');
    // A hidden field stays unknown to filters and sorts of a compiled shape too.
    const probe = await rep.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ secret: { eq: SECRET } }) },
    });
    expect(probe.status).toBe(400);
  });

  it('a scope widened and narrowed by metadata', async () => {
    expect((await repList()).map((d) => d.id)).toEqual([repDeal]);
    expect((await rep.api.get(`/api/records/deal/${adminDeal}`)).status).toBe(404);
    await put('/api/meta/roles/rep', repRole('none', 'all'));
    expect((await repList()).map((d) => d.id)).toEqual([repDeal, adminDeal]);
    expect((await rep.api.get(`/api/records/deal/${adminDeal}`)).status).toBe(200);
    await put('/api/meta/roles/rep', repRole('none', 'own'));
    expect((await repList()).map((d) => d.id)).toEqual([repDeal]);
    expect((await rep.api.get(`/api/records/deal/${adminDeal}`)).status).toBe(404);
  });

  it("a role given and taken away reaches the same session's next list and read", async () => {
    expect((await repList()).map((d) => d.id)).toEqual([repDeal]);
    const give = await tenant.api.patch(`/api/users/${rep.id}`, { roles: ['rep', 'viewer'] });
    expect(give.status, give.text).toBe(200);
    expect((await repList()).map((d) => d.id)).toEqual([repDeal, adminDeal]);
    const read = await rep.api.get(`/api/records/deal/${adminDeal}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    const take = await tenant.api.patch(`/api/users/${rep.id}`, { roles: ['rep'] });
    expect(take.status, take.text).toBe(200);
    expect((await repList()).map((d) => d.id)).toEqual([repDeal]);
    expect((await rep.api.get(`/api/records/deal/${adminDeal}`)).status).toBe(404);
  });

  it('a record deleted to the bin leaves the compiled read and list at once', async () => {
    const d = await tenant.api.post('/api/records/deal', { name: 'c gone soon' });
    expect(d.status, d.text).toBe(201);
    expect((await tenant.api.get(`/api/records/deal/${d.body.id}`)).status).toBe(200);
    const del = await tenant.api.delete(`/api/records/deal/${d.body.id}`, { headers: { 'if-match': '1' } });
    expect([200, 204]).toContain(del.status);
    expect((await tenant.api.get(`/api/records/deal/${d.body.id}`)).status).toBe(404);
    const bin = await tenant.api.get(`/api/records/deal/${d.body.id}`, { query: { deleted: 'true' } });
    expect(bin.status).toBe(200);
    const names = (await tenant.api.get('/api/records/deal')).body.items.map((x: { name: string }) => x.name);
    expect(names).not.toContain('c gone soon');
  });

  it('a malformed id is a 404 on the compiled read, as for any unknown id', async () => {
    expect((await rep.api.get('/api/records/deal/not-a-uuid')).status).toBe(404);
    expect((await rep.api.get('/api/records/deal/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
