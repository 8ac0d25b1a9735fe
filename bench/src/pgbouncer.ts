/**
 * pgbouncer (opt-in: `npm run bench -- pgbouncer`, never part of a plain `npm run bench` or of
 * `npm test`): a second Forma server whose DATABASE_URL is a PgBouncer in transaction mode in front
 * of the bench's own cluster. It walks the core API (tenant, sign-in, metadata, record CRUD, list,
 * sign-out and deactivation taking effect), reads back which session settings leaked from one
 * client to another through the shared server connections, and times the same list through both
 * servers. bench/README.md ("PgBouncer in transaction mode") says what each finding means.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BENCH_PASSWORD, type BenchEnv, createTenant, login, request, type Session } from './bench-env';
import { stopChild } from './child-process';
import { httpLoad } from './load';
import { type BenchResult, ratio } from './results';
import { startServerProcess } from './server-process';
import type { WorkloadContext } from './workload';

const LIST = `/api/records/ticket?${new URLSearchParams({ filter: JSON.stringify({ status: { eq: 'open' } }), sort: '-points', limit: '50' })}`;

const TICKET = {
  title: 'Ticket',
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 200 },
    status: { type: 'string', enum: ['open', 'closed'], 'x-index': true },
    points: { type: 'number', minimum: 0, 'x-index': true },
  },
};

export async function pgbouncerCheck(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env, connections, seconds } = ctx;
  const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find((p) =>
    fs.existsSync(p),
  );
  if (!binary) throw new Error('pgbouncer is not installed (Debian: apt-get install pgbouncer); nothing was checked');
  const bouncer = await startPgbouncer(binary, env.server.databaseUrl);
  try {
    // The LISTEN that revokes cached sessions goes straight to PostgreSQL (DATABASE_SESSION_URL):
    // through the transaction-mode pool it hears nothing. BENCH_PGBOUNCER_LISTEN=pooled shows that.
    const listenPooled = process.env.BENCH_PGBOUNCER_LISTEN === 'pooled';
    const server = await startServerProcess({
      // Named prepared statements need PgBouncer 1.21+ with max_prepared_statements; Debian's is older,
      // and with them half the lists answered 500 (a statement prepared on another server connection).
      env: {
        DATABASE_URL: bouncer.url,
        DATABASE_NAMED_STATEMENTS: '0',
        ...(listenPooled ? {} : { DATABASE_SESSION_URL: env.server.databaseUrl }),
      },
    });
    try {
      const steps = await coreApi(env, server.url, server.platformToken);
      const admin = await login({ ...env, server } as BenchEnv, 'bouncer_core', 'admin@bouncer_core.test');
      const auth = { authorization: `Bearer ${admin.token}` };
      // Other PgBouncer clients read the session settings while Forma serves lists (interactive
      // lane), exports (heavy lane: the long timeouts) and metadata applies (the index phase) through
      // the same server connections, and once more after.
      const own = await ownSettings(env.server.databaseUrl);
      const traffic = busyPooled(server.url, auth, Math.max(3, Math.min(seconds, 10)));
      const during = await leakedSettings(bouncer.url, own, traffic.done);
      const trafficSteps = await traffic.finished;
      steps.push(...trafficSteps);
      const after = await leakedSettings(bouncer.url, own);
      const leaks = [...new Set([...during, ...after])].sort();
      const held = await heldGuards(env.server.databaseUrl);
      if (held) steps.push({ name: 'no lock or lease left held', ok: false, detail: held });
      else steps.push({ name: 'no lock or lease left held', ok: true, detail: '' });
      // The same tenant's list through the direct server and through the one behind PgBouncer.
      await httpLoad({ url: env.server.url + LIST, headers: auth, connections, seconds: 1 });
      const direct = await httpLoad({ url: env.server.url + LIST, headers: auth, connections, seconds });
      await httpLoad({ url: server.url + LIST, headers: auth, connections, seconds: 1 });
      const pooled = await httpLoad({ url: server.url + LIST, headers: auth, connections, seconds });
      const failed = steps.filter((s) => !s.ok);
      const r = ratio(pooled.p99Ms, direct.p99Ms);
      return [
        {
          name: 'pgbouncer',
          params: {
            poolMode: 'transaction',
            version: bouncer.version,
            listen: listenPooled ? 'through PgBouncer' : 'DATABASE_SESSION_URL',
            steps: steps.length,
          },
          measured: failed.length
            ? `${failed.length} of ${steps.length} steps wrong: ${failed.map((s) => `${s.name} (${s.detail})`).join('; ')}`
            : `${steps.length} core API steps answered as without PgBouncer (${steps.map((s) => s.name).join(', ')})`,
          baseline: 'the same steps and answers expected of a direct connection',
          figure: steps.length - failed.length,
          figureText: `${steps.length - failed.length}/${steps.length} steps`,
          target: 'every step right',
          pass: failed.length === 0,
          extra: { leakedSettings: leaks.join(', ') || 'none' },
        },
        {
          name: 'pgbouncer list',
          params: { poolMode: 'transaction', connections, seconds },
          measured: `behind PgBouncer: p50 ${pooled.p50Ms} ms, p99 ${pooled.p99Ms} ms, ${pooled.rps}/s; session settings seen leaked between clients: ${leaks.join(', ') || 'none'}`,
          baseline: `direct: p50 ${direct.p50Ms} ms, p99 ${direct.p99Ms} ms, ${direct.rps}/s`,
          figure: r,
          figureText: `${r}× p99`,
          target: 'recorded (one more hop; see bench/README.md)',
          pass: pooled.errors === 0 && direct.errors === 0,
          http: pooled,
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await bouncer.stop();
  }
}

interface Step {
  name: string;
  ok: boolean;
  detail: string;
}

/** The core API through the server behind PgBouncer, each answer checked. */
async function coreApi(env: BenchEnv, url: string, platformToken: string): Promise<Step[]> {
  const steps: Step[] = [];
  const step = async (name: string, run: () => Promise<string | undefined>) => {
    try {
      const wrong = await run();
      steps.push({ name, ok: wrong === undefined, detail: wrong ?? '' });
    } catch (e) {
      steps.push({ name, ok: false, detail: e instanceof Error ? e.message.slice(0, 160) : String(e) });
    }
  };
  const bouncedEnv = { ...env, server: { ...env.server, url, platformToken } } as BenchEnv;
  let admin: Session | undefined;
  await step('create tenant', async () => {
    admin = await createTenant(bouncedEnv, 'bouncer_core');
    return undefined;
  });
  if (!admin) return steps;
  const a = admin;
  await step('apply metadata', async () => {
    await a.ok('POST', '/api/meta/apply', {
      objects: { ticket: TICKET },
    });
    return undefined;
  });
  const ids: string[] = [];
  await step('create records', async () => {
    for (let i = 0; i < 60; i++) {
      const r = await a.ok<{ id: string }>('POST', '/api/records/ticket', {
        name: `Ticket ${i}`,
        status: i % 3 === 0 ? 'closed' : 'open',
        points: i,
      });
      ids.push(r.id);
    }
    return ids.length === 60 ? undefined : `${ids.length} created`;
  });
  await step('list', async () => {
    const page = await a.ok<{ items: Array<{ status: string; points: number }> }>('GET', LIST);
    if (page.items.length !== 40) return `${page.items.length} open tickets, expected 40`;
    if (page.items.some((t, i) => t.status !== 'open' || (i > 0 && t.points > (page.items[i - 1]?.points ?? 0))))
      return 'wrong order or filter';
    return undefined;
  });
  await step('update', async () => {
    await a.ok('PATCH', `/api/records/ticket/${ids[1]}`, { points: 1000 });
    const r = await a.ok<{ points: number }>('GET', `/api/records/ticket/${ids[1]}`);
    return r.points === 1000 ? undefined : `read back ${r.points}`;
  });
  await step('delete', async () => {
    await a.ok('DELETE', `/api/records/ticket/${ids[2]}`);
    const r = await a.call('GET', `/api/records/ticket/${ids[2]}`);
    return r.status === 404 ? undefined : `read after delete: ${r.status}`;
  });
  await step('sign-out ends the session', async () => {
    const s = await login(bouncedEnv, 'bouncer_core', 'admin@bouncer_core.test');
    await s.ok('GET', '/api/auth/me');
    await s.ok('POST', '/api/auth/logout');
    const r = await s.call('GET', '/api/auth/me');
    return r.status === 401 ? undefined : `after sign-out: ${r.status}`;
  });
  await step('deactivation ends the session', async () => {
    const user = await a.ok<{ id: string }>('POST', '/api/users', {
      email: 'rep@bouncer_core.test',
      name: 'Rep',
      password: BENCH_PASSWORD,
      roles: ['admin'],
    });
    const rep = await login(bouncedEnv, 'bouncer_core', 'rep@bouncer_core.test');
    // Twice: the second answer may come from the per-process session cache.
    await rep.ok('GET', '/api/auth/me');
    await rep.ok('GET', '/api/auth/me');
    await a.ok('DELETE', `/api/users/${user.id}`);
    const r = await rep.call('GET', '/api/auth/me');
    return r.status === 401 ? undefined : `deactivated user's token still answered ${r.status}`;
  });
  await step('sign-in refused after deactivation', async () => {
    const r = await request(url, 'POST', '/api/auth/login', undefined, {
      tenant: 'bouncer_core',
      email: 'rep@bouncer_core.test',
      password: BENCH_PASSWORD,
    });
    return r.status === 401 ? undefined : `sign-in answered ${r.status}`;
  });
  return steps;
}

