/**
 * Security probes of sessions and tenant isolation that do not need records: tokens after logout
 * and deactivation, tokens of another tenant, forged tokens, login brute force, and the permission
 * endpoints probed by users who are not admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  server = await startTestServer({ runtimeConfig: { login: { maxFailuresPerAccount: 3 } } });
  a = await createTestTenant(server, { prefix: 'seca' });
  b = await createTestTenant(server, { prefix: 'secb' });
  for (const t of [a, b]) {
    const r = await t.api.put('/api/meta/roles/rep', { objects: {} });
    expect(r.status, r.text).toBe(200);
  }
});
afterAll(async () => {
  for (const t of [a, b]) await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

describe('tokens', () => {
  it('stop working after logout', async () => {
    const u = await a.addUser({ roles: ['rep'] });
    expect((await u.api.get('/api/auth/me')).status).toBe(200);
    expect((await u.api.post('/api/auth/logout')).status).toBe(204);
    for (const path of [
      '/api/auth/me',
      '/api/meta/app',
      `/api/records/deal/${u.id}/access`,
      `/api/records/deal/${u.id}/shares`,
    ])
      expect((await u.api.get(path)).status, path).toBe(401);
  });

  it('stop working once the user is deactivated, in every route group', async () => {
    const u = await a.addUser({ roles: ['rep'] });
    expect((await a.api.delete(`/api/users/${u.id}`)).status).toBe(200);
    for (const path of ['/api/auth/me', '/api/meta/app', `/api/records/deal/${u.id}/shares`])
      expect((await u.api.get(path)).status, path).toBe(401);
  });

  it('of one tenant never reach another tenant’s users or records', async () => {
    const bUser = await b.addUser({ roles: ['rep'] });
    // A's admin token asking for B's user and B's permissions: 404, as if they did not exist.
    expect((await a.api.get(`/api/users/${bUser.id}`)).status).toBe(404);
    expect((await a.api.get('/api/meta/effective-permissions', { query: { user: bUser.id } })).status).toBe(404);
    expect((await a.api.patch(`/api/users/${bUser.id}`, { name: 'hijacked' })).status).toBe(404);
    expect((await b.api.get(`/api/users/${bUser.id}`)).body.name).not.toBe('hijacked');
  });

  it('forged or tampered tokens are refused with 401', async () => {
    const real = a.api.token as string;
    const forged = [
      `${b.id}.${real.split('.')[1]}`,
      `${a.id}.${'A'.repeat(43)}`,
      `${a.id}.`,
      'nosuchtenant.abc',
      "t_x';drop schema public;--.abc",
      `${real}x`,
      '',
    ];
    for (const token of forged) {
      const r = await new ApiClient(server.url, token).get('/api/auth/me');
      expect(r.status, token).toBe(401);
    }
  });
});

describe('login brute force', () => {
  it('answers 429 after repeated failures, even with the right password', async () => {
    const u = await a.addUser({ roles: ['rep'] });
    let last = 0;
    for (let i = 0; i < 5; i++) {
      last = (await server.anon.post('/api/auth/login', { tenant: a.id, email: u.email, password: 'wrong password!' }))
        .status;
    }
    expect(last).toBe(429);
    const right = await server.anon.post('/api/auth/login', { tenant: a.id, email: u.email, password: u.password });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('permission endpoints probed by non-admins', () => {
  it('refuses effective permissions and other users’ explanations', async () => {
    const u = await a.addUser({ roles: ['rep'] });
    expect((await u.api.get('/api/meta/effective-permissions', { query: { user: u.id } })).status).toBe(403);
    expect((await u.api.get('/api/meta/effective-permissions', { query: { user: a.admin.id } })).status).toBe(403);
    expect((await u.api.get('/api/meta')).status).toBe(403);
    expect((await u.api.put('/api/meta/roles/rep', { objects: {} })).status).toBe(403);
    // A user cannot grant themselves roles.
    expect((await u.api.patch(`/api/users/${u.id}`, { roles: ['admin'] })).status).toBe(403);
  });
});
