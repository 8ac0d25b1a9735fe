/**
 * One user cannot take the database away from everyone (issue 19, "shared resources without
 * fairness"): slow import bodies hold no pooled connection, heavy aggregates queue in their own
 * tenant's lane and are answered 429/503 with Retry-After instead of hanging, a client that goes away
 * has its statement cancelled, and /api/health keeps answering with the load figures.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { connectDb, type Db } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let noisy: TestTenant;
let quiet: TestTenant;
let probe: Db;
/** The noisy admin again, on a session of its own (the first one's heavy lane is refused for a while after its 429s). */
let noisyAgain: ApiClient;

const item = {
  title: 'Item',
  type: 'object',
  'x-label-field': 'name',
  properties: { name: { type: 'string', maxLength: 100 }, body: { type: 'string', maxLength: 10_000 } },
};

// `contains` with a long needle against long text: PostgreSQL's ILIKE compares at every offset, so
// 199 of them over a few dozen rows keep one backend busy for minutes. A legitimate, if unkind, query.
const LONG = 'a'.repeat(6000);
/**
 * How long a cancelled aggregate may take to be gone from pg_stat_activity. Each row costs seconds
 * of CPU (199 long patterns over LONG) and the backend acts on the cancel at its next interrupt
 * check, with the CPU it gets: on a loaded 2-core machine a stop took over 20 s (the cancel itself
 * was sent in under 50 ms). Still well short of the 120 s heavy statement timeout, which is what
 * stops a statement nobody cancelled, so a missing cancel still fails these waits.
 */
const STOP_MS = 60_000;
const heavyAggregate = {
  count: true,
  filter: { or: Array.from({ length: 199 }, (_, i) => ({ body: { contains: `${'a'.repeat(3000)}${i}b` } })) },
};

