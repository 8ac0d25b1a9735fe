/**
 * `npm run bench [-- <name>…]`: runs the named workloads (all by default) and writes
 * bench/results.md and bench/results.json. Sizes come from env knobs (BENCH_ROWS, BENCH_SECONDS,
 * BENCH_CONNECTIONS). A missed target is reported in the table; only a wrong answer or a crash
 * exits non-zero.
 */
import { fileURLToPath } from 'node:url';
import { type BenchResult, listAdmin } from './list-admin';
import { collectResults, formatResults, writeResults } from './results';

const workloads: Record<string, () => Promise<BenchResult>> = {
  'list-admin': () =>
    listAdmin({
      rows: knob('BENCH_ROWS', 100_000),
      seconds: knob('BENCH_SECONDS', 10),
      connections: knob('BENCH_CONNECTIONS', 10),
    }),
};

function knob(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

async function main() {
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = names.filter((n) => !(n in workloads));
  if (unknown.length)
    throw new Error(`Unknown workload ${unknown.join(', ')}; known: ${Object.keys(workloads).join(', ')}`);
  const results: BenchResult[] = [];
  for (const name of names.length ? names : Object.keys(workloads)) {
    console.log(`running ${name}…`);
    results.push(await (workloads[name] as () => Promise<BenchResult>)());
  }
  const file = collectResults(results);
  writeResults(file, fileURLToPath(new URL('..', import.meta.url)));
  console.log(formatResults(file));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
