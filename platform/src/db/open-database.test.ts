import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, runningEmbeddedUrl } from './open-database';

let dir: string;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(pidFile?: string, password = 'p@ss') {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-open-db-'));
  fs.mkdirSync(path.join(dir, 'pg'));
  fs.writeFileSync(path.join(dir, '.pg-password'), `${password}\n`);
  if (pidFile !== undefined) fs.writeFileSync(path.join(dir, 'pg', 'postmaster.pid'), pidFile);
  return dir;
}

describe('openDatabase', () => {
  it('prefers DATABASE_URL', async () => {
    const db = await openDatabase({ databaseUrl: 'postgres://u@h/db', dataDir: '/nonexistent', pgPort: 0 });
    expect(db).toMatchObject({ url: 'postgres://u@h/db', source: 'DATABASE_URL' });
    await db.close();
  });

  it('finds the running embedded cluster by its postmaster.pid', async () => {
    // This process stands in for a live postmaster.
    const d = dataDir(`${process.pid}\n/data/pg\n1700000000\n54321\n\n127.0.0.1\n`);
    expect(runningEmbeddedUrl(d)).toBe('postgres://postgres:p%40ss@127.0.0.1:54321/postgres');
    const db = await openDatabase({ databaseUrl: undefined, dataDir: d, pgPort: 0 });
    expect(db.source).toBe('running');
  });

  it('connects through the cluster’s Unix socket when its directory is there', () => {
    const sockets = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-open-db-sock-'));
    try {
      const d = dataDir(`${process.pid}\n/data/pg\n1700000000\n54321\n${sockets}\n127.0.0.1\n`);
      expect(runningEmbeddedUrl(d)).toBe(
        `postgres://postgres:p%40ss@127.0.0.1:54321/postgres?host=${encodeURIComponent(sockets)}`,
      );
    } finally {
      fs.rmSync(sockets, { recursive: true, force: true });
    }
    // A socket directory that is gone (a cluster started before this version wrote none): TCP.
    fs.rmSync(dir, { recursive: true, force: true });
    const d = dataDir(`${process.pid}\n/data/pg\n1700000000\n54321\n/nonexistent-forma-sock\n127.0.0.1\n`);
    expect(runningEmbeddedUrl(d)).toBe('postgres://postgres:p%40ss@127.0.0.1:54321/postgres');
  });

  it('ignores a stale or garbled postmaster.pid', () => {
    expect(runningEmbeddedUrl(dataDir('999999999\n/x\n1\n5432\n'))).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(runningEmbeddedUrl(dataDir(`${process.pid}\n/x\n1\nnot-a-port\n`))).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(runningEmbeddedUrl(dataDir())).toBeUndefined();
  });

  it('says what to do when there is no database at all', async () => {
    const d = dataDir();
    await expect(openDatabase({ databaseUrl: undefined, dataDir: d, pgPort: 0 })).rejects.toThrow(
      /No database: .*\(npm start\)/,
    );
  });
});
