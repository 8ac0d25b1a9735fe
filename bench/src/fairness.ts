/**
 * fairness (issue 19): a quiet tenant's list p99 alone, against the same list while one user of
 * another tenant holds 22 import uploads that trickle in a byte at a time and keeps 20 heavy
 * aggregates going (199 `contains` conditions over long text: minutes of work each). Target: the
 * quiet p99 rises ≤ 1.5×, and every abusive request is answered (429/503 with Retry-After, or its
 * result) instead of hanging; the few left running at the end are inside their lane's cap.
 * Alone and with the neighbour alternate in `BENCH_FAIR_ROUNDS` (4) rounds of half `BENCH_SECONDS`
 * each, their samples pooled: on a machine shared with other work, both sides see the same load.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { createTenant, type Session } from './bench-env';
import { percentile } from './load';
import { type BenchResult, ratio } from './results';
import type { WorkloadContext } from './workload';
import { postgresProcesses } from './schedstat';

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
  const abuserSession = await createTenant(env, 'bench_fair_abuse');
  for (const s of [quiet, abuserSession]) await s.ok('PUT', '/api/meta/objects/item', ITEM);
  await seed(env.pool, quiet, rows, `'short text ' || i`);
  await seed(env.pool, abuserSession, 40, `repeat('a', 6000)`);

  const listPath = `/api/records/item?${new URLSearchParams({ filter: JSON.stringify({ stage: { eq: 'won' } }), sort: '-amount', limit: '50' })}`;
  const page = await quiet.ok<{ items: Array<{ stage: string }> }>('GET', listPath);
  if (page.items.length !== Math.min(50, Math.ceil(rows / 3)) || page.items.some((d) => d.stage !== 'won'))
    throw new Error(`fairness: wrong list page (${page.items.length} items)`);
  // A quiet tenant is a steady stream of people opening lists, not a load generator: it sends at a
  // fixed rate, the same alone and with the neighbour. A saturating client would measure how the two
  // cores of the machine are shared (the one admitted heavy statement owns a core whatever admission
  // does), not whether the neighbour's requests make the quiet tenant's wait.
  const rate = ctx.knob('BENCH_FAIR_RATE', 40);
  // The machine is shared with other work whose load comes and goes: alone and with the neighbour
  // alternate in short rounds, so both sides see the same conditions, and their samples are pooled.
  const rounds = Math.max(1, ctx.knob('BENCH_FAIR_ROUNDS', 4));
  const phaseSeconds = Math.max(1, seconds / 2);
  const quietLoad = async (s: number) => {
    const r = await pacedLoad({
      url: env.server.url + listPath,
      authorization: `Bearer ${quiet.token}`,
      connections: 4,
      seconds: s,
      rate,
    });
    if (r.errors) throw new Error(`fairness: ${r.errors} errors in the quiet tenant's lists (${r.errorDetail})`);
    return r;
  };
  await quietLoad(1);

  const answers: Array<{ status: number; retryAfter: boolean; ms: number }> = [];
  let inFlight = 0;
  let idle: () => void = () => undefined;
  const abuser = fork(fileURLToPath(new URL('./fairness-abuser.mjs', import.meta.url)), [], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  const abuserExited = new Promise<void>((resolve) => abuser.once('exit', () => resolve()));
  abuser.on('message', (m: AbuserMessage) => {
    if (m.kind === 'answer') answers.push(m);
    else if (m.kind === 'inFlight') inFlight = m.n;
    else if (m.kind === 'idle') idle();
  });
  const abuserData: AbuserData = {
    url: new URL('/api/records/item/aggregate', env.server.url).toString(),
    token: abuserSession.token,
    body: JSON.stringify(HEAVY),
    clients: AGGREGATORS,
    pauseMs: RETRY_PAUSE_MS,
  };
  const halt = (how: 'stop' | 'abort') =>
    new Promise<void>((resolve) => {
      idle = resolve;
      abuser.send(how);
    });
  let admitted = { runningHeavy: 0, queued: 0 };
  const admission = async () => {
    const health = await fetch(new URL('/api/health?details=true', env.server.url)).then((r) => r.json());
    admitted = health.details?.admission ?? admitted;
  };
  const aloneSamples: number[] = [];
  const togetherSamples: number[] = [];
  const aloneCpu: CpuShares[] = [];
  const togetherCpu: CpuShares[] = [];
  const abuserCpu: number[] = [];
  let stillRunning = 0;
  let uploadsAnswered = 0;
  let uploadsOpened = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      // Alone: nothing of the abusive user running or queued (the last round's heavy statement cancelled).
      for (let i = 0; i < 60; i++) {
        await admission();
        if (!admitted.runningHeavy && !admitted.queued) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      const cpuA = cpuMeter(env.server.pid, env.server.dir);
      aloneSamples.push(...(await quietLoad(phaseSeconds)).samples);
      aloneCpu.push(cpuA());

      // The abusive user: slow uploads and heavy aggregates, all through the phase.
      const uploads = Array.from({ length: SLOW_UPLOADS }, () => slowUpload(env.server.url, abuserSession.token));
      uploadsOpened += uploads.length;
      const abuserTicks = ticks(abuser.pid ?? 0, true);
      abuser.send({ kind: 'start', data: abuserData });
      const last = round === rounds - 1;
      try {
        // Let the abuse take hold (the first aggregates admitted, the uploads sent) before measuring.
        await new Promise((res) => setTimeout(res, 2000));
        const cpuT = cpuMeter(env.server.pid, env.server.dir);
        const t0 = performance.now();
        togetherSamples.push(...(await quietLoad(phaseSeconds)).samples);
        togetherCpu.push(cpuT());
        abuserCpu.push(((ticks(abuser.pid ?? 0, true) - abuserTicks) * TICK_MS) / (performance.now() - t0 + 2000));
        if (!last) {
          // The client gives up: the server cancels its running statement.
          await halt('abort');
          continue;
        }
        // The last round: no new abusive requests; those in flight must be answered (429 at once,
        // 503 after waiting at most maxWaitMs, 30 s), except the ones the heavy lane is running.
        const halted = halt('stop');
        const deadline = performance.now() + 45_000;
        await admission();
        while (inFlight > admitted.runningHeavy && performance.now() < deadline) {
          await new Promise((res) => setTimeout(res, 500));
          await admission();
        }
        stillRunning = inFlight;
        abuser.send('abort');
        await halted;
      } finally {
        uploadsAnswered += uploads.filter((u) => u.status() !== 0).length;
        for (const u of uploads) u.close();
      }
    }
  } finally {
    if (abuser.connected) abuser.send('exit');
    await Promise.race([abuserExited, new Promise((res) => setTimeout(res, 5000))]);
    abuser.kill();
  }
  const alone = summarise(aloneSamples, phaseSeconds * rounds);
  const together = summarise(togetherSamples, phaseSeconds * rounds);
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
    rounds,
  };
  const cpuT = meanCpu(togetherCpu);
  const cpuA = meanCpu(aloneCpu);
  const clientCpu = Math.round((abuserCpu.reduce((a, b) => a + b, 0) / Math.max(1, abuserCpu.length)) * 100) / 100;
  return [
    {
      name: 'fairness',
      params,
      measured: `with the abusive user: list p99 ${together.p99Ms} ms, p50 ${together.p50Ms} ms, ${together.rps}/s; ${describeCpu(cpuT)}; abusive clients (own process and session) ${clientCpu}`,
      baseline: `alone (alternating with the above, ${rounds} rounds of ${phaseSeconds} s each): list p99 ${alone.p99Ms} ms, p50 ${alone.p50Ms} ms, ${alone.rps}/s; ${describeCpu(cpuA)}`,
      figure: rise,
      figureText: `p99 ×${rise}`,
      target: `p99 ≤ ${P99_TARGET}× alone`,
      pass: rise <= P99_TARGET,
      extra: { ...prefixed('alone', cpuA), ...prefixed('together', cpuT), abuserClientCpu: clientCpu },
    },
    {
      name: 'fairness abusive requests',
      params,
      measured: `${answers.length} aggregates answered: ${refused429} × 429, ${refused503} × 503 (all with Retry-After; slowest 429 after ${slowestRefusal} ms), ${ok} × 200; after the phase, ${stillRunning} still in flight (server: ${admitted.runningHeavy} running in the heavy lane, ${admitted.queued} queued); ${uploadsAnswered} of ${uploadsOpened} trickling uploads answered (the rest still sending, holding no connection)`,
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
  | { kind: 'idle' };

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
export function postgresTicks(dir: string): number {
  const pg = postgresProcesses(dir);
  if (!pg) return 0;
  return pg.children.reduce((sum, p) => sum + ticks(p), ticks(pg.postmaster, true));
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

function meanCpu(all: CpuShares[]): CpuShares | undefined {
  if (!all.length) return undefined;
  const mean = (k: keyof CpuShares) => Math.round((all.reduce((a, c) => a + c[k], 0) / all.length) * 100) / 100;
  return { server: mean('server'), postgres: mean('postgres'), bench: mean('bench'), load: mean('load') };
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

/**
 * `url` at a fixed `rate` for `seconds` over at most `connections` keep-alive sockets, open loop:
 * each request's time counts from when it was due, so a request that waited for a free socket (the
 * server answering late) shows its wait, as a person opening the list would see it. Returns every
 * sample, so rounds can be pooled.
 */
async function pacedLoad(opts: {
  url: string;
  authorization: string;
  connections: number;
  seconds: number;
  rate: number;
}): Promise<{ samples: number[]; errors: number; errorDetail: string }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const n = Math.round(opts.seconds * opts.rate);
  const start = performance.now();
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const req = http.get(opts.url, { agent, headers: { authorization: opts.authorization } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) samples.push(performance.now() - due);
          else {
            errors += 1;
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          }
          resolve();
        });
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    pending.push(one(due));
  }
  await Promise.all(pending);
  agent.destroy();
  return { samples, errors, errorDetail: `statuses ${JSON.stringify(statuses)}` };
}

function summarise(samples: number[], seconds: number): { p50Ms: number; p99Ms: number; rps: number } {
  return {
    p50Ms: Math.round(percentile(samples, 0.5)),
    p99Ms: Math.round(percentile(samples, 0.99)),
    rps: Math.round(samples.length / seconds),
  };
}
