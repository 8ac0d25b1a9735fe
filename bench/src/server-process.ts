import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningEmbeddedUrl } from '../../platform/src/db/open-database';
import { announcedUrl, stopChild } from './child-process';

export interface ServerProcess {
  /** Base URL of the HTTP API on loopback. */
  url: string;
  platformToken: string;
  /** The embedded cluster the server started, for the raw SQL twins. */
  databaseUrl: string;
  /** Process id of the server (memory sampling). */
  pid: number;
  /** The data directory, to start the server again on the same cluster (`startServerProcess({ dir })`). */
  dir: string;
  /** Stops the server; removes the data directory unless `keep`. */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How the server runs: compiled as `npm start` runs it, or from the TypeScript sources through tsx (`npm run dev`). */
export type ServerMode = 'compiled' | 'tsx';

/** The command line of a server in `mode` (compiling it first when stale). */
export async function serverCommand(mode: ServerMode): Promise<string[]> {
  if (mode === 'tsx') return ['--no-node-snapshot', '--import', 'tsx', 'platform/src/main.ts'];
  const build = await import('../../scripts/build-server.mjs');
  await build.ensureServerBuild({ log: () => {} });
  return [...build.SERVER_FLAGS, build.SERVER_ENTRY];
}

/**
 * Starts Forma the way a user does (`npm start`'s compiled server, one process, no demo tenant, a
 * fresh data directory) so the benchmark measures the shipped server, not an in-process app.
 */
export async function startServerProcess(
  opts: {
    startTimeoutMs?: number;
    dir?: string;
    platformToken?: string;
    env?: Record<string, string>;
    mode?: ServerMode;
  } = {},
): Promise<ServerProcess> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'forma-bench-'));
  // Under root the embedded cluster runs as a `postgres` system user, who must reach the directory.
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const platformToken = opts.platformToken ?? randomBytes(24).toString('base64url');
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server when it stops (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const [flag, ...command] = await serverCommand(opts.mode ?? 'compiled');
  const child = spawn(process.execPath, [flag as string, ...prof, ...command], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DEMO: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      PLATFORM_TOKEN: platformToken,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onChunk = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    // BENCH_SERVER_LOG=1 shows the server's own log (errors behind a 500, slow starts).
    if (process.env.BENCH_SERVER_LOG) process.stderr.write(chunk);
  };
  let stopping = false;
  // A server that dies mid-run would otherwise surface only as dropped connections.
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`forma server exited unexpectedly (${code ?? signal}):\n${output}`);
  });
  const stop = async (o: { keep?: boolean } = {}) => {
    stopping = true;
    // SIGTERM lets the server stop its embedded PostgreSQL; SIGKILL only if it hangs.
    await stopChild(child, 30_000);
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await announcedUrl(child, {
      pattern: /Forma is running at (\S+)/,
      what: 'server',
      timeoutMs: opts.startTimeoutMs ?? 120_000,
      keep: 16_000,
      onChunk,
    });
    // A server given DATABASE_URL (behind PgBouncer, say) starts no cluster of its own.
    const databaseUrl = opts.env?.DATABASE_URL || runningEmbeddedUrl(dataDir);
    if (!databaseUrl) throw new Error('server is up but its embedded PostgreSQL could not be found');
    return { url, platformToken, databaseUrl, dir, pid: child.pid as number, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