/** Settings a server connection could carry from one client to the next, read by `leakedSettings`. */
const WATCHED = [
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'lock_timeout',
  'max_parallel_workers_per_gather',
  'plan_cache_mode',
  'search_path',
];

/** The watched settings of a fresh direct connection: what a client finds when nobody left anything. */
async function ownSettings(directUrl: string): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: directUrl });
  await c.connect();
  try {
    return (await c.query(`select ${WATCHED.map((n) => `current_setting('${n}') as ${n}`).join(', ')}`)).rows[0];
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Session settings that Forma's pooled connections set and that a later, unrelated client of the
 * same PgBouncer sees: transaction mode hands a server connection to anyone between transactions.
 * Reads until `until` settles (at least 5 rounds).
 */
async function leakedSettings(url: string, own: Record<string, string>, until?: Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  let over = !until;
  void until?.finally(() => {
    over = true;
  });
  const clients = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    for (let round = 0; round < 5 || !over; round++)
      await Promise.all(
        clients.map(async (c) => {
          const r = await c.query(`select ${WATCHED.map((n) => `current_setting('${n}') as ${n}`).join(', ')}`);
          for (const name of WATCHED) if (r.rows[0][name] !== own[name]) seen.add(`${name}=${r.rows[0][name] || "''"}`);
        }),
      );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  return [...seen].sort();
}

/**
 * Lists, exports and metadata applies through the server behind PgBouncer for `seconds`; each kind
 * a step that must answer 200 throughout. `done` settles when the traffic stops.
 */
function busyPooled(
  url: string,
  auth: Record<string, string>,
  seconds: number,
): { done: Promise<void>; finished: Promise<Step[]> } {
  const end = Date.now() + seconds * 1000;
  const loop = async (name: string, send: (i: number) => Promise<number>): Promise<Step> => {
    let n = 0;
    const wrong: string[] = [];
    while (Date.now() < end) {
      const status = await send(n++).catch((e: Error) => e.message.slice(0, 80));
      if (status !== 200) wrong.push(String(status));
    }
    return {
      name,
      ok: wrong.length === 0 && n > 0,
      detail: `${wrong.length} of ${n} wrong: ${wrong.slice(0, 3).join(', ')}`,
    };
  };
  const call = async (method: string, p: string, body?: unknown) =>
    (
      await fetch(url + p, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r;
      })
    ).status;
  const finished = Promise.all([
    ...Array.from({ length: 4 }, () => loop('lists while busy', () => call('GET', LIST))),
    loop('exports while busy', () => call('GET', '/api/records/ticket/export')),
    // A new x-index field each time: the apply's index phase builds it (CREATE INDEX CONCURRENTLY).
    loop('applies (index phase) while busy', (i) =>
      call('PUT', '/api/meta/objects/ticket', {
        ...TICKET,
        properties: {
          ...TICKET.properties,
          ...Object.fromEntries(
            Array.from({ length: i + 1 }, (_, k) => [`extra_${k}`, { type: 'number', 'x-index': true }]),
          ),
        },
      }),
    ),
  ]).then((all) => {
    const byName = new Map<string, Step>();
    for (const s of all) {
      const had = byName.get(s.name);
      byName.set(s.name, had ? { name: s.name, ok: had.ok && s.ok, detail: had.ok ? s.detail : had.detail } : s);
    }
    return [...byName.values()];
  });
  return { done: finished.then(() => undefined), finished };
}

