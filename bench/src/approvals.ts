/**
 * approvals (issue 12, workload 10): a two-level chain (reviewer, then second reviewer, both user
 * fields of the deal) on 100 deals, decided by 50 approvers working at once through HTTP. Every
 * approver sends each decision twice at the same moment, so the run also proves the guard: exactly
 * one of each pair may win (the other 409), and no instance may advance twice (one `completed`
 * event each, record version = 1 + submit + finish). Target: ≥ 300 round trips/s (submits,
 * decisions and inbox reads that found work; empty polls are not counted), zero double advances.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { BENCH_PASSWORD, createTenant, login, resetStatements, type Session } from './bench-env';
import { postgresTicks } from './fairness';
import { cpuMs } from './memory';
import { TWO_LEVEL_CHAIN } from './approval-chain';
import { HttpClient } from './http-client';
import { postgresCpuMs, processCpuMs } from './schedstat';
import type { BenchResult } from './results';
import type { WorkloadContext } from './workload';

const ROUND_TRIPS_TARGET = 300;

export async function approvalsBench(ctx: WorkloadContext): Promise<BenchResult[]> {
  const instances = ctx.knob('BENCH_APPROVAL_INSTANCES', 100);
  const approverCount = ctx.knob('BENCH_APPROVERS', 50);
  const { env } = ctx;
  const tenant = 'bench_approvals';
  const schema = tenantSchema(tenant);
  const admin = await createTenant(env, tenant);
  await admin.ok('PUT', '/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 200 },
      reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
      reviewer2: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
  });
  await admin.ok('PUT', '/api/meta/roles/bench', {
    label: 'Bench',
    objects: { deal: { read: 'all', create: true, update: 'own' } },
  });
  const users: Session[] = [];
  for (let i = 0; i <= approverCount; i += 1) {
    const email = `u${i}@${tenant}.test`;
    await admin.ok('POST', '/api/users', { email, name: `User ${i}`, password: BENCH_PASSWORD, roles: ['bench'] });
    users.push(await login(env, tenant, email));
  }
  const [submitter, ...approvers] = users as [Session, ...Session[]];
  await admin.ok('PUT', '/api/meta/workflows/chain', TWO_LEVEL_CHAIN);
  const ids: string[] = [];
  for (let i = 0; i < instances; i++) {
    const r = await env.pool.query(
      `insert into ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(tableOf('deal'))} (name, reviewer, reviewer2, owner, created_by, updated_by)
       values ($1, $2, $3, $4, $4, $4) returning id`,
      [
        `Deal ${i}`,
        approvers[i % approvers.length]?.userId,
        approvers[(i + 1) % approvers.length]?.userId,
        submitter.userId,
      ],
    );
    ids.push(r.rows[0].id);
  }
  // The measured loop's client: node:http with keep-alive (the bench shares the two cores with the
  // server, so its own cost per request is part of what the run measures).
  const client = new HttpClient(env.server.url);
  const call = (user: Session, method: string, url: string) => client.call(method, url, user.token);

  let requests = 0;
  let conflicts = 0;
  let emptyPolls = 0;
  // What the server and the database spent per request over the run (empty polls included).
  if (env.statements) await resetStatements(env);
  const cpu0 = cpuMs(env.server.pid);
  const pg0 = postgresTicks(env.server.dir);
  const bench0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      requests += 1;
      const r = await call(submitter, 'POST', `/api/records/deal/${id}/submit`);
      if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.body)}`);
    }),
  );
  let decided = 0;
  const deadline = performance.now() + 300_000;
  // Each approver polls until every step of every instance is decided (a second-level task only
  // appears once someone else approved the first level).
  const worker = async (user: Session) => {
    while (decided < instances * 2 && performance.now() < deadline) {
      const inbox = await call(user, 'GET', '/api/approvals/inbox');
      const tasks: Array<{ task: string }> = inbox.body?.items ?? [];
      if (!tasks.length) {
        emptyPolls += 1;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      requests += 1;
      for (const t of tasks) {
        const pair = await Promise.all([1, 2].map(() => call(user, 'POST', `/api/approvals/tasks/${t.task}/approve`)));
        requests += 2;
        for (const r of pair)
          if (r.status === 409) conflicts += 1;
          else if (r.status === 200) decided += 1;
          else if (r.status !== 200) throw new Error(`approve failed: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
  };
  await Promise.all(approvers.map(worker));
  const seconds = (performance.now() - started) / 1000;
  const serverCpuMs = cpuMs(env.server.pid) - cpu0;
  const postgresCpuMs = (postgresTicks(env.server.dir) - pg0) * 10; // USER_HZ 100
  const benchUsage = process.cpuUsage(bench0);
  const benchCpuMs = (benchUsage.user + benchUsage.system) / 1000;
  const load = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
  // The tenant's statements and the transactions' BEGIN/COMMIT/ROLLBACK (no schema to filter them by).
  const statements = env.statements
    ? Number(
        (
          await env.pool.query(
            `select coalesce(sum(calls), 0)::int as n from pg_stat_statements
             where (strpos(query, $1) > 0 or query in ('BEGIN', 'BEGIN;', 'COMMIT', 'COMMIT;', 'ROLLBACK'))
               and query not like '%pg_stat_statements%'`,
            [`"${schema}"`],
          )
        ).rows[0].n,
      )
    : Number.NaN;
  const sent = requests + emptyPolls;
  const perRequest = (n: number) => Math.round((n / Math.max(sent, 1)) * 100) / 100;
  const cores = (ms: number) => Math.round((ms / (seconds * 1000)) * 100) / 100;

  const db = { q: (t: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(t)}` };
  const doubled = Number(
    (
      await env.pool.query(
        `select count(*) n from (select record_id from ${db.q('_wf_events')} where action = 'completed' group by record_id having count(*) > 1) d`,
      )
    ).rows[0].n,
  );
  // Version 1 at insert, +1 submit (pending), +1 finish (approved): more means a step moved twice.
  const moved = Number((await env.pool.query(`select count(*) n from ${db.q('deal')} where version <> 3`)).rows[0].n);
  const unfinished = Number(
    (await env.pool.query(`select count(*) n from ${db.q('deal')} where approval_status is distinct from 'approved'`))
      .rows[0].n,
  );
  const roundTrips = Math.round(requests / seconds);
  const doubleAdvances = doubled + moved;
  if (unfinished) throw new Error(`approvals: ${unfinished} of ${instances} instances did not finish`);
  const split = await splitByRequest({ env, schema, submitter, approvers, call });
  client.close();
  const splitText = (k: 'server' | 'postgres') => SPLIT_STEPS.map((s) => `${s.label} ${split[s.key][k]}`).join(', ');
  return [
    {
      name: 'approvals',
      params: { instances, approvers: approvers.length, chain: '2 levels', duplicates: 'every decision sent twice' },
      measured: `${roundTrips} round trips/s, ${Math.round((instances / seconds) * 10) / 10} chains/s, ${conflicts} duplicate decisions refused (409)`,
      baseline: `${requests} requests in ${Math.round(seconds * 100) / 100} s (and ${emptyPolls} empty inbox polls); per request sent: ${perRequest(statements)} statements, CPU ms: server ${perRequest(serverCpuMs)}, PostgreSQL ${perRequest(postgresCpuMs)}, bench client ${perRequest(benchCpuMs)}; CPU (cores) over the run: server ${cores(serverCpuMs)}, PostgreSQL ${cores(postgresCpuMs)}; load average ${load}; one request at a time (${split.n} each), server CPU ms: ${splitText('server')}; PostgreSQL CPU ms: ${splitText('postgres')}`,
      figure: roundTrips,
      figureText: `${roundTrips}/s, ${doubleAdvances} double advances`,
      target: `≥ ${ROUND_TRIPS_TARGET} round trips/s, zero double advances`,
      pass: roundTrips >= ROUND_TRIPS_TARGET && doubleAdvances === 0,
      extra: {
        requests,
        conflicts,
        doubleAdvances,
        unfinished,
        emptyPolls,
        serverCpuMsPerRequest: perRequest(serverCpuMs),
        postgresCpuMsPerRequest: perRequest(postgresCpuMs),
        benchCpuMsPerRequest: perRequest(benchCpuMs),
        serverCores: cores(serverCpuMs),
        emptyPollServerCpuMs: split.emptyInbox.server,
        ...Object.fromEntries(
          SPLIT_STEPS.flatMap((st) => [
            [`${st.key}ServerCpuMs`, split[st.key].server],
            [`${st.key}PostgresCpuMs`, split[st.key].postgres],
          ]),
        ),
        postgresCores: cores(postgresCpuMs),
        statementsPerRequest: perRequest(statements),
        load,
      },
    },
  ];
}

type SplitKey = 'submit' | 'inbox' | 'decideNext' | 'decidedAlready' | 'decideLast' | 'emptyInbox';
const SPLIT_STEPS: Array<{ key: SplitKey; label: string }> = [
  { key: 'submit', label: 'submit' },
  { key: 'inbox', label: 'inbox with a task' },
  { key: 'decideNext', label: 'decision opening the next step' },
  { key: 'decidedAlready', label: 'the same decision again (409)' },
  { key: 'decideLast', label: 'last decision' },
  { key: 'emptyInbox', label: 'empty inbox' },
];
type Split = Record<SplitKey, { server: number; postgres: number }> & { n: number };

/**
 * CPU per request type, one request at a time (nothing else in flight), from the scheduler's ns
 * counters: fresh chains whose approvers each hold exactly one task, so every phase is `n` requests
 * of one kind. The loaded run above says what the mix costs; this says which request costs what.
 */
