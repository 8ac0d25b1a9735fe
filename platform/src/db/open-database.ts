import fs from 'node:fs';
import path from 'node:path';
import type { PlatformConfig } from '../config';
import { embeddedUrl, startEmbeddedPostgres } from './embedded-postgres';

export interface OpenedDatabase {
  url: string;
  /** Where the URL came from: the environment, the cluster `npm start` is running, or one started here. */
  source: 'DATABASE_URL' | 'running' | 'started';
  /** Stops the cluster when this call started it; otherwise does nothing. */
  close(): Promise<void>;
}

/**
 * Finds the database the way `npm start` does, for command-line tools: `DATABASE_URL` when set,
 * else the embedded cluster in the data directory — the running one when the server is up (its
 * port is in `postmaster.pid`, which changes at every start), or started just for this tool.
 */
export async function openDatabase(
  config: Pick<PlatformConfig, 'databaseUrl' | 'dataDir' | 'pgPort'>,
): Promise<OpenedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, source: 'DATABASE_URL', close: async () => {} };
  const running = runningEmbeddedUrl(config.dataDir);
  if (running) return { url: running, source: 'running', close: async () => {} };
  if (!fs.existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION')))
    throw new Error(
      `No database: ${config.dataDir} holds no embedded cluster. Start the server once (npm start), or set DATABASE_URL or DATA_DIR.`,
    );
  const started = await startEmbeddedPostgres({ dir: config.dataDir, port: config.pgPort });
  return { url: started.url, source: 'started', close: () => started.stop() };
}

/** The URL of the embedded cluster in `dataDir` when a live postmaster owns it, else undefined. */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  let pidFile: string;
  let password: string;
  try {
    pidFile = fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8');
    password = fs.readFileSync(path.join(dataDir, '.pg-password'), 'utf8').trim();
  } catch {
    return undefined;
  }
  // postmaster.pid: pid, data directory, start time, port, socket directory, listen address, …
  const [pidLine, , , portLine, socketLine] = pidFile.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  if (!isAlive(pid)) return undefined;
  const socketDir = socketLine?.trim();
  return embeddedUrl(password, port, socketDir && fs.existsSync(socketDir) ? socketDir : undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, but owned by another user (the `postgres` user when the server runs as root).
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