/** A raw HTTP request whose body arrives slowly (or not at all), as a slow or hostile client sends it. */
function slowUpload(
  path: string,
  token: string,
  trickleMs?: number,
  contentType = 'text/csv',
  start = 'name\n',
  length = 10_000_000,
) {
  const u = new URL(server.url);
  const socket = net.connect(Number(u.port), u.hostname);
  let received = '';
  socket.on('data', (d) => {
    received += d.toString();
  });
  socket.on('error', () => undefined);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n${start}`,
  );
  const timer = trickleMs ? setInterval(() => socket.write('x'), trickleMs) : undefined;
  return {
    status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
    received: () => received,
    close() {
      if (timer) clearInterval(timer);
      socket.destroy();
    },
  };
}

const LOCAL_DB = !process.env.DATABASE_URL;
const SCHED_IDLE = 5;

/** A process's scheduling policy (Linux: field 41 of /proc/<pid>/stat), undefined elsewhere. */
function policyOf(pid: number): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[38]);
  } catch {
    return undefined;
  }
}

const pool = () => (server.runtime.db.client as { pool: { numUsed(): number; numPendingAcquires(): number } }).pool;

/** Backend pids of this tenant's running statements. */
async function runningPids(tenant: TestTenant): Promise<number[]> {
  const r = await probe.raw(
    `select pid from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and query ilike ?`,
    [`%t_${tenant.id}%ilike%`],
  );
  return r.rows.map((row: { pid: number }) => row.pid);
}

/** Statements of this tenant's schema running right now, seen from a connection outside the server's pool. */
async function running(tenant: TestTenant): Promise<number> {
  const r = await probe.raw(
    `select count(*)::int as n from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and query ilike ?`,
    [`%t_${tenant.id}%ilike%`],
  );
  return r.rows[0].n;
}

beforeAll(async () => {
  server = await startTestServer({
    poolMax: 8,
    runtimeConfig: {
      imports: { bodyIdleTimeoutMs: 3000 },
      database: {
        admission: { queuePerUser: 4, maxWaitMs: 4000, retryAfterSeconds: 10 },
        timeouts: { heavy: { statementMs: 120_000, idleInTransactionMs: 120_000 } },
        // The test cluster is embedded (on this machine) unless DATABASE_URL names another server.
        localBackends: LOCAL_DB,
      },
    },
  });
  probe = connectDb({ url: inject('databaseUrl'), poolMax: 2 });
  noisy = await createTestTenant(server, { prefix: 'fairnoisy' });
  quiet = await createTestTenant(server, { prefix: 'fairquiet' });
  for (const t of [noisy, quiet]) {
    const r = await t.api.put('/api/meta/objects/item', item);
    expect(r.status, r.text).toBe(200);
  }
  noisyAgain = await noisy.login(noisy.admin.email, noisy.admin.password);
  const rows = Array.from({ length: 40 }, (_, i) => ({ name: `long ${i}`, body: LONG }));
  const imp = await noisy.api.post('/api/records/item/import', undefined, { raw: JSON.stringify(rows) });
  expect(imp.status, imp.text).toBe(200);
  for (let i = 0; i < 3; i++)
    expect((await quiet.api.post('/api/records/item', { name: `quiet ${i}` })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  for (const t of [noisy, quiet]) await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await probe?.destroy();
  await server?.close();
});

describe('slow request bodies', () => {
  it('hold no pooled connection: health and another tenant keep answering while 20 uploads trickle in', async () => {
    const uploads = Array.from({ length: 20 }, () =>
      slowUpload('/api/records/item/import', noisy.api.token ?? '', 500),
    );
    try {
      // Each round trip gives the uploads time to reach their handlers (on main: a transaction each).
      for (let round = 0; round < 4; round++) {
        const [health, list] = await Promise.all([
          server.anon.get('/api/health'),
          quiet.api.get('/api/records/item', { query: { limit: 10 } }),
        ]);
        expect(health.status, health.text).toBe(200);
        expect(list.status, list.text).toBe(200);
        expect(list.body.items).toHaveLength(3);
      }
      // Nobody else uses this server's pool now: the uploads hold none of it.
      await expect.poll(() => pool().numUsed()).toBe(0);
      expect(uploads.every((u) => u.status() === 0)).toBe(true);
    } finally {
      for (const u of uploads) u.close();
    }
  }, 120_000);

  it('a body that stops arriving is answered 408 after the idle timeout', async () => {
    const upload = slowUpload('/api/records/item/import', noisy.api.token ?? '');
    try {
      await expect.poll(() => upload.status(), { timeout: 30_000 }).toBe(408);
      expect(upload.received()).toContain('REQUEST_TIMEOUT');
    } finally {
      upload.close();
    }
  }, 60_000);

  it('so is any other body that stops arriving (a JSON save)', async () => {
    const upload = slowUpload(
      '/api/records/item',
      noisy.api.token ?? '',
      undefined,
      'application/json',
      '{"name":',
      1000,
    );
    try {
      await expect.poll(() => upload.status(), { timeout: 30_000 }).toBe(408);
      expect(upload.received()).toContain('REQUEST_TIMEOUT');
    } finally {
      upload.close();
    }
  }, 60_000);
});

describe('heavy work of one user', () => {
  it('queues in its own lane: the rest is answered 429/503 with Retry-After, other tenants and health answer', async () => {
    type Answer = { status: number; retryAfter: string | null; code?: string };
    const answers: Answer[] = [];
    const controllers = Array.from({ length: 12 }, () => new AbortController());
    const abusive = controllers.map((c) =>
      fetch(new URL('/api/records/item/aggregate', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${noisy.api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(heavyAggregate),
        signal: c.signal,
      })
        .then(async (r) => {
          const text = await r.text();
          const a: Answer = { status: r.status, retryAfter: r.headers.get('retry-after') };
          if (r.status >= 400) a.code = JSON.parse(text).error?.code;
          answers.push(a);
        })
        .catch(() => undefined),
    );
    try {
      await expect.poll(() => running(noisy)).toBeGreaterThan(0);
      for (let round = 0; round < 3; round++) {
        const [health, list] = await Promise.all([
          server.anon.get('/api/health'),
          quiet.api.get('/api/records/item', { query: { limit: 10 } }),
        ]);
        expect(health.status, health.text).toBe(200);
        expect(list.status, list.text).toBe(200);
      }
      // Once refused, the same caller's heavy requests are refused until Retry-After before their
      // body is read: a malformed one answers 429, not 400.
      await expect.poll(() => answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
      const early = await noisy.api.post('/api/records/item/aggregate', undefined, { raw: '{' });
      expect(early.status, early.text).toBe(429);
      expect(early.headers.get('retry-after')).toMatch(/^\d+$/);
      // Other lanes of the same user and other users are not refused.
      expect((await noisy.api.get('/api/records/item', { query: { limit: 1 } })).status).toBe(200);
      // The heavy lane of one user in this pool is one statement wide; four more wait, the rest is
      // refused at once (429), the waiting ones give up after maxWaitMs (503): eleven answers, no hang.
      await expect.poll(() => answers.length, { timeout: 60_000 }).toBe(11);
      expect(await running(noisy)).toBe(1);
      const health = await server.anon.get('/api/health', { query: { details: true } });
      expect(health.body.details.admission.runningHeavy).toBe(1);
      expect(health.body.details.admission.limits.heavyPerUser).toBe(1);
      expect(answers.filter((a) => a.status === 429 && a.code === 'RATE_LIMITED')).toHaveLength(7);
      expect(answers.filter((a) => a.status === 503 && a.code === 'UNAVAILABLE')).toHaveLength(4);
      for (const a of answers) expect(a.retryAfter).toMatch(/^\d+$/);
    } finally {
      for (const c of controllers) c.abort();
    }
    await Promise.all(abusive);
  }, 180_000);

  it.runIf(LOCAL_DB)(
    'on the embedded database its backend runs at low CPU priority, and is back to normal afterwards',
    async () => {
      await expect.poll(() => running(noisy), { timeout: STOP_MS }).toBe(0);
      const c = new AbortController();
      const pending = fetch(new URL('/api/records/item/aggregate', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${noisyAgain.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(heavyAggregate),
        signal: c.signal,
      }).catch(() => undefined);
      let pid = 0;
      try {
        await expect.poll(async () => (pid = (await runningPids(noisy))[0] ?? 0)).toBeGreaterThan(0);
        expect(os.getPriority(pid)).toBe(server.runtime.config.database.heavyNice);
        expect(server.runtime.config.database.heavyNice).toBe(19);
        // And under SCHED_IDLE where the kernel has it (Linux): a list's backend waking preempts it at once.
        if (policyOf(pid) !== undefined) expect(policyOf(pid)).toBe(SCHED_IDLE);
        // The same tenant's interactive work is answered meanwhile.
        const list = await noisy.api.get('/api/records/item', { query: { limit: 1 } });
        expect(list.status, list.text).toBe(200);
      } finally {
        c.abort();
        await pending;
      }
      await expect.poll(() => running(noisy), { timeout: STOP_MS }).toBe(0);
      // Released: set back to normal priority (root), or closed and gone from the pool.
      await expect
        .poll(() => {
          try {
            return os.getPriority(pid) === 0 && (policyOf(pid) ?? 0) !== SCHED_IDLE ? 'normal' : 'niced';
          } catch {
            return 'gone';
          }
        })
        .not.toBe('niced');
    },
    180_000,
  );

  it('a client that goes away has its running statement cancelled', async () => {
    await expect.poll(() => running(noisy), { timeout: STOP_MS }).toBe(0);
    const c = new AbortController();
    const pending = fetch(new URL('/api/records/item/aggregate', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${noisyAgain.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(heavyAggregate),
      signal: c.signal,
    }).catch(() => undefined);
    await expect.poll(() => running(noisy)).toBe(1);
    c.abort();
    await pending;
    // Without the cancel the statement runs on for minutes (its timeout here is 120 s).
    await expect.poll(() => running(noisy), { timeout: STOP_MS }).toBe(0);
    expect((await server.anon.get('/api/health', { query: { details: true } })).body.details.cancelled).toBeGreaterThan(
      0,
    );
  }, 180_000);

  it('a statement past its timeout answers 503 UNAVAILABLE with Retry-After', async () => {
    const heavy = server.runtime.config.database.timeouts.heavy;
    const before = heavy.statementMs;
    heavy.statementMs = 1500;
    try {
      const r = await noisyAgain.post('/api/records/item/aggregate', heavyAggregate);
      expect(r.status, r.text).toBe(503);
      expect(r.body.error.code).toBe('UNAVAILABLE');
      expect(r.body.error.details.reason).toBe('statement_timeout');
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      heavy.statementMs = before;
    }
  }, 60_000);
});

describe('/api/health', () => {
  it('keeps {status: ok} and adds the event loop and pool figures when asked', async () => {
    expect((await server.anon.get('/api/health')).body).toEqual({ status: 'ok' });
    const r = await server.anon.get('/api/health', { query: { details: true } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
    const d = r.body.details;
    for (const k of ['p50', 'p99', 'max']) expect(typeof d.eventLoopDelayMs[k]).toBe('number');
    expect(d.pool).toMatchObject({ max: 8 });
    for (const k of ['used', 'free', 'pendingAcquires']) expect(typeof d.pool[k]).toBe('number');
    expect(typeof d.pool.acquireWaitMs.p99).toBe('number');
    expect(d.admission.limits).toMatchObject({ global: 6, perTenant: 3, perUser: 2 });
    expect(typeof d.admission.queued).toBe('number');
  });
});
