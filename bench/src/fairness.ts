/**
 * fairness (issue 19): a quiet tenant's list p99 alone, against the same list while one user of
 * another tenant holds 22 import uploads that trickle in a byte at a time and keeps 20 heavy
 * aggregates going (199 `contains` conditions over long text: minutes of work each). Target: the
 * quiet p99 rises ≤ 1.5×, and every abusive request is answered (429/503 with Retry-After, or its
 * result) instead of hanging; the few left running at the end are inside their lane's cap.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { createTenant, type Session } from './bench-env';
import { httpLoad } from './load';
import { type BenchResult, ratio } from './results';
import type { WorkloadContext } from './workload';

const P99_TARGET = 1.5;
const SLOW_UPLOADS = 22;
const AGGREGATORS = 20;
/** A refused abusive client waits this long before trying again (it does not honour Retry-After in full). */
const RETRY_PAUSE_MS = 250;

const ITEM = {
  title: 'Item',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    amount: { type: 'number' },
    body: { type: 'string', maxLength: 10_000 },
  },
  required: ['name'],
};

const HEAVY = {
  count: true,
  filter: { or: Array.from({ length: 199 }, (_, i) => ({ body: { contains: `${'a'.repeat(3000)}${i}b` } })) },
};

export async function fairness(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env, seconds } = ctx;
  const rows = ctx.knob('BENCH_FAIR_ROWS', 10_000);
  const quiet = await createTenant(env, 'bench_fair_quiet');
  const abuser = await createTenant(env, 'bench_fair_abuse');
  for (const s of [quiet, abuser]) await s.ok('PUT', '/api/meta/objects/item', ITEM);
  await seed(env.pool, quiet, rows, `'short text ' || i`);
  await seed(env.pool, abuser, 40, `repeat('a', 6000)`);

  const listPath = `/api/records/item?${new URLSearchParams({ filter: JSON.stringify({ stage: { eq: 'won' } }), sort: '-amount', limit: '50' })}`;
  const page = await quiet.ok<{ items: Array<{ stage: string }> }>('GET', listPath);
  if (page.items.length !== Math.min(50, Math.ceil(rows / 3)) || page.items.some((d) => d.stage !== 'won'))
    throw new Error(`fairness: wrong list page (${page.items.length} items)`);
  // A quiet tenant is a steady stream of people opening lists, not a load generator: it sends at a
  // fixed rate, the same alone and with the neighbour. A saturating client would measure how the two
  // cores of the machine are shared (the one admitted heavy statement owns a core whatever admission
  // does), not whether the neighbour's requests make the quiet tenant's wait.
  const rate = ctx.knob('BENCH_FAIR_RATE', 40);
  const quietLoad = async () => {
    const r = await httpLoad({
      url: env.server.url + listPath,
      headers: { authorization: `Bearer ${quiet.token}` },
      connections: 4,
      seconds,
      overallRate: rate,
    });
    if (r.errors) throw new Error(`fairness: ${r.errors} errors in the quiet tenant's lists (${r.errorDetail})`);
    return r;
  };
  await quietLoad();
  const cpuAlone = cpuMeter(env.server.pid, env.server.dir);
  const alone = await quietLoad();
  const aloneCpu = cpuAlone();

  // The abusive user: slow uploads and heavy aggregates, all through the phase.
  const uploads = Array.from({ length: SLOW_UPLOADS }, () => slowUpload(env.server.url, abuser.token));
  const answers: Array<{ status: number; retryAfter: boolean; ms: number }> = [];
  let inFlight = 0;
  const worker = new Worker(new URL('./fairness-abuser.mjs', import.meta.url), {
    workerData: {
      url: new URL('/api/records/item/aggregate', env.server.url).toString(),
      token: abuser.token,
      body: JSON.stringify(HEAVY),
      clients: AGGREGATORS,
      pauseMs: RETRY_PAUSE_MS,
    } satisfies AbuserData,
  });
  const abuserDone = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: AbuserMessage) => {
      if (m.kind === 'answer') answers.push(m);
      else if (m.kind === 'inFlight') inFlight = m.n;
      else resolve();
    });
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  // Let the abuse take hold (the first aggregates admitted, the uploads sent) before measuring.
  await new Promise((res) => setTimeout(res, 2000));
  let together: Awaited<ReturnType<typeof quietLoad>>;
  let togetherCpu: CpuShares | undefined;
  let stillRunning = 0;
  let uploadsAnswered = 0;
  let admitted = { runningHeavy: 0, queued: 0 };
  const admission = async () => {
    const health = await fetch(new URL('/api/health?details=true', env.server.url)).then((r) => r.json());
    admitted = health.details?.admission ?? admitted;
  };
  try {
    const cpuTogether = cpuMeter(env.server.pid, env.server.dir);
    together = await quietLoad();
    togetherCpu = cpuTogether();
    // No new abusive requests; those in flight must be answered (429 at once, 503 after waiting at
    // most maxWaitMs, 30 s), except the ones the heavy lane is running.
    worker.postMessage('stop');
    const deadline = performance.now() + 45_000;
    await admission();
    while (inFlight > admitted.runningHeavy && performance.now() < deadline) {
      await new Promise((res) => setTimeout(res, 500));
      await admission();
    }
  } finally {
    stillRunning = inFlight;
    uploadsAnswered = uploads.filter((u) => u.status() !== 0).length;
    worker.postMessage('abort');
    for (const u of uploads) u.close();
    await abuserDone;
    await worker.terminate();
  }
  const hanging = Math.max(0, stillRunning - admitted.runningHeavy);
  const by = (f: (a: (typeof answers)[number]) => boolean) => answers.filter(f).length;
  const refused429 = by((a) => a.status === 429);
  const refused503 = by((a) => a.status === 503);
  const ok = by((a) => a.status === 200);
  const other = answers.filter((a) => ![200, 429, 503].includes(a.status));
  const noRetryAfter = by((a) => (a.status === 429 || a.status === 503) && !a.retryAfter);
  if (other.length) throw new Error(`fairness: an abusive aggregate answered ${other[0]?.status}`);
  if (noRetryAfter) throw new Error(`fairness: ${noRetryAfter} refusals without Retry-After`);
  const rise = ratio(together.p99Ms, alone.p99Ms);
  const slowestRefusal = Math.round(Math.max(0, ...answers.filter((a) => a.status === 429).map((a) => a.ms)));
  const params = {
    rows,
    seconds,
    quietRate: rate,
    slowUploads: SLOW_UPLOADS,
    aggregators: AGGREGATORS,
    conditions: 199,
  };
  return [
    {
      name: 'fairness',
      params,
      measured: `with the abusive user: list p99 ${together.p99Ms} ms, p50 ${together.p50Ms} ms, ${together.rps}/s; ${describeCpu(togetherCpu)}`,
      baseline: `alone: list p99 ${alone.p99Ms} ms, p50 ${alone.p50Ms} ms, ${alone.rps}/s; ${describeCpu(aloneCpu)}`,
      figure: rise,
      figureText: `p99 ×${rise}`,
      target: `p99 ≤ ${P99_TARGET}× alone`,
      pass: rise <= P99_TARGET,
      extra: { ...prefixed('alone', aloneCpu), ...prefixed('together', togetherCpu) },
    },
    {
      name: 'fairness abusive requests',
      params,
      measured: `${answers.length} aggregates answered: ${refused429} × 429, ${refused503} × 503 (all with Retry-After; slowest 429 after ${slowestRefusal} ms), ${ok} × 200; after the phase, ${stillRunning} still in flight (server: ${admitted.runningHeavy} running in the heavy lane, ${admitted.queued} queued); ${uploadsAnswered} of ${SLOW_UPLOADS} trickling uploads answered (the rest still sending, holding no connection)`,
      baseline: 'before: each held a pooled connection until the pool was gone (30 s, then 500)',
      figure: hanging,
      figureText: `${refused429 + refused503} refused with Retry-After, ${hanging} hanging`,
      target: 'answered 429/503 rather than hanging: 45 s after the phase only what the heavy lane runs is unanswered',
      pass: other.length === 0 && refused429 + refused503 > 0 && hanging === 0,
      extra: { refused429, refused503, ok, stillRunning, hanging, uploadsAnswered, ...admitted },
    },
  ];
}