/** Advisory locks held by anyone, and index-phase leases left, once Forma is idle: '' when none. */
async function heldGuards(directUrl: string): Promise<string> {
  const c = new pg.Client({ connectionString: directUrl });
  await c.connect();
  try {
    const locks = (await c.query(`select count(*)::int as n from pg_locks where locktype = 'advisory'`)).rows[0].n;
    const leases = (await c.query('select count(*)::int as n from platform.index_phase_leases')).rows[0].n;
    return locks || leases ? `${locks} advisory locks, ${leases} index-phase leases still held` : '';
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A PgBouncer in transaction mode on a free loopback port, in front of `databaseUrl`. */
async function startPgbouncer(
  binary: string,
  databaseUrl: string,
): Promise<{ url: string; version: string; stop(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-pgbouncer-'));
  // PgBouncer refuses to run as root: it drops to the cluster's own system user, who must read this.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const db = decodeURIComponent(target.pathname.slice(1));
  const ini = [
    '[databases]',
    `${db} = host=${target.hostname} port=${target.port || 5432} dbname=${db} user=${decodeURIComponent(target.username)} password=${decodeURIComponent(target.password)}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    // The database entry names the server user and password; clients are on loopback only.
    'auth_type = any',
    'pool_mode = transaction',
    'max_client_conn = 500',
    'default_pool_size = 20',
    // node-postgres sends statement_timeout as a start-up parameter, which PgBouncer rejects
    // unless told to ignore it (it is then lost: see bench/README.md).
    'ignore_startup_parameters = statement_timeout,extra_float_digits,options',
  ].join('\n');
  const iniPath = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(iniPath, `${ini}\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const version = await new Promise<string>((resolve) => {
    const v = spawn(binary, ['--version']);
    let out = '';
    v.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    v.on('close', () => resolve(/PgBouncer (\S+)/.exec(out)?.[1] ?? 'unknown'));
  });
  const child: ChildProcess = spawn(binary, [...(asRoot ? ['-u', ownerOf(databaseUrl)] : []), iniPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // It logs to stderr (the folder is root's; the dropped user cannot write a log file there).
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  // The embedded cluster's URL names its Unix socket directory (`?host=`), which pg prefers to the
  // hostname: PgBouncer listens on TCP only, so clients must not inherit it.
  url.searchParams.delete('host');
  const stop = async () => {
    await stopChild(child, 5000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Up once it accepts a query.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited: ${output.slice(-2000)}`);
    }
    const c = new pg.Client({ connectionString: url.toString() });
    try {
      await c.connect();
      await c.query('select 1');
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not start: ${String(e)} ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url: url.toString(),
    version,
    stop,
  };
}

/** The system user of the embedded cluster (it runs as `postgres` under root). */
function ownerOf(_databaseUrl: string): string {
  return 'postgres';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