async function splitByRequest(o: {
  env: WorkloadContext['env'];
  schema: string;
  submitter: Session;
  approvers: Session[];
  call: (user: Session, method: string, url: string) => Promise<{ status: number; body: any }>;
}): Promise<Split> {
  const { env, schema, submitter, approvers, call } = o;
  // approvers[0] reads the empty inbox; first and second steps go to distinct people.
  const n = Math.max(1, Math.min(24, Math.floor((approvers.length - 1) / 2)));
  const first = approvers.slice(1, 1 + n);
  const second = approvers.slice(1 + n, 1 + 2 * n);
  if (second.length < n) second.push(...first.slice(0, n - second.length));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await env.pool.query(
      `insert into ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(tableOf('deal'))} (name, reviewer, reviewer2, owner, created_by, updated_by)
       values ($1, $2, $3, $4, $4, $4) returning id`,
      [`Split ${i}`, first[i]?.userId, second[i]?.userId, submitter.userId],
    );
    ids.push(r.rows[0].id);
  }
  const out = { n } as Split;
  const phase = async (key: SplitKey, count: number, one: (i: number) => Promise<void>) => {
    const s0 = processCpuMs(env.server.pid);
    const p0 = postgresCpuMs(env.server.dir);
    for (let i = 0; i < count; i++) await one(i);
    const round = (ms: number) => Math.round((ms / count) * 100) / 100;
    out[key] = {
      server: round(processCpuMs(env.server.pid) - s0),
      postgres: round(postgresCpuMs(env.server.dir) - p0),
    };
  };
  const expect = (r: { status: number; body: any }, status: number, what: string) => {
    if (r.status !== status) throw new Error(`approvals split, ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const taskOf = async (user: Session) => {
    const r = expect(await call(user, 'GET', '/api/approvals/inbox'), 200, 'inbox');
    const task = r.body?.items?.[0]?.task;
    if (typeof task !== 'string') throw new Error(`approvals split: no task in ${JSON.stringify(r.body)}`);
    return task;
  };
  const firstTasks: string[] = [];
  const secondTasks: string[] = [];
  await phase('submit', n, async (i) => {
    expect(await call(submitter, 'POST', `/api/records/deal/${ids[i]}/submit`), 201, 'submit');
  });
  await phase('inbox', n, async (i) => {
    firstTasks.push(await taskOf(first[i] as Session));
  });
  await phase('decideNext', n, async (i) => {
    expect(await call(first[i] as Session, 'POST', `/api/approvals/tasks/${firstTasks[i]}/approve`), 200, 'approve');
  });
  await phase('decidedAlready', n, async (i) => {
    expect(await call(first[i] as Session, 'POST', `/api/approvals/tasks/${firstTasks[i]}/approve`), 409, 'again');
  });
  for (const user of second) secondTasks.push(await taskOf(user));
  await phase('decideLast', n, async (i) => {
    expect(await call(second[i] as Session, 'POST', `/api/approvals/tasks/${secondTasks[i]}/approve`), 200, 'approve');
  });
  await phase('emptyInbox', 8 * n, async () => {
    const r = expect(await call(approvers[0] as Session, 'GET', '/api/approvals/inbox'), 200, 'inbox');
    if (r.body?.items?.length) throw new Error('approvals split: the empty inbox is not empty');
  });
  return out;
}
