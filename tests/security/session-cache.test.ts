/**
 * Sessions are cached per server process (runtime/src/auth/session-cache.ts). These probes run two
 * server processes over one database, warm the second one's cache, change things through the first
 * one, and ask the second one at once: a cached session must never outlive a sign-out, a
 * deactivation, a password change, ended sessions or a role change made anywhere, and a token of
 * one tenant must never hit another tenant's entry.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantSchema } from '../../runtime/src/model/naming';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let first: TestServer;
let second: TestServer;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer();
  tenant = await createTestTenant(first, { prefix: 'scache' });
  other = await createTestTenant(first, { prefix: 'scacheb' });
  for (const t of [tenant, other]) expect((await t.api.put('/api/meta/roles/rep', { objects: {} })).status).toBe(200);
});
afterAll(async () => {
  for (const t of [tenant, other]) await first?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await second?.close();
  await first?.close();
});

/** A user signed in through the first process, and the same token used against the second one. */
async function userOnBoth(roles = ['rep']): Promise<{ id: string; onFirst: ApiClient; onSecond: ApiClient }> {
  const u = await tenant.addUser({ roles });
  const onSecond = second.anon.withToken(u.api.token as string);
  expect(await second.runtime.sessionCache.ready()).toBe(true);
  // Twice: the first answer fills the second process's cache, the second one comes from it.
  const hits = second.runtime.sessionCache.stats().hits;
  for (let i = 0; i < 2; i++) expect((await onSecond.get('/api/auth/me')).status).toBe(200);
  expect(second.runtime.sessionCache.stats().hits).toBeGreaterThan(hits);
  return { id: u.id, onFirst: u.api, onSecond };
}

describe('a session cached by another process', () => {
  it('is refused at once after a sign-out through the first process', async () => {
    const u = await userOnBoth();
    expect((await u.onFirst.post('/api/auth/logout')).status).toBe(204);
    for (const path of ['/api/auth/me', '/api/meta/app', '/api/records/deal'])
      expect((await u.onSecond.get(path)).status, path).toBe(401);
  });

  it('is refused at once after the user is deactivated', async () => {
    const u = await userOnBoth();
    expect((await tenant.api.delete(`/api/users/${u.id}`)).status).toBe(200);
    expect((await u.onSecond.get('/api/auth/me')).status).toBe(401);
    expect((await u.onFirst.get('/api/auth/me')).status).toBe(401);
  });

  it('is refused at once after an admin sets a new password or ends the sessions', async () => {
    const u = await userOnBoth();
    expect((await tenant.api.patch(`/api/users/${u.id}`, { password: 'another password 456' })).status).toBe(200);
    expect((await u.onSecond.get('/api/auth/me')).status).toBe(401);

    const v = await userOnBoth();
    expect((await tenant.api.delete(`/api/users/${v.id}/sessions`)).status).toBe(200);
    expect((await v.onSecond.get('/api/auth/me')).status).toBe(401);
  });

  it('carries a role change made through the first process on the very next request', async () => {
    const u = await userOnBoth(['rep']);
    expect((await u.onSecond.get('/api/meta')).status).toBe(403);
    expect((await tenant.api.patch(`/api/users/${u.id}`, { roles: ['rep', 'admin'] })).status).toBe(200);
    expect((await u.onSecond.get('/api/auth/me')).body.user.roles).toEqual(['rep', 'admin']);
    expect((await u.onSecond.get('/api/meta')).status).toBe(200);
    expect((await tenant.api.patch(`/api/users/${u.id}`, { roles: ['rep'] })).status).toBe(200);
    expect((await u.onSecond.get('/api/meta')).status).toBe(403);
  });

  it('serves a new metadata version made through the first process on the very next request', async () => {
    const u = await userOnBoth();
    const name = `gadget_${Date.now().toString(36)}`;
    expect(
      (
        await tenant.api.put(`/api/meta/objects/${name}`, {
          title: 'Gadget',
          type: 'object',
          properties: { name: { type: 'string' } },
        })
      ).status,
    ).toBe(200);
    const admin = second.anon.withToken(tenant.api.token as string);
    expect(Object.keys((await admin.get('/api/meta/app')).body.objects)).toContain(name);
    expect((await u.onSecond.get('/api/auth/me')).status).toBe(200);
  });

  it('is dropped when a change bypasses the services (the triggers notice it too)', async () => {
    const u = await userOnBoth();
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      await client.query(
        `update ${pg.escapeIdentifier(tenantSchema(tenant.id))}._users set active = false where id = $1`,
        [u.id],
      );
    } finally {
      await client.end();
    }
    // No request of ours waited for the notice here: wait for the condition, bounded.
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline && status !== 401) {
      status = (await u.onSecond.get('/api/auth/me')).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });

  it('is never reached with a token of another tenant', async () => {
    const u = await userOnBoth();
    const [, secret] = (u.onSecond.token as string).split('.');
    for (const server of [first, second]) {
      const forged = server.anon.withToken(`${other.id}.${secret}`);
      expect((await forged.get('/api/auth/me')).status).toBe(401);
    }
    // The real one still works (the forged one evicted nothing it should not have).
    expect((await u.onSecond.get('/api/auth/me')).status).toBe(200);
  });
  it('is keyed by the whole token in memory, while the database keeps only its SHA-256', async () => {
    const u = await userOnBoth();
    const token = u.onSecond.token as string;
    // A lookalike of a cached token (one character changed, cut short, padded) is no session.
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const lookalike of [`${token.slice(0, -1)}${last}`, token.slice(0, -1), `${token}A`, token.toUpperCase()])
      expect((await second.anon.withToken(lookalike).get('/api/auth/me')).status, lookalike).toBe(401);
    expect((await u.onSecond.get('/api/auth/me')).status).toBe(200);
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select * from ${pg.escapeIdentifier(tenantSchema(tenant.id))}._sessions where user_id = $1`,
        [u.id],
      );
      expect(rows.length).toBeGreaterThan(0);
      const sha = createHash('sha256').update(token).digest();
      expect(rows.some((r) => Buffer.isBuffer(r.token_hash) && r.token_hash.equals(sha))).toBe(true);
      const secret = token.split('.')[1] as string;
      for (const r of rows) expect(JSON.stringify(r)).not.toContain(secret);
    } finally {
      await client.end();
    }
  });
});
