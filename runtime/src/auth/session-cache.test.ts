import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../clock';
import { AUTH_CHANNEL } from './session-notify-migration';
import { defaultSessionCacheConfig, SessionCache } from './session-cache';

const caches: SessionCache[] = [];
afterEach(async () => {
  for (const c of caches.splice(0)) await c.close();
});

async function liveCache(config: Partial<typeof defaultSessionCacheConfig> = {}): Promise<SessionCache> {
  const cache = new SessionCache(
    () => ({ connectionString: inject('databaseUrl') }),
    { ...defaultSessionCacheConfig, ...config },
    systemClock,
  );
  caches.push(cache);
  expect(await cache.ready()).toBe(true);
  return cache;
}

const hash = (n: number) => `t.${String(n).repeat(43)}`;
const user = (id: string) => ({ id, email: `${id}@x.test`, name: id, roles: ['rep'], manager: null, locale: null });
const session = (schema: string, id: string) => ({ schema, user: user(id), expiresAt: Date.now() + 60_000 });

async function notify(payload: string): Promise<void> {
  const c = new pg.Client({ connectionString: inject('databaseUrl') });
  await c.connect();
  try {
    await c.query('select pg_notify($1, $2)', [AUTH_CHANNEL, payload]);
  } finally {
    await c.end();
  }
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('the session cache', () => {
  it('keys entries by schema and token: the same token string in another tenant is a miss', async () => {
    const cache = await liveCache();
    cache.set(cache.epochOf('t_a'), hash(1), session('t_a', 'u1'), 3);
    // t_b has a metadata version and a session of its own: only the key can make the miss below.
    cache.set(cache.epochOf('t_b'), hash(9), session('t_b', 'u9'), 3);
    expect(cache.get('t_b', hash(9))).toBeDefined();
    expect(cache.get('t_a', hash(1))?.metaVersion).toBe(3);
    expect(cache.get('t_b', hash(1))).toBeUndefined();
    expect(cache.get('t_a', hash(2))).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = await liveCache({ maxEntries: 2 });
    for (const n of [1, 2]) cache.set(cache.epochOf('t_a'), hash(n), session('t_a', `u${n}`), 1);
    expect(cache.get('t_a', hash(1))).toBeDefined();
    cache.set(cache.epochOf('t_a'), hash(3), session('t_a', 'u3'), 1);
    expect(cache.stats().entries).toBe(2);
    expect(cache.get('t_a', hash(2))).toBeUndefined();
    expect(cache.get('t_a', hash(1))).toBeDefined();
  });

  it('never stores a lookup that a notice for its tenant overtook', async () => {
    const cache = await liveCache();
    const epoch = cache.epochOf('t_a');
    await notify('t_a|u|u1');
    await until(() => cache.epochOf('t_a') !== epoch);
    cache.set(epoch, hash(1), session('t_a', 'u1'), 1);
    expect(cache.get('t_a', hash(1))).toBeUndefined();
  });

  it("drops a user's sessions, a tenant, or updates the metadata version on notices", async () => {
    const cache = await liveCache();
    cache.set(cache.epochOf('t_a'), hash(1), session('t_a', 'u1'), 1);
    cache.set(cache.epochOf('t_a'), hash(2), session('t_a', 'u2'), 1);
    cache.set(cache.epochOf('t_b'), hash(3), session('t_b', 'u1'), 1);
    await notify('t_a|m|7');
    await until(() => cache.get('t_a', hash(2))?.metaVersion === 7);
    await notify('t_a|u|u1');
    await until(() => cache.get('t_a', hash(1)) === undefined);
    // The same user id in another tenant is another user.
    expect(cache.get('t_b', hash(3))).toBeDefined();
    await notify('t_b|t|');
    await until(() => cache.get('t_b', hash(3)) === undefined);
    expect(cache.get('t_a', hash(2))).toBeDefined();
  });

  it('does not serve expired sessions', async () => {
    const cache = await liveCache();
    cache.set(cache.epochOf('t_a'), hash(1), { ...session('t_a', 'u1'), expiresAt: Date.now() - 1 }, 1);
    expect(cache.get('t_a', hash(1))).toBeUndefined();
  });

  it('is bypassed and emptied while its listening connection is down', async () => {
    const cache = await liveCache();
    cache.set(cache.epochOf('t_a'), hash(1), session('t_a', 'u1'), 1);
    const c = new pg.Client({ connectionString: inject('databaseUrl') });
    await c.connect();
    try {
      await c.query('select pg_terminate_backend($1)', [cache.stats().listenerPid]);
    } finally {
      await c.end();
    }
    await until(() => !cache.stats().live);
    expect(cache.get('t_a', hash(1))).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });
});
