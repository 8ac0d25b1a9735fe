import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { silentLogger } from '../logger';
import { connectDb, type Db } from './connect-db';
import { type DbLane, DbLoad, type DbLoadConfig, defaultDbLoadConfig } from './db-load';

let db: Db;
let load: DbLoad;

beforeAll(() => {
  // One pooled connection: the next request surely gets the backend the gone client's cancel names.
  db = connectDb({ url: inject('databaseUrl'), poolMax: 1 });
  load = new DbLoad(db, defaultDbLoadConfig, silentLogger);
});
afterAll(async () => {
  load?.close();
  await db?.destroy();
});

describe('DbLoad: a client that goes away', () => {
  it("has its statement cancelled, and the cancel never lands on the next request's statement", async () => {
    const gone = new AbortController();
    // The request finishes its work just as its client leaves: the cancel (sent over a connection of
    // its own, by backend pid) is still on its way when the request gives its connection back.
    const first = load
      .run({ tenant: 't', user: 'a', lane: 'interactive', signal: gone.signal }, () =>
        db.transaction(async (trx) => {
          await trx.raw('select 1');
          gone.abort();
        }),
      )
      .catch(() => 'cancelled');
    // The next request on the same backend: the stale cancel would stop its statement (57014, a 503).
    const next = load.run({ tenant: 't', user: 'b', lane: 'interactive' }, async () => {
      const r = await db.raw('select pg_sleep(1), 42 as n');
      return r.rows[0].n as number;
    });
    await first;
    await expect(next).resolves.toBe(42);
    expect(load.stats().cancelled).toBe(1);
  }, 60_000);
});

