import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import { platformMigrations } from '../db/platform-migrations';
import { runMigrations } from '../db/run-migrations';
import { PLATFORM_SCHEMA } from '../model/naming';
import { InstallationSecrets } from './installation-secrets';

let db: Db;
beforeAll(async () => {
  db = connectDb({ url: inject('databaseUrl'), poolMax: 4 });
  await runMigrations(db, PLATFORM_SCHEMA, platformMigrations);
});
afterAll(() => db.destroy());

describe('installation secrets', () => {
  it('gives every process the same secret, created once', async () => {
    const name = `test-${Math.random()}`;
    const [a, b] = await Promise.all([new InstallationSecrets(db).get(name), new InstallationSecrets(db).get(name)]);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(32);
  });

  it('verifies its own signatures and refuses tampered ones', async () => {
    const s = new InstallationSecrets(db);
    const sig = await s.sign('cursor', 'payload');
    expect(await s.verify('cursor', 'payload', sig)).toBe(true);
    expect(await s.verify('cursor', 'payload2', sig)).toBe(false);
    expect(await s.verify('cursor', 'payload', `${sig}x`)).toBe(false);
    expect(await s.verify('other', 'payload', sig)).toBe(false);
  });

  it('once warmed, signs inside transactions that hold every pool connection', async () => {
    const s = new InstallationSecrets(db);
    const name = `test-${Math.random()}`;
    await s.warm([name]);
    // Four transactions take the whole pool (poolMax 4); each then signs, as an approval's e-mail links do.
    const signatures = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.transaction(async (trx) => {
          await trx.raw('select 1');
          return s.sign(name, 'link');
        }),
      ),
    );
    expect(new Set(signatures).size).toBe(1);
  });
});
