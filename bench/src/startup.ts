/**
 * startup (issue 27, production mode): the server started as `npm start` starts it (compiled
 * JavaScript) against the same server started from the TypeScript sources through tsx (`npm run
 * dev`, how `npm start` ran before), in alternating rounds on the bench's own database: time from
 * spawn to "Forma is running", and resident memory once started and after one list request.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { announcedUrl, stopChild } from './child-process';
import { LIST_PATH } from './list-admin';
import { rssMb } from './memory';
import type { BenchResult } from './results';
import { type ServerMode, serverCommand } from './server-process';
import type { WorkloadContext } from './workload';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Start {
  ms: number;
  rssMb: number;
  rssAfterListMb: number;
}

async function startOnce(mode: ServerMode, databaseUrl: string, token: string): Promise<Start> {
  const command = await serverCommand(mode);
  const started = performance.now();
  const child = spawn(process.execPath, command, {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DEMO: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // A second server on the bench's database: the first one runs the schedules.
      SCHEDULES: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await announcedUrl(child, {
      pattern: /Forma is running at (\S+)/,
      what: `startup: the ${mode} server`,
      timeoutMs: 600_000,
    });
    const ms = performance.now() - started;
    const pid = child.pid as number;
    const rss = rssMb(pid);
    const res = await fetch(`${url}${LIST_PATH}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`startup: the list answered ${res.status} in ${mode} mode`);
    await res.arrayBuffer();
    return { ms, rssMb: rss, rssAfterListMb: rssMb(pid) };
  } finally {
    await stopChild(child, 30_000);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

export async function startup(ctx: WorkloadContext): Promise<BenchResult[]> {
  const sales = await ctx.sales();
  const rounds = ctx.knob('BENCH_STARTUP_ROUNDS', 3);
  const runs: Record<ServerMode, Start[]> = { compiled: [], tsx: [] };
  // Compiled before timing: the build is `npm start`'s first-run cost, not each start's.
  await serverCommand('compiled');
  for (let i = 0; i < rounds; i++)
    for (const mode of ['tsx', 'compiled'] as const)
      runs[mode].push(await startOnce(mode, ctx.env.server.databaseUrl, sales.admin.token));
  const sum = (mode: ServerMode) => ({
    ms: Math.round(median(runs[mode].map((r) => r.ms))),
    rss: Math.round(median(runs[mode].map((r) => r.rssMb))),
    rssList: Math.round(median(runs[mode].map((r) => r.rssAfterListMb))),
  });
  const c = sum('compiled');
  const t = sum('tsx');
  const params = { rounds };
  const words = (s: ReturnType<typeof sum>) =>
    `start ${s.ms} ms, RSS ${s.rss} MB started, ${s.rssList} MB after a list (medians)`;
  return [
    {
      name: 'startup',
      params,
      measured: `compiled (npm start): ${words(c)}`,
      baseline: `tsx (npm run dev, how npm start ran before): ${words(t)}`,
      figure: Math.round((c.ms / t.ms) * 100) / 100,
      figureText: `${Math.round((c.ms / t.ms) * 100) / 100}× start time, ${c.rssList} MB vs ${t.rssList} MB`,
      target: 'recorded (issue 27: before and after)',
      pass: true,
      extra: { compiledMs: c.ms, tsxMs: t.ms, compiledRssMb: c.rssList, tsxRssMb: t.rssList },
    },
  ];
}
