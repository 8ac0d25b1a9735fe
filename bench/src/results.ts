import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadStats } from './load';

/** One line of the results table: a figure of a workload beside its target. */
export interface BenchResult {
  name: string;
  params: Record<string, number | string>;
  /** What Forma did, in words with units ("p50 12 ms, p99 30 ms, 800 req/s"). */
  measured: string;
  /** What it is compared with: the raw SQL twin, node:vm, a single tenant… */
  baseline: string;
  /** The figure the target is about (a ratio, a duration, a rate), as a number for results.json. */
  figure: number;
  /** `figure` with its unit, for the table ("1.31×", "4.2 ms"). */
  figureText: string;
  target: string;
  pass: boolean;
  http?: LoadStats;
  raw?: LoadStats;
  /** When this row was measured (rows merged from an earlier run keep their time). */
  at?: string;
  /** Anything else the run recorded (statement counts, memory, conflicts). */
  extra?: Record<string, number | string>;
}

export interface ResultsFile {
  date: string;
  versions: Record<string, string>;
  machine: { cpus: string; cores: number; memoryGb: number; platform: string };
  /** Workloads skipped or failed, with the reason: a crash is reported, never hidden. */
  failures: Array<{ name: string; error: string }>;
  results: BenchResult[];
}

export function collectResults(
  results: BenchResult[],
  failures: ResultsFile['failures'],
  versions: Record<string, string>,
): ResultsFile {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    versions: {
      ...versions,
      node: process.version,
      forma: readVersion('../../package.json'),
      autocannon: readVersion('../../node_modules/autocannon/package.json'),
    },
    machine: {
      cpus: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
    },
    failures,
    results,
  };
}

export function formatResults(file: ResultsFile): string {
  const lines = [
    `${file.date} · Node ${file.versions.node} · PostgreSQL ${file.versions.postgres ?? 'n/a'} · autocannon ${file.versions.autocannon}`,
    `${file.machine.cores} × ${file.machine.cpus}, ${file.machine.memoryGb} GB, ${file.machine.platform} (shared machine: absolute figures are indicative, ratios are the result)`,
    '',
    '| workload | parameters | Forma | compared with | figure | target | result | measured |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of file.results) {
    const params = Object.entries(r.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push(
      `| ${r.name} | ${params} | ${r.measured} | ${r.baseline} | ${r.figureText} | ${r.target} | ${r.pass ? 'pass' : '**MISS**'} | ${measuredOn(r.at ?? file.date)} |`,
    );
  }
  for (const f of file.failures)
    lines.push(
      `| ${f.name} | | failed: ${f.error.replace(/\|/g, '\\|')} | | | | **FAILED** | ${measuredOn(file.date)} |`,
    );
  return `${lines.join('\n')}\n`;
}

/** A row's time to the minute, in UTC: rows merged from earlier runs (BENCH_MERGE) keep theirs. */
function measuredOn(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Writes results.json and the table between the markers of results.md (the notes around it stay). */
export function writeResults(file: ResultsFile, dir: string): void {
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(file, null, 2)}\n`);
  const mdPath = path.join(dir, 'results.md');
  const table = formatResults(file);
  fs.writeFileSync(mdPath, replaceBetweenMarkers(readOr(mdPath, DEFAULT_MD), table));
}

/**
 * The README's benchmark section has the same markers: its table follows every run, full or merged
 * (results.json then holds the latest row of every workload, each with the time it was measured).
 */
export function writeReadmeTable(file: ResultsFile, readme: string): void {
  const text = readOr(readme, '');
  if (!text.includes(BEGIN)) return;
  fs.writeFileSync(readme, replaceBetweenMarkers(text, formatResults(file)));
}

const BEGIN = '<!-- bench:table:begin -->';
const END = '<!-- bench:table:end -->';
const DEFAULT_MD = `# Benchmark results\n\n${BEGIN}\n${END}\n`;

export function replaceBetweenMarkers(text: string, table: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return `${text.trimEnd()}\n\n${BEGIN}\n${table}${END}\n`;
  return `${text.slice(0, start + BEGIN.length)}\n${table}${text.slice(end)}`;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function readVersion(relative: string): string {
  try {
    return JSON.parse(fs.readFileSync(new URL(relative, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function ratio(a: number, b: number): number {
  return Math.round((a / Math.max(b, 0.01)) * 100) / 100;
}

export function describeLoad(s: LoadStats): string {
  return `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, ${s.rps}/s`;
}
