/**
 * `npm run bench [-- <name>…]`: runs the named workloads (all by default) against one Forma server
 * process and writes bench/results.md and bench/results.json. Sizes come from env knobs
 * (BENCH_ROWS, BENCH_SECONDS, BENCH_CONNECTIONS and per-workload ones, see bench/README.md).
 * A missed target is reported in the table; a wrong answer or a crash is reported as FAILED and
 * makes the run exit non-zero.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWorkloads } from './bench-runner';
import { formatResults, type ResultsFile, writeReadmeTable, writeResults } from './results';

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
  const dir = fileURLToPath(new URL('..', import.meta.url));
  // BENCH_MERGE=1: re-run some workloads and keep the other rows of the last results.json.
  if (process.env.BENCH_MERGE && names.length) mergeInto(file, path.join(dir, 'results.json'), names);
  writeResults(file, dir);
  // A run of some workloads without BENCH_MERGE holds only those rows: not the README's table.
  if (!names.length || process.env.BENCH_MERGE)
    writeReadmeTable(file, fileURLToPath(new URL('../../README.md', import.meta.url)));
  console.log(formatResults(file));
  if (file.failures.length) process.exitCode = 1;
}

function mergeInto(file: ResultsFile, previousPath: string, names: string[]) {
  const previous = JSON.parse(fs.readFileSync(previousPath, 'utf8')) as ResultsFile;
  const rerun = (name: string) => names.some((n) => name === n || name.startsWith(`${n} `));
  const kept = previous.results.filter((r) => !rerun(r.name)).map((r) => ({ ...r, at: r.at ?? previous.date }));
  file.results = [...kept, ...file.results];
  file.failures = [...(previous.failures ?? []).filter((f) => !rerun(f.name)), ...file.failures];
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
