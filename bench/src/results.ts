import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './list-admin';

export interface ResultsFile {
  date: string;
  versions: Record<string, string>;
  machine: { cpus: string; cores: number; memoryGb: number; platform: string };
  results: BenchResult[];
}

export function collectResults(results: BenchResult[]): ResultsFile {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    versions: {
      ...Object.assign({}, ...results.map((r) => r.versions)),
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
    results,
  };
}

export function formatResults(file: ResultsFile): string {
  const lines = [
    '# Benchmark results',
    '',
    `${file.date} · Node ${file.versions.node} · PostgreSQL ${file.versions.postgres} · autocannon ${file.versions.autocannon}`,
    `${file.machine.cores} × ${file.machine.cpus}, ${file.machine.memoryGb} GB, ${file.machine.platform} (shared machine: absolute figures are indicative, ratios are the result)`,
    '',
    '| workload | parameters | HTTP p50 / p99 ms | HTTP req/s | raw p50 / p99 ms | raw q/s | ratio | target | result |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of file.results) {
    const params = Object.entries(r.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push(
      `| ${r.name} | ${params} | ${r.http.p50Ms} / ${r.http.p99Ms} | ${r.http.rps} | ${r.raw.p50Ms} / ${r.raw.p99Ms} | ${r.raw.rps} | ${r.ratio}× | ${r.target} | ${r.pass ? 'pass' : 'MISS'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function writeResults(file: ResultsFile, dir: string): void {
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(file, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'results.md'), formatResults(file));
}

function readVersion(relative: string): string {
  try {
    return JSON.parse(fs.readFileSync(new URL(relative, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