// Renicing names backends by pid: only meaningful when the test cluster is the embedded one here.
/** The nice value of the backend's scheduling group, when the kernel has autogroups. */
function autogroupNice(pid: number): number | undefined {
  try {
    return Number(/nice (-?\d+)/.exec(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** The process's scheduling policy (Linux: field 41 of /proc/<pid>/stat; 0 SCHED_OTHER, 5 SCHED_IDLE). */
function policyOf(pid: number): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[38]);
  } catch {
    return undefined;
  }
}
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

describe.runIf(!process.env.DATABASE_URL)('DbLoad: heavy work on a local database', () => {
  /** The backend pid and its OS priority, as seen from inside one request of `lane`. */
  const backendOf = (l: DbLoad, d: Db, lane: DbLane) =>
    l.run({ tenant: 't', user: 'u', lane }, () =>
      // In a transaction: the request holds its connection while the priority is read.
      d.transaction(async (trx) => {
        const r = await trx.raw('select pg_backend_pid() as pid, current_setting(?) as parallel', [
          'max_parallel_workers_per_gather',
        ]);
        const pid = r.rows[0].pid as number;
        return {
          pid,
          nice: os.getPriority(pid),
          group: autogroupNice(pid),
          policy: policyOf(pid),
          parallel: String(r.rows[0].parallel),
        };
      }),
    );
  const withLoad = async (over: Partial<DbLoadConfig>, fn: (l: DbLoad, d: Db) => Promise<void>) => {
    // One connection: every request of the test gets the backend the one before had, unless it was dropped.
    const d = connectDb({ url: inject('databaseUrl'), poolMax: 1 });
    const l = new DbLoad(d, { ...defaultDbLoadConfig, ...over }, silentLogger);
    try {
      await fn(l, d);
    } finally {
      l.close();
      await d.destroy();
    }
  };

  it('runs niced and without parallel workers, and the next interactive request runs at normal priority', async () => {
    await withLoad({ localBackends: true, heavyNice: 19 }, async (l, d) => {
      const before = await backendOf(l, d, 'interactive');
      expect(before.nice).toBe(0);
      const heavy = await backendOf(l, d, 'heavy');
      expect(heavy.nice).toBe(19);
      // Each backend is a session, so an autogroup, of its own: the group is niced too.
      if (before.group !== undefined) expect(heavy.group).toBe(19);
      expect(heavy.parallel).toBe('0');
      const after = await backendOf(l, d, 'interactive');
      expect(after.nice).toBe(0);
      if (before.group !== undefined) expect(after.group).toBe(0);
      expect(after.parallel).toBe(before.parallel);
      expect(after.policy).toBe(before.policy);
      // Raising a priority again needs root: otherwise the niced backend was dropped, not reused.
      if (process.getuid?.() !== 0) expect(after.pid).not.toBe(heavy.pid);
    });
  }, 60_000);

  it.runIf(fs.existsSync('/proc/self/stat'))(
    'runs under SCHED_IDLE (a woken list preempts it at once), back to SCHED_OTHER for the next request',
    async () => {
      await withLoad({ localBackends: true, heavyNice: 19 }, async (l, d) => {
        const before = await backendOf(l, d, 'interactive');
        expect(before.policy).toBe(SCHED_OTHER);
        const heavy = await backendOf(l, d, 'heavy');
        expect(heavy.policy).toBe(SCHED_IDLE);
        const after = await backendOf(l, d, 'interactive');
        expect(after.pid).toBe(heavy.pid);
        expect(after.policy).toBe(SCHED_OTHER);
      });
      // Switched off: nice only.
      await withLoad({ localBackends: true, heavyNice: 19, heavyIdlePolicy: false }, async (l, d) => {
        const heavy = await backendOf(l, d, 'heavy');
        expect(heavy.nice).toBe(19);
        expect(heavy.policy).toBe(SCHED_OTHER);
      });
    },
    60_000,
  );

  it('gives a heavy backend its normal priority back just before its statement timeout is due', async () => {
    const timeouts = {
      ...defaultDbLoadConfig.timeouts,
      heavy: { ...defaultDbLoadConfig.timeouts.heavy, statementMs: 2_500 },
    };
    await withLoad({ localBackends: true, heavyNice: 19, timeouts }, async (l, d) => {
      const seen: number[] = [];
      const policies: Array<number | undefined> = [];
      const run = l.run({ tenant: 't', user: 'u', lane: 'heavy' }, () =>
        d.transaction(async (trx) => {
          const pid = (await trx.raw('select pg_backend_pid() as pid')).rows[0].pid as number;
          seen.push(os.getPriority(pid));
          policies.push(policyOf(pid));
          // A niced backend on a busy machine would notice its own timeout late: by then it runs at 0.
          const poll = setInterval(() => {
            seen.push(os.getPriority(pid));
            policies.push(policyOf(pid));
          }, 100);
          try {
            await trx.raw('select pg_sleep(10)');
          } finally {
            clearInterval(poll);
          }
        }),
      );
      await expect(run).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'statement_timeout' } });
      expect(seen[0]).toBe(19);
      expect(seen.at(-1)).toBe(0);
      if (policies[0] !== undefined) {
        expect(policies[0]).toBe(SCHED_IDLE);
        expect(policies.at(-1)).toBe(SCHED_OTHER);
      }
    });
  }, 60_000);

  it('leaves the priority alone when the database is not local (DATABASE_URL) or the nice value is 0', async () => {
    for (const over of [
      { localBackends: false, heavyNice: 19 },
      { localBackends: true, heavyNice: 0 },
    ]) {
      await withLoad(over, async (l, d) => {
        const heavy = await backendOf(l, d, 'heavy');
        expect(heavy.nice).toBe(0);
        expect(heavy.policy ?? SCHED_OTHER).toBe(SCHED_OTHER);
        expect(heavy.parallel).not.toBe('0');
      });
    }
  }, 60_000);

  it('drops a niced backend it cannot bring back to normal priority', async () => {
    await withLoad({ localBackends: true, heavyNice: 19 }, async (l, d) => {
      const heavy = await backendOf(l, d, 'heavy');
      // As an unprivileged server would fail to: raising a priority needs root or CAP_SYS_NICE.
      const setPriority = os.setPriority;
      const refuse = (pid: number, prio?: number) => {
        if (prio === 0) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return setPriority(pid, prio as number);
      };
      (os as { setPriority: unknown }).setPriority = refuse;
      let next: Awaited<ReturnType<typeof backendOf>>;
      try {
        await backendOf(l, d, 'heavy');
        next = await backendOf(l, d, 'interactive');
      } finally {
        (os as { setPriority: unknown }).setPriority = setPriority;
        // The dropped backend may outlive the pool a moment: put it back for the cluster's other tests.
        try {
          setPriority(heavy.pid, 0);
        } catch {}
      }
      expect(next.pid).not.toBe(heavy.pid);
      expect(next.nice).toBe(0);
    });
  }, 60_000);
});
