import { startBenchEnv } from './bench-env';
import { stopDirectusPeer } from './directus-peer';
import { takeRefusals } from './load';
import { type BenchResult, collectResults, type ResultsFile } from './results';
import { type SalesFixture, seedSales } from './sales-fixture';
import type { WorkloadContext } from './workload';
import { optInWorkloads, workloads } from './workloads';

export interface RunOptions {
  seconds: number;
  connections: number;
  rows: number;
  /** Per-workload sizes (BENCH_* environment variables in `npm run bench`). */
  knob?: (name: string, fallback: number) => number;
  log?: (line: string) => void;
}

/**
 * Runs the named workloads (all when empty) against one Forma server process. A workload that
 * throws (a wrong answer, a crash) is recorded in `failures`; the others still run.
 */
export async function runWorkloads(names: string[], opts: RunOptions): Promise<ResultsFile> {
  const all = { ...workloads, ...optInWorkloads };
  const unknown = names.filter((n) => !(n in all));
  if (unknown.length) throw new Error(`Unknown workload ${unknown.join(', ')}; known: ${Object.keys(all).join(', ')}`);
  const log = opts.log ?? (() => {});
  const env = await startBenchEnv();
  const results: BenchResult[] = [];
  const failures: ResultsFile['failures'] = [];
  try {
    let sales: Promise<SalesFixture> | undefined;
    const ctx: WorkloadContext = {
      env,
      seconds: opts.seconds,
      connections: opts.connections,
      rows: opts.rows,
      sales: () => {
        sales ??= seedSales(env, { deals: opts.rows });
        return sales;
      },
      knob: opts.knob ?? ((_, fallback) => fallback),
    };
    for (const name of names.length ? names : Object.keys(workloads)) {
      const started = Date.now();
      log(`running ${name}…`);
      takeRefusals();
      try {
        const at = new Date().toISOString();
        const rows = await (all[name] as (c: WorkloadContext) => Promise<BenchResult[]>)(ctx);
        // Backpressure is not an error, but it shapes the load: it is shown beside the workload's figures.
        const refused = takeRefusals();
        if (refused) log(`  ${name}: ${refused} answers refused with Retry-After`);
        const note = ` (${refused} answers 429/503 with Retry-After during the workload)`;
        results.push(
          ...rows.map((r) =>
            refused ? { ...r, at, measured: r.measured + note, extra: { ...r.extra, refused } } : { ...r, at },
          ),
        );
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        log(`${name} failed: ${error}`);
        failures.push({ name, error: error.slice(0, 300) });
      }
      log(`  ${name}: ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await env.close();
    // BENCH_DIRECTUS=setup: a peer this run started is stopped, so it does not load the machine.
    stopDirectusPeer();
  }
  return collectResults(results, failures, { postgres: env.postgresVersion });
}
