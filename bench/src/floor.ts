import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { announcedUrl, stopChild } from './child-process';
import { httpLoad, type LoadStats } from './load';
import { cpuMs } from './memory';
import { type BenchResult, describeLoad, ratio } from './results';

/** Targets of issue 27: Forma costs at most a quarter more than the least any HTTP API can cost. */
export const FLOOR_RPS_TARGET = 0.8;
export const FLOOR_P50_TARGET = 1.25;

export interface FloorConfig {
  databaseUrl: string;
  poolMax: number;
  list?: { sql: string };
  read?: { sql: string };
  save?: { insertSql: string; insertValues: unknown[]; auditSql: string };
}

export interface FloorTwin {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the floor twin (floor-twin.mjs) in a process of its own, as Forma runs in its own: the
 * raw twin's SQL behind a bare fastify route with keep-alive, rows answered as JSON.
 */
export async function startFloorTwin(config: FloorConfig): Promise<FloorTwin> {
  const script = fileURLToPath(new URL('./floor-twin.mjs', import.meta.url));
  // BENCH_CPU_PROF profiles the floor too (a `floor-` file beside the server's), to compare the two.
  const dir = process.env.BENCH_CPU_PROF;
  const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `floor-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...prof, script], {
    env: { ...process.env, FLOOR_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await announcedUrl(child, {
    pattern: /floor twin listening at (\S+)/,
    what: 'floor twin',
    timeoutMs: 30_000,
    keep: 4000,
  });
  return { url, pid: child.pid as number, stop: () => stopChild(child, 10_000) };
}

/**
 * Forma and the floor twin alternately, twice each after a warm-up of both (the best round of each
 * by req/s): bursts of load from other work on a shared machine fall on both alike.
 */
export async function againstFloor(opts: {
  forma: Parameters<typeof httpLoad>[0];
  floor: Parameters<typeof httpLoad>[0];
  /** Server processes whose CPU time per request is recorded (`cpuMsPerRequest`). */
  formaPid: number;
  floorPid: number;
  rounds?: number;
}): Promise<{ forma: LoadStats; floor: LoadStats }> {
  // Both sides' latencies to the microsecond (load.ts `precise`): at 1–2 ms a whole-millisecond
  // p50 would make a ratio of 1.3 read as 2.
  const formaLoad = { ...opts.forma, precise: true };
  const floorLoad = { ...opts.floor, precise: true };
  await httpLoad({ ...opts.forma, seconds: 1 });
  await httpLoad({ ...opts.floor, seconds: 1 });
  const forma: LoadStats[] = [];
  const floor: LoadStats[] = [];
  for (let i = 0; i < (opts.rounds ?? 2); i++) {
    forma.push(await withCpu(opts.formaPid, () => httpLoad(formaLoad)));
    floor.push(await withCpu(opts.floorPid, () => httpLoad(floorLoad)));
  }
  const errors = [...forma, ...floor].reduce((n, s) => n + s.errors, 0);
  if (errors)
    throw new Error(
      `${errors} errors under load (Forma: ${forma.map((s) => s.errorDetail).join('; ')}; floor: ${floor.map((s) => s.errorDetail).join('; ')})`,
    );
  const best = (s: LoadStats[]) => s.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { forma: best(forma), floor: best(floor) };
}

/**
 * The server's CPU time per answered request over a load phase: on a machine shared with other
 * work, wall-clock figures swing with the neighbours' load; the CPU a request costs much less.
 */
async function withCpu(pid: number, load: () => Promise<LoadStats>): Promise<LoadStats> {
  const before = cpuMs(pid);
  const stats = await load();
  const used = cpuMs(pid) - before;
  return { ...stats, cpuMsPerRequest: Math.round((used / Math.max(stats.requests, 1)) * 1000) / 1000 };
}

/** The result row of Forma against its floor twin: both targets, req/s and p50. */
export function floorRow(name: string, params: BenchResult['params'], forma: LoadStats, floor: LoadStats): BenchResult {
  const rps = ratio(forma.rps, floor.rps);
  const p50 = ratio(forma.p50Ms, floor.p50Ms);
  return {
    name,
    params,
    measured: `${describeLoad(forma)}, server CPU ${forma.cpuMsPerRequest} ms/request`,
    baseline: `floor twin (fastify + pg, same SQL as the raw twin): ${describeLoad(floor)}, server CPU ${floor.cpuMsPerRequest} ms/request`,
    figure: rps,
    figureText: `${rps}× req/s, ${p50}× p50`,
    target: `req/s ≥ ${FLOOR_RPS_TARGET}× floor, p50 ≤ ${FLOOR_P50_TARGET}× floor`,
    pass: rps >= FLOOR_RPS_TARGET && p50 <= FLOOR_P50_TARGET,
    http: forma,
    raw: floor,
    extra: {
      rpsRatio: rps,
      p50Ratio: p50,
      cpuMsPerRequest: forma.cpuMsPerRequest ?? Number.NaN,
      floorCpuMsPerRequest: floor.cpuMsPerRequest ?? Number.NaN,
    },
  };
}
