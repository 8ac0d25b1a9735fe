/**
 * noisy-neighbour (issue 12, workload 7): five tenants run list-admin and save-path while a sixth
 * saves through a validate rule that never ends (`while (true) {}`) at 20 requests/s. Targets: the
 * five tenants' p99 rises ≤ 10 % against the same load without the neighbour (measured just
 * before), and every runaway call stops within its timeout + 20 ms (client-side latency of the
 * requests refused with reason `timeout`; from the first, the tenant's circuit breaker answers
 * `suspended` at once, and past one running call and a short queue the sandbox answers 429
 * `SCRIPT_BUSY`).
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import type { Session } from './bench-env';
import { httpLoad, type LoadStats, percentile } from './load';
import { type BenchResult, ratio } from './results';
import { BODY, scriptedTenant } from './save-path';
import type { WorkloadContext } from './workload';

const P99_TARGET = 1.1;
const RUNAWAY_SLACK_MS = 20;
const SCRIPT_TIMEOUT_MS = 1000;
const NOISY_RATE = 20;

export async function noisyNeighbour(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env, seconds } = ctx;
  const tenants = ctx.knob('BENCH_NOISY_TENANTS', 5);
  const rows = ctx.knob('BENCH_NOISY_ROWS', 10_000);
  const quiet: Session[] = [];
  for (let i = 0; i < tenants; i++) {
    const t = `bench_quiet_${i}`;
    const admin = await scriptedTenant(ctx, t);
    await env.pool.query(
      `insert into ${pg.escapeIdentifier(tenantSchema(t))}.${pg.escapeIdentifier(tableOf('deal_plain'))}
         (name, amount, discount, stage, owner, created_by, updated_by)
       select 'Deal ' || i, (i * 7919) % 100000, i % 20, (array['new','negotiation','won','lost'])[1 + i % 4], $1, $1, $1
       from generate_series(1, $2::int) i`,
      [admin.userId, rows],
    );
    quiet.push(admin);
  }
  const noisy = await scriptedTenant(ctx, 'bench_noisy');
  await noisy.ok('PUT', '/api/meta/scripts/deal_spin', {
    object: 'deal_scripted',
    event: 'validate',
    code: 'while (true) {}',
  });

  const listPath = `/api/records/deal_plain?${new URLSearchParams({ filter: JSON.stringify({ stage: { eq: 'won' } }), sort: '-amount', limit: '50' })}`;
  for (const s of quiet) {
    const page = await s.ok<{ items: Array<{ stage: string }> }>('GET', listPath);
    if (page.items.length !== Math.min(50, Math.floor(rows / 4)) || page.items.some((d) => d.stage !== 'won'))
      throw new Error('noisy-neighbour: wrong list page');
  }
  // One connection per tenant and workload: ten clients, like ten users at work.
  const quietLoad = async () => {
    const runs = await Promise.all(
      quiet.flatMap((s) => [
        httpLoad({ url: env.server.url + listPath, headers: auth(s), connections: 1, seconds }),
        httpLoad({
          url: `${env.server.url}/api/records/deal_scripted`,
          headers: auth(s),
          connections: 1,
          seconds,
          method: 'POST',
          body: BODY,
        }),
      ]),
    );
    const errors = runs.reduce((n, r) => n + r.errors, 0);
    if (errors) throw new Error(`noisy-neighbour: ${errors} errors in the quiet tenants`);
    return { list: merge(runs.filter((_, i) => i % 2 === 0)), save: merge(runs.filter((_, i) => i % 2 === 1)) };
  };
  await quietLoad();
  const alone = await quietLoad();

  const runaway: Array<{ ms: number; reason: string }> = [];
  const sends: Array<Promise<void>> = [];
  const timer = setInterval(() => {
    const t0 = performance.now();
    sends.push(
      noisy.call('POST', '/api/records/deal_scripted', BODY).then((r) => {
        const error = r.body?.error;
        runaway.push({
          ms: performance.now() - t0,
          reason: error?.details?.reason ?? (error?.code === 'SCRIPT_BUSY' ? 'busy' : String(r.status)),
        });
      }),
    );
  }, 1000 / NOISY_RATE);
  let together: Awaited<ReturnType<typeof quietLoad>>;
  try {
    together = await quietLoad();
  } finally {
    clearInterval(timer);
    await Promise.all(sends);
  }
  const timeouts = runaway.filter((r) => r.reason === 'timeout');
  // `aborted`: a call queued on the same isolate when another call's timeout reset it.
  const unexpected = runaway.filter((r) => !['timeout', 'suspended', 'aborted', 'busy'].includes(r.reason));
  if (unexpected.length) throw new Error(`noisy-neighbour: the runaway save answered ${unexpected[0]?.reason}`);
  if (!timeouts.length) throw new Error('noisy-neighbour: no runaway call timed out');
  const count = (reason: string) => runaway.filter((r) => r.reason === reason).length;
  const slowest = Math.round(Math.max(...timeouts.map((r) => r.ms)));
  const listRise = ratio(together.list.p99Ms, alone.list.p99Ms);
  const saveRise = ratio(together.save.p99Ms, alone.save.p99Ms);
  const worst = Math.max(listRise, saveRise);
  const params = { tenants, rows, seconds, noisyRate: `${NOISY_RATE}/s` };
  return [
    {
      name: 'noisy-neighbour',
      params,
      measured: `with the runaway: list p99 ${together.list.p99Ms} ms, save p99 ${together.save.p99Ms} ms`,
      baseline: `alone: list p99 ${alone.list.p99Ms} ms, save p99 ${alone.save.p99Ms} ms`,
      figure: worst,
      figureText: `p99 ×${listRise} (list), ×${saveRise} (save)`,
      target: `p99 rises ≤ ${Math.round((P99_TARGET - 1) * 100)} %`,
      pass: worst <= P99_TARGET,
      extra: { listRise, saveRise },
    },
    {
      name: 'noisy-neighbour runaway',
      params,
      measured: `${timeouts.length} runaway calls timed out, slowest answered after ${slowest} ms; ${count('aborted')} aborted with them; ${count('busy')} refused as busy; ${count('suspended')} refused while suspended (p50 ${Math.round(
        percentile(
          runaway.filter((r) => r.reason === 'suspended').map((r) => r.ms),
          0.5,
        ),
      )} ms)`,
      baseline: `script timeout ${SCRIPT_TIMEOUT_MS} ms`,
      figure: slowest,
      figureText: `${slowest} ms`,
      target: `stops within ${SCRIPT_TIMEOUT_MS} + ${RUNAWAY_SLACK_MS} ms`,
      pass: slowest <= SCRIPT_TIMEOUT_MS + RUNAWAY_SLACK_MS,
    },
  ];
}

function auth(s: Session) {
  return { authorization: `Bearer ${s.token}` };
}

/** Several clients' figures as one: worst p99, median of the p50s, summed rates. */
function merge(runs: LoadStats[]): LoadStats {
  const p50s = runs.map((r) => r.p50Ms).sort((a, b) => a - b);
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    refused: runs.reduce((n, r) => n + r.refused, 0),
    p50Ms: p50s[Math.floor(p50s.length / 2)] ?? 0,
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    rps: runs.reduce((n, r) => n + r.rps, 0),
  };
}