/** What fairness-abuser.mjs is given. */
interface AbuserData {
  url: string;
  token: string;
  /** The request body, serialised once. */
  body: string;
  clients: number;
  pauseMs: number;
}

/** What fairness-abuser.mjs reports. */
type AbuserMessage =
  | { kind: 'answer'; status: number; retryAfter: boolean; ms: number }
  | { kind: 'inFlight'; n: number }
  | { kind: 'done' };

/** Cores' worth of CPU (1 = one core busy all the time) each side used over a phase. */
interface CpuShares {
  server: number;
  postgres: number;
  bench: number;
  /** The machine's load average at the end (other work on a shared machine). */
  load: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function ticks(pid: number | string, children = false): number {
  try {
    // Fields after the command (which may hold spaces) start at the state: utime, stime are 14, 15 of stat.
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const own = Number(f[11]) + Number(f[12]);
    return children ? own + Number(f[13]) + Number(f[14]) : own;
  } catch {
    return 0;
  }
}

/** PostgreSQL's processes of this run: the postmaster (with its exited children) and its live children. */
function postgresTicks(dir: string): number {
  let postmaster: string | undefined;
  try {
    postmaster = fs
      .readFileSync(path.join(dir, 'data', 'pg', 'postmaster.pid'), 'utf8')
      .split('\n')[0]
      ?.trim();
  } catch {
    return 0;
  }
  if (!postmaster) return 0;
  let sum = ticks(postmaster, true);
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const ppid = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
      if (ppid === postmaster) sum += ticks(p);
    } catch {
      // Gone meanwhile.
    }
  }
  return sum;
}

