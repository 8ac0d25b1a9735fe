/**
 * Brute force under concurrency: the login throttle and the platform token's throttle count every
 * failure atomically, so a burst of parallel guesses gets exactly the allowed number of answers
 * and 429 for the rest. Each probe comes from its own address (X-Forwarded-For, the server trusts
 * its proxy here), so other test files' failures from loopback never mix in.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const PER_ACCOUNT = 10;
const PER_IP = 20;

let server: TestServer;
let tenant: TestTenant;

beforeAll(async () => {
  server = await startTestServer({
    trustProxy: true,
    runtimeConfig: { login: { maxFailuresPerAccount: PER_ACCOUNT, maxFailuresPerIp: PER_IP } },
  });
  tenant = await createTestTenant(server, { prefix: 'secthr' });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

/** A made-up client address (TEST-NET-2) nobody else uses. */
const someIp = () => `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;

const statuses = (list: number[]) =>
  list.reduce<Record<number, number>>((acc, s) => {
    acc[s] = (acc[s] ?? 0) + 1;
    return acc;
  }, {});

describe('login throttle', { timeout: 120_000 }, () => {
  it('40 parallel wrong passwords: exactly the limit answers 401, the rest 429', async () => {
    const user = await tenant.addUser({ roles: [] });
    const ip = someIp();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        server.anon.post(
          '/api/auth/login',
          { tenant: tenant.id, email: user.email, password: 'wrong password!' },
          { headers: { 'x-forwarded-for': ip } },
        ),
      ),
    );
    expect(statuses(answers.map((a) => a.status))).toEqual({ 401: PER_ACCOUNT, 429: 40 - PER_ACCOUNT });
    for (const a of answers.filter((x) => x.status === 429))
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password is refused too while the account is throttled.
    const right = await server.anon.post(
      '/api/auth/login',
      { tenant: tenant.id, email: user.email, password: user.password },
      { headers: { 'x-forwarded-for': someIp() } },
    );
    expect(right.status).toBe(429);
  });

  it('parallel guesses over many accounts from one address stop at the per-address limit', async () => {
    const ip = someIp();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        server.anon.post(
          '/api/auth/login',
          { tenant: tenant.id, email: `nobody${i}@${tenant.id}.test`, password: 'guess' },
          { headers: { 'x-forwarded-for': ip } },
        ),
      ),
    );
    expect(statuses(answers.map((a) => a.status))).toEqual({ 401: PER_IP, 429: 40 - PER_IP });
  });

  it('a successful login is not counted as a failure', async () => {
    const user = await tenant.addUser({ roles: [] });
    const ip = someIp();
    for (let i = 0; i < PER_ACCOUNT + 2; i++) {
      const r = await server.anon.post(
        '/api/auth/login',
        { tenant: tenant.id, email: user.email, password: user.password },
        { headers: { 'x-forwarded-for': ip } },
      );
      expect(r.status, r.text).toBe(200);
    }
  });
});

describe('platform token throttle', { timeout: 120_000 }, () => {
  it('parallel wrong platform tokens: exactly the per-address limit answers 401, then even the right one 429', async () => {
    const ip = someIp();
    const wrong = new ApiClient(server.url, 'not-the-platform-token');
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => wrong.get('/api/tenants', { headers: { 'x-forwarded-for': ip } })),
    );
    expect(statuses(answers.map((a) => a.status))).toEqual({ 401: PER_IP, 429: 40 - PER_IP });
    const right = await server.platform.get('/api/tenants', { headers: { 'x-forwarded-for': ip } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await server.platform.get('/api/tenants', { headers: { 'x-forwarded-for': someIp() } })).status).toBe(200);
  });
});
