import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, uniqueTenantId, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

beforeAll(async () => {
  server = await startTestServer({ bodyLimit: 64 * 1024, runtimeConfig: { login: { maxFailuresPerAccount: 5 } } });
  tenant = await createTestTenant(server, { prefix: 'found' });
  // Users may only hold roles the metadata defines.
  expect((await tenant.api.put('/api/meta/roles/sales_rep', { label: 'Sales rep' })).status).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('health and OpenAPI', () => {
  it('answers ok once the database is reachable', async () => {
    const r = await server.anon.get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('keeps a sane caller request id and replaces a bad one', async () => {
    expect(
      (await server.anon.get('/api/health', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'),
    ).toBe('abc-123');
    const bad = await server.anon.get('/api/health', { headers: { 'x-request-id': 'a b<script>' } });
    expect(bad.headers.get('x-request-id')).not.toContain('<');
  });

  it('serves an OpenAPI document listing the routes', async () => {
    const r = await server.anon.get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/api/tenants', '/api/auth/login', '/api/users', '/api/health']),
    );
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await server.anon.get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('tenants', () => {
  it('refuses requests without or with a wrong platform token', async () => {
    const body = { id: uniqueTenantId(), name: 'X', admin: { email: 'a@x.test', password: 'password123', name: 'A' } };
    const none = await server.anon.post('/api/tenants', body);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await server.anon.withToken('nope').post('/api/tenants', body);
    expect(wrong.status).toBe(401);
    expect((await server.anon.get('/api/tenants')).status).toBe(401);
    // A tenant user's session is not a platform token either.
    expect((await tenant.api.get('/api/tenants')).status).toBe(401);
  });

  it('creates a tenant as its own schema and lists it', async () => {
    const list = await server.platform.get('/api/tenants');
    expect(list.status).toBe(200);
    const mine = list.body.items.find((t: { id: string }) => t.id === tenant.id);
    expect(mine).toMatchObject({ id: tenant.id, schema: `t_${tenant.id}`, status: 'active' });
    const schemas = await server.runtime.db.raw('select 1 from information_schema.schemata where schema_name = ?', [
      `t_${tenant.id}`,
    ]);
    expect(schemas.rows).toHaveLength(1);
  });

  it('refuses a duplicate id with 409', async () => {
    const r = await server.platform.post('/api/tenants', {
      id: tenant.id,
      name: 'Again',
      admin: { email: 'b@x.test', password: 'password123', name: 'B' },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CONFLICT');
  });

  it.each([
    ['upper case', 'Acme'],
    ['injection', 'a"; drop schema platform; --'],
    ['too short', 'a'],
    ['too long', `a${'b'.repeat(31)}`],
    ['leading digit', '1acme'],
    ['unicode', 'acmé'],
  ])('refuses a bad tenant id (%s) with 400', async (_label, id) => {
    const r = await server.platform.post('/api/tenants', {
      id,
      name: 'Bad',
      admin: { email: 'b@x.test', password: 'password123', name: 'B' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields.id).toBeTruthy();
  });

  it('refuses wrong types and unknown fields without creating anything', async () => {
    const id = uniqueTenantId();
    const r = await server.platform.post('/api/tenants', {
      id,
      name: 42,
      admin: { email: 'b@x.test', password: 'password123', name: 'B' },
      extra: true,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toMatchObject({ name: expect.any(String), extra: 'Unknown field' });
    const again = await server.platform.post('/api/tenants', {
      id,
      name: 'Fine',
      admin: { email: 'bad-email', password: 'x', name: 'B' },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.fields).toMatchObject({ email: expect.any(String), password: expect.any(String) });
    // Failed creation leaves no schema and no tenant row behind.
    expect((await server.platform.get('/api/tenants')).body.items.some((t: { id: string }) => t.id === id)).toBe(false);
    const schemas = await server.runtime.db.raw('select 1 from information_schema.schemata where schema_name = ?', [
      `t_${id}`,
    ]);
    expect(schemas.rows).toHaveLength(0);
  });

  it('refuses an unknown template', async () => {
    const r = await server.platform.post('/api/tenants', {
      id: uniqueTenantId(),
      name: 'T',
      template: 'nope',
      admin: { email: 'b@x.test', password: 'password123', name: 'B' },
    });
    expect(r.status).toBe(400);
  });

  it('deletes a tenant only with ?confirm=<id>, and its sessions stop working', async () => {
    const other = await createTestTenant(server, { prefix: 'del' });
    expect((await server.platform.delete(`/api/tenants/${other.id}`)).status).toBe(400);
    expect((await server.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: 'wrong' } })).status).toBe(
      400,
    );
    expect((await server.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: other.id } })).status).toBe(
      204,
    );
    expect((await other.api.get('/api/auth/me')).status).toBe(401);
    expect((await server.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: other.id } })).status).toBe(
      404,
    );
  });
});

describe('start-up migrations', () => {
  it('skip a tenant another process deleted while they run', async () => {
    const tenants = server.runtime.tenants;
    const ghost = await createTestTenant(server, { prefix: 'ghost' });
    const list = tenants.list.bind(tenants);
    // The listing is taken before the deletion commits, as when another server deletes it meanwhile.
    const listed = await list();
    await server.platform.delete(`/api/tenants/${ghost.id}`, { query: { confirm: ghost.id } });
    tenants.list = async () => listed;
    try {
      await expect(tenants.migrateAll()).resolves.toBeUndefined();
    } finally {
      tenants.list = list;
    }
  });
});

describe('auth', () => {
  it('logs in and answers me', async () => {
    const r = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: tenant.admin.email,
      password: tenant.admin.password,
    });
    expect(r.status).toBe(200);
    expect(r.body.token).toMatch(new RegExp(`^${tenant.id}\\.`));
    expect(r.body.user).toMatchObject({ email: tenant.admin.email, roles: ['admin'] });
    expect(r.body.user.password_hash).toBeUndefined();
    expect(r.headers.get('set-cookie')).toMatch(/forma_session=.*HttpOnly/i);
    const me = await server.anon.withToken(r.body.token).get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenant: tenant.id, isAdmin: true, user: { id: tenant.admin.id } });
  });

  it('accepts the session cookie instead of a bearer token', async () => {
    const r = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: tenant.admin.email,
      password: tenant.admin.password,
    });
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await server.anon.get('/api/auth/me', { headers: { cookie } })).status).toBe(200);
  });

  it('answers the same 401 for a wrong password, an unknown user and an unknown tenant', async () => {
    const wrong = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: tenant.admin.email,
      password: 'wrong password',
    });
    const unknown = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: 'nobody@x.test',
      password: 'wrong password',
    });
    const noTenant = await server.anon.post('/api/auth/login', {
      tenant: 'no_such_tenant',
      email: tenant.admin.email,
      password: 'x',
    });
    for (const r of [wrong, unknown, noTenant]) {
      expect(r.status).toBe(401);
      expect(r.body.error).toEqual(wrong.body.error);
    }
  });

  it('refuses requests without a token, with a garbage token or a token of a missing tenant', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer garbage' },
      { authorization: 'Bearer nope_tenant.abc' },
      { authorization: 'Basic abc' },
      { authorization: `Bearer ${tenant.id}.${'x'.repeat(43)}` },
    ]) {
      const r = await server.anon.get('/api/auth/me', { headers: headers as Record<string, string> });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('ends the session on logout', async () => {
    const client = await tenant.login(tenant.admin.email, tenant.admin.password);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('rate-limits repeated failures for one account with 429 and Retry-After', async () => {
    const user = await tenant.addUser({});
    const attempt = () =>
      server.anon.post('/api/auth/login', { tenant: tenant.id, email: user.email, password: 'wrong wrong' });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password is refused while the account is throttled.
    const right = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: user.email,
      password: user.password,
    });
    expect(right.status).toBe(429);
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const r = await server.anon.request('POST', '/api/auth/login', { raw: '{"tenant": "x", ' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BAD_REQUEST');
    expect(r.text).not.toMatch(/at .*\.ts/);
  });

  it('answers bodies that are arrays, null or strings with 400', async () => {
    for (const raw of ['[]', 'null', '"x"', '42']) {
      const r = await server.anon.request('POST', '/api/auth/login', { raw });
      expect(r.status, raw).toBe(400);
      expect(r.body.error).toBeTruthy();
    }
  });

  it('answers an oversized body with 413 TOO_LARGE', async () => {
    const r = await server.anon.request('POST', '/api/auth/login', {
      raw: JSON.stringify({ tenant: 'x', email: 'y', password: 'z'.repeat(100_000) }),
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TOO_LARGE');
  });

  it('answers an unsupported content type with 400', async () => {
    const r = await server.anon.request('POST', '/api/auth/login', {
      raw: 'tenant=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(400);
  });
});

describe('users', () => {
  it('lets an admin create, list, update and deactivate users', async () => {
    const created = await tenant.api.post('/api/users', {
      email: 'Rep@Example.test',
      name: 'Rep',
      password: 'rep password 1',
      roles: ['sales_rep'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'rep@example.test', roles: ['sales_rep'], active: true });
    expect(created.body.password_hash).toBeUndefined();
    const list = await tenant.api.get('/api/users');
    expect(list.body.items.map((u: { email: string }) => u.email)).toContain('rep@example.test');
    const upd = await tenant.api.patch(`/api/users/${created.body.id}`, { name: 'Rep One', manager: tenant.admin.id });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'Rep One', manager: tenant.admin.id });
    const dup = await tenant.api.post('/api/users', {
      email: 'rep@example.test',
      name: 'Again',
      password: 'rep password 1',
    });
    expect(dup.status).toBe(409);
  });

  it('ends a deactivated user’s sessions at once and refuses their login', async () => {
    const user = await tenant.addUser({ roles: ['sales_rep'] });
    expect((await user.api.get('/api/auth/me')).status).toBe(200);
    const del = await tenant.api.delete(`/api/users/${user.id}`);
    expect(del.status).toBe(200);
    expect(del.body.active).toBe(false);
    expect((await user.api.get('/api/auth/me')).status).toBe(401);
    const login = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: user.email,
      password: user.password,
    });
    expect(login.status).toBe(401);
  });

  it('keeps non-admins out of user management and shows them names only', async () => {
    const user = await tenant.addUser({ roles: ['sales_rep'] });
    expect((await user.api.post('/api/users', { email: 'x@y.test', name: 'X', password: 'password123' })).status).toBe(
      403,
    );
    expect((await user.api.patch(`/api/users/${tenant.admin.id}`, { name: 'Hacked' })).status).toBe(403);
    const list = await user.api.get('/api/users');
    expect(list.status).toBe(200);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(['id', 'name']);
  });

  it('refuses reporting cycles, unknown managers, and removing the last admin', async () => {
    const a = await tenant.addUser({});
    const b = await tenant.addUser({ manager: a.id });
    const cycle = await tenant.api.patch(`/api/users/${a.id}`, { manager: b.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.fields.manager).toMatch(/cycle/);
    expect((await tenant.api.patch(`/api/users/${a.id}`, { manager: a.id })).status).toBe(400);
    expect(
      (await tenant.api.patch(`/api/users/${a.id}`, { manager: '00000000-0000-0000-0000-000000000001' })).status,
    ).toBe(400);
    const last = await tenant.api.delete(`/api/users/${tenant.admin.id}`);
    expect(last.status).toBe(409);
    expect((await tenant.api.get('/api/users/not-a-uuid')).status).toBe(404);
    expect((await tenant.api.patch('/api/users/x', { active: 'no' })).status).toBe(400);
  });

  it('keeps tenants apart: a token of one tenant cannot see another’s users', async () => {
    const other = await createTestTenant(server, { prefix: 'iso' });
    const otherAdmin = (await other.api.get('/api/auth/me')).body.user.id;
    expect((await tenant.api.get(`/api/users/${otherAdmin}`)).status).toBe(404);
    await server.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: other.id } });
  });
});