/** Starts measuring; the returned function gives the CPU used since (Linux only; zeros elsewhere). */
function cpuMeter(serverPid: number, dir: string): () => CpuShares {
  const t0 = performance.now();
  const server0 = ticks(serverPid);
  const pg0 = postgresTicks(dir);
  const bench0 = process.cpuUsage();
  return () => {
    const ms = performance.now() - t0;
    const bench = process.cpuUsage(bench0);
    const share = (n: number) => Math.round((n / ms) * 100) / 100;
    return {
      server: share((ticks(serverPid) - server0) * TICK_MS),
      postgres: share((postgresTicks(dir) - pg0) * TICK_MS),
      bench: share((bench.user + bench.system) / 1000),
      load: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
    };
  };
}

function describeCpu(c: CpuShares | undefined): string {
  return c
    ? `CPU (cores): server ${c.server}, PostgreSQL ${c.postgres}, bench ${c.bench}; load average ${c.load}`
    : 'CPU n/a';
}

function prefixed(prefix: string, c: CpuShares | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(c ?? {}).map(([k, v]) => [`${prefix}Cpu${k[0]?.toUpperCase()}${k.slice(1)}`, v]),
  );
}

async function seed(pool: pg.Pool, s: Session, rows: number, body: string): Promise<void> {
  await pool.query(
    `insert into ${pg.escapeIdentifier(tenantSchema(s.tenant))}.${pg.escapeIdentifier(tableOf('item'))}
       (name, stage, amount, body, owner, created_by, updated_by)
     select 'Item ' || i, (array['new','won','lost'])[1 + i % 3], (i * 7919) % 100000, ${body}, $1, $1, $1
     from generate_series(1, $2::int) i`,
    [s.userId, rows],
  );
}

/** An import whose body trickles in a byte every half second and never ends. */
function slowUpload(base: string, token: string) {
  const u = new URL(base);
  const socket = net.connect(Number(u.port), u.hostname);
  let received = '';
  socket.on('data', (d) => {
    received += d.toString();
  });
  socket.on('error', () => undefined);
  socket.write(
    `POST /api/records/item/import HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: text/csv\r\nContent-Length: 10000000\r\n\r\nname\n',
  );
  const timer = setInterval(() => socket.write('x'), 500);
  return {
    status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
    close() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
