/**
 * `npm run bench [-- <name>…]`: runs the named workloads (all by default) against one Forma server
 * process and writes bench/results.md and bench/results.json. Sizes come from env knobs
 * (BENCH_ROWS, BENCH_SECONDS, BENCH_CONNECTIONS and per-workload ones, see bench/README.md).
 * A missed target is reported in the table; a wrong answer or a crash is reported as FAILED and
 * makes the run exit non-zero.
 */
import { fileURLToPath } from 'node:url';
import { runWorkloads } from './bench-runner';
import { formatResults, writeReadmeTable, writeResults } from './results';

export function knob(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

async function main() {
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const file = await runWorkloads(names, {
    seconds: knob('BENCH_SECONDS', 10),
    connections: knob('BENCH_CONNECTIONS', 10),
    rows: knob('BENCH_ROWS', 100_000),
    knob,
    log: (line) => console.log(line),
  });
  writeResults(file, fileURLToPath(new URL('..', import.meta.url)));
  // Only a run of every workload is "the latest table" of the README.
  if (!names.length) writeReadmeTable(file, fileURLToPath(new URL('../../README.md', import.meta.url)));
  console.log(formatResults(file));
  if (file.failures.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
