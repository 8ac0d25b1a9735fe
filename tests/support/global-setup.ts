import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type EmbeddedDb, startEmbeddedPostgres } from '../../platform/src/db/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** This run's own name: what test support keeps for one run only (tenant-clone.ts). */
    runId: string;
  }
}

/**
 * One real PostgreSQL for the whole run: the embedded one in a throw-away directory on a free port,
 * or the server DATABASE_URL points at. Each test file then works in its own tenant schema.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDb | undefined;
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-test-pg-'));
    embedded = await startEmbeddedPostgres({ dir, ephemeral: true });
    url = embedded.url;
  }
  project.provide('databaseUrl', url);
  project.provide('runId', randomUUID());
  return async () => {
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
}
