import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** Service accounts and API keys through a real server (docs/api-keys.md). */

let server: TestServer;
let tenant: TestTenant;

const caseObject = {
  title: 'Case',
  type: 'object',
  'x-label-field': 'subject',
  properties: { subject: { type: 'string', maxLength: 200 }, secret_note: { type: 'string', maxLength: 200 } },
  required: ['subject'],
};
const invoiceObject = {
  title: 'Invoice',
  type: 'object',
  properties: { number: { type: 'string', maxLength: 20 } },
};
/** Reads cases (not their secret note), creates none, never sees invoices. */
const caseReader = {
  label: 'Case reader',
  objects: {
    case: { create: false, read: 'all', update: false, delete: false, fields: { secret_note: 'none' } },
  },
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'ak' });
  expect((await tenant.api.put('/api/meta/objects/case', caseObject)).status).toBe(200);
  expect((await tenant.api.put('/api/meta/objects/invoice', invoiceObject)).status).toBe(200);
  expect((await tenant.api.put('/api/meta/roles/case_reader', caseReader)).status).toBe(200);
  expect((await tenant.api.post('/api/records/case', { subject: 'Visible', secret_note: 'hush' })).status).toBe(201);
  expect((await tenant.api.post('/api/records/invoice', { number: 'INV-1' })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

async function account(name: string, roles: string[]): Promise<string> {
  const r = await tenant.api.post('/api/admin/service-accounts', { name, roles });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function key(serviceAccount: string, opts: { readOnly?: boolean } = {}) {
  const r = await tenant.api.post('/api/admin/api-keys', { serviceAccount, name: 'Shop sync', ...opts });
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id as string, token: r.body.token as string, api: new ApiClient(server.url, r.body.token) };
}

describe('API keys', () => {
  it('acts with its service account roles: reads what the role reads, nothing beyond it, writes nothing', async () => {
    const reader = await key(await account('ERP reader', ['case_reader']));
    expect(reader.token).toMatch(new RegExp(`^fk_${tenant.id}~[A-Za-z0-9_-]{43}$`));

    const list = await reader.api.get('/api/records/case');
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((c: any) => c.subject)).toEqual(['Visible']);
    expect(list.body.items[0]).not.toHaveProperty('secret_note');
    expect((await reader.api.get('/api/records/invoice')).status).toBe(404);
    expect((await reader.api.post('/api/records/case', { subject: 'Sneaky' })).status).toBe(403);
    expect((await reader.api.get('/api/admin/webhooks')).status).toBe(403);
    expect((await reader.api.get('/api/meta')).status).toBe(403);
    // Admins see which users are service accounts (the Users screen leaves them out).
    const users = (await tenant.api.get('/api/users')).body.items;
    expect(users.find((u: any) => u.name === 'ERP reader')).toMatchObject({ service: true });
    expect(users.filter((u: any) => u.service === false).length).toBeGreaterThan(0);
    const me = await reader.api.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.name ?? me.body.user?.name).toBe('ERP reader');
  });

  it('a read-only key of an admin service account may read everything but change nothing', async () => {
    const ro = await key(await account('Backup robot', ['admin']), { readOnly: true });
    expect((await ro.api.get('/api/records/invoice')).status).toBe(200);
    expect((await ro.api.get('/api/admin/api-keys')).status).toBe(200);
    const write = await ro.api.post('/api/records/invoice', { number: 'INV-2' });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toMatch(/only read/);
    expect((await ro.api.post('/api/admin/service-accounts', { name: 'Escalate' })).status).toBe(403);
    expect((await ro.api.delete(`/api/admin/api-keys/${ro.id}`)).status).toBe(403);

    // The same account with a full key writes, and what it creates is owned by the service account.
    const rw = await key(
      (await tenant.api.get('/api/admin/service-accounts')).body.items.find((a: any) => a.name === 'Backup robot').id,
    );
    const created = await rw.api.post('/api/records/invoice', { number: 'INV-3' });
    expect(created.status, created.text).toBe(201);
    const accounts = (await tenant.api.get('/api/admin/service-accounts')).body.items;
    expect(created.body.owner).toBe(accounts.find((a: any) => a.name === 'Backup robot').id);
  });

  it('records its last use, is listed without its token, and answers 401 once revoked', async () => {
    const k = await key(await account('Telephony', ['case_reader']));
    let listed = (await tenant.api.get('/api/admin/api-keys')).body.items.find((x: any) => x.id === k.id);
    expect(listed).toMatchObject({
      name: 'Shop sync',
      service_account_name: 'Telephony',
      last_used_at: null,
      revoked_at: null,
    });
    expect(listed).not.toHaveProperty('token');
    expect(listed.prefix).toBe(k.token.slice(0, listed.prefix.length));
    expect(listed.prefix.length).toBeLessThan(k.token.length - 30);

    expect((await k.api.get('/api/records/case')).status).toBe(200);
    listed = (await tenant.api.get('/api/admin/api-keys')).body.items.find((x: any) => x.id === k.id);
    expect(listed.last_used_at).not.toBeNull();

    // Only a hash is stored.
    const rows = await server.runtime.db.withSchema(`t_${tenant.id}`).from('_api_keys').where({ id: k.id });
    expect(JSON.stringify(rows)).not.toContain(k.token.split('~')[1]);

    expect((await tenant.api.delete(`/api/admin/api-keys/${k.id}`)).status).toBe(204);
    const after = await k.api.get('/api/records/case');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
    // Revoking twice is harmless; an unknown key is 404.
    expect((await tenant.api.delete(`/api/admin/api-keys/${k.id}`)).status).toBe(204);
    expect((await tenant.api.delete('/api/admin/api-keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses forged, malformed and foreign keys with 401', async () => {
    const k = await key(await account('Forgery target', ['case_reader']));
    const secret = k.token.split('~')[1]!;
    const other = await createTestTenant(server, { prefix: 'ak2' });
    for (const token of [
      `fk_${tenant.id}~${'A'.repeat(43)}`,
      `fk_${other.id}~${secret}`,
      `fk_nosuchtenant~${secret}`,
      'fk_~',
      `fk_${tenant.id}~`,
      `fk_${'x'.repeat(300)}~${secret}`,
    ]) {
      const r = await new ApiClient(server.url, token).get('/api/records/case');
      expect(r.status, token.slice(0, 40)).toBe(401);
    }
  });

  it('is a bearer credential: no cookie and no same-origin proof needed, and it cannot sign in', async () => {
    const k = await key(await account('Webshop', ['admin']));
    const r = await k.api.post(
      '/api/records/invoice',
      { number: 'INV-X' },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    );
    expect(r.status, r.text).toBe(201);
    const accounts = (await tenant.api.get('/api/users')).body.items;
    const robot = accounts.find((u: any) => u.name === 'Webshop');
    // Even a password an admin sets on it does not open a session: keys are its only way in.
    const set = await tenant.api.patch(`/api/users/${robot.id}`, { password: 'a long password 123' });
    expect(set.status, set.text).toBe(200);
    for (const password of ['', '!service', k.token, 'a long password 123']) {
      const login = await server.anon.post('/api/auth/login', { tenant: tenant.id, email: robot.email, password });
      expect([400, 401]).toContain(login.status);
    }
  });

  it('refuses bad input and non-admins', async () => {
    const bad = await tenant.api.post('/api/admin/service-accounts', { name: 'Ghost', roles: ['no_such_role'] });
    expect(bad.status, bad.text).toBe(400);
    expect((await tenant.api.post('/api/admin/service-accounts', { name: '' })).status).toBe(400);
    expect((await tenant.api.post('/api/admin/service-accounts', { name: 'x', password: 'p' })).status).toBe(400);
    expect((await tenant.api.post('/api/admin/api-keys', { serviceAccount: 'nope', name: 'k' })).status).toBe(400);
    // A person is not a service account: no keys for people.
    const noKeys = await tenant.api.post('/api/admin/api-keys', { serviceAccount: tenant.admin.id, name: 'k' });
    expect(noKeys.status).toBe(400);
    expect(noKeys.body.error.fields).toHaveProperty('serviceAccount');
    expect((await tenant.api.post('/api/admin/api-keys', { name: 'k' })).status).toBe(400);
    expect((await tenant.api.request('POST', '/api/admin/api-keys', { raw: '{' })).status).toBe(400);

    const user = await tenant.addUser({ roles: ['case_reader'] });
    for (const [method, path, body] of [
      ['GET', '/api/admin/service-accounts'],
      ['POST', '/api/admin/service-accounts', { name: 'Mine' }],
      ['GET', '/api/admin/api-keys'],
      ['POST', '/api/admin/api-keys', { serviceAccount: user.id, name: 'k' }],
      ['DELETE', '/api/admin/api-keys/00000000-0000-4000-8000-000000000000'],
    ] as Array<[string, string, unknown?]>) {
      expect((await user.api.request(method, path, body ? { body } : {})).status, `${method} ${path}`).toBe(403);
      expect((await server.anon.request(method, path, body ? { body } : {})).status, `${method} ${path}`).toBe(401);
    }
  });

  it('the OpenAPI document says how to authenticate with an API key', async () => {
    const doc = (await server.anon.get('/api/openapi.json')).body;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.bearerAuth.description).toMatch(/API key/);
    expect(doc.paths['/api/admin/api-keys'].post.security).toEqual([{ bearerAuth: [] }]);
  });
});
