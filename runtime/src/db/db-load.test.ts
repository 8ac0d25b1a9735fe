import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import pg from 'pg';
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

describe('DbLoad: a connection goes back to the pool outside any transaction', () => {
  // knex releases a connection as it is when its COMMIT fails: a cancel that lands on a COMMIT before
  // the COMMIT has ended the block (CI, a client gone just as its request committed) leaves the
  // transaction open and failed. The next request on that connection then saw "current transaction
  // is aborted" (25P02) for every statement, or (an open, healthy one) would run inside a transaction
  // that is never committed.
  it.each([
    ['that has failed', ['begin', "set local application_name = 'left over'", 'select 1/0']],
    ['that is still open', ['begin', "set local application_name = 'left over'"]],
  ])('a connection released inside a transaction %s is rolled back first', async (_state, statements) => {
    const client = db.client as {
      acquireConnection(): Promise<{ query(sql: string): Promise<unknown> }>;
      releaseConnection(c: unknown): Promise<void>;
    };
    const conn = await client.acquireConnection();
    for (const sql of statements) await conn.query(sql).catch(() => undefined);
    await client.releaseConnection(conn);
    const next = await load.run({ tenant: 't', user: 'c', lane: 'interactive' }, async () => {
      const r = await db.raw("select 42 as n, current_setting('application_name') = 'left over' as inside");
      return r.rows[0] as { n: number; inside: boolean };
    });
    // The left-over transaction's SET LOCAL would still hold inside it.
    expect(next).toEqual({ n: 42, inside: false });
  });
});

/** Settings a transaction-mode pooler would carry from one client to the next on a server connection. */
const SESSION_SETTINGS = [
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'max_parallel_workers_per_gather',
];

/**
 * What the next client of the pooled connection finds, read without DbLoad's checkout in between:
 * behind PgBouncer that client is anyone (another Forma process, another request's transaction).
 */
async function leftOnConnection(d: Db): Promise<Record<string, string>> {
  const pool = (d.client as { pool: { acquire(): { promise: Promise<pg.Client> }; release(c: pg.Client): void } }).pool;
  const conn = await pool.acquire().promise;
  try {
    return await readSettings(conn);
  } finally {
    pool.release(conn);
  }
}

async function readSettings(c: pg.Client | Db): Promise<Record<string, string>> {
  const sql = `select ${SESSION_SETTINGS.map((n) => `current_setting('${n}') as ${n}`).join(', ')}`;
  const r = 'raw' in c ? await c.raw(sql) : await c.query(sql);
  return r.rows[0];
}

describe('DbLoad: per-request settings are transaction-local (safe behind a transaction-mode pooler)', () => {
  it("apply to the request's transactions and lone statements, and are gone from the connection after it", async () => {
    // A fresh connection with nothing set: the server's (and role's) own values.
    const fresh = new pg.Client({ connectionString: inject('databaseUrl') });
    await fresh.connect();
    const own = await readSettings(fresh).finally(() => fresh.end());

    for (const lane of ['heavy', 'interactive'] as const) {
      const seen = await load.run({ tenant: 't', user: 'u', lane }, async () => ({
        inTransaction: await db.transaction((trx) => readSettings(trx)),
        alone: await readSettings(db),
      }));
      const t = defaultDbLoadConfig.timeouts[lane];
      const expected = {
        statement_timeout: `${t.statementMs / 1000}s`.replace('300s', '5min'),
        idle_in_transaction_session_timeout: `${t.idleInTransactionMs / 1000}s`
          .replace('60s', '1min')
          .replace('120s', '2min'),
      };
      expect(seen.inTransaction).toMatchObject(expected);
      expect(seen.alone).toMatchObject({ statement_timeout: expected.statement_timeout });
      // Nothing the request set is left for the server connection's next client.
      expect(await leftOnConnection(db)).toEqual(own);
    }
  });

  it('a request whose statement fails leaves its connection clean and usable', async () => {
    const fresh = new pg.Client({ connectionString: inject('databaseUrl') });
    await fresh.connect();
    const own = await readSettings(fresh).finally(() => fresh.end());
    await expect(load.run({ tenant: 't', user: 'u', lane: 'heavy' }, () => db.raw('select 1 / 0'))).rejects.toThrow(
      /division by zero/,
    );
    expect(await leftOnConnection(db)).toEqual(own);
    const ok = await load.run({ tenant: 't', user: 'u', lane: 'heavy' }, () => db.raw('select 7 as n'));
    expect(ok.rows[0].n).toBe(7);
  });
});

describe('DbLoad: cancelling behind a pooler', () => {
  it("never cancels another client's statement whose backend pid the connection's key names", async () => {
    // Behind PgBouncer a connection's process id is PgBouncer's key: any number, maybe the pid of a
    // backend that serves someone else. That someone: a statement waiting on a lock the test holds.
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    const victim = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    await victim.connect();
    try {
      const lock = 27_000_001;
      await holder.query('select pg_advisory_lock($1)', [lock]);
      const victimPid = (await victim.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      const waiting = victim.query('select pg_advisory_lock($1), 42 as n', [lock]).then(
        (r) => r.rows[0].n as number,
        (e: { code?: string }) => `failed ${e.code}`,
      );
      while (
        !(await holder.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [victimPid]))
          .rowCount
      )
        await new Promise((resolve) => setTimeout(resolve, 20));

      const gone = new AbortController();
      const before = load.stats().cancelled;
      await load
        .run({ tenant: 't', user: 'a', lane: 'interactive', signal: gone.signal }, async () => {
          const conn = (await db.client.acquireConnection()) as { processID: number };
          try {
            conn.processID = victimPid;
            gone.abort();
          } finally {
            // Waits for the cancel to be sent (see releaseConnection).
            await db.client.releaseConnection(conn);
          }
        })
        .catch(() => undefined);
      expect(load.stats().cancelled).toBe(before + 1);
      await holder.query('select pg_advisory_unlock($1)', [lock]);
      await expect(waiting).resolves.toBe(42);
    } finally {
      await holder.end();
      await victim.end();
    }
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

describe("DbLoad: a request's BEGIN goes out with its transaction's first statement", () => {
  /** Socket writes made while `fn` runs (the pool has one connection: they are its writes). */
  async function writesDuring<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
    const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
    const originals = { _write: proto._write, _writev: proto._writev };
    let writes = 0;
    for (const k of ['_write', '_writev'] as const)
      proto[k] = function (this: unknown, ...a: unknown[]) {
        writes += 1;
        return originals[k].apply(this, a);
      };
    try {
      const result = await fn();
      return { result, writes };
    } finally {
      Object.assign(proto, originals);
    }
  }

  const table = `deferred_begin_${process.pid}`;
  beforeAll(async () => {
    await db.raw('create table if not exists ?? (n int primary key)', [table]);
  });
  afterAll(async () => {
    await db.raw('drop table if exists ??', [table]);
  });

  it('in one write: BEGIN and a statement, then COMMIT; a transaction that sends nothing sends no BEGIN', async () => {
    const { result, writes } = await writesDuring(() =>
      load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () =>
        db.transaction(async (trx) => {
          const r = await trx.raw(
            "select current_setting('statement_timeout') as timeout, txid_current_if_assigned() is null as fresh",
          );
          return r.rows[0];
        }),
      ),
    );
    // The statement ran with the BEGIN's SET LOCALs (the next test: in its transaction).
    const t = defaultDbLoadConfig.timeouts.interactive.statementMs / 1000;
    expect(result).toEqual({ timeout: `${t}s`.replace('60s', '1min'), fresh: true });
    // BEGIN with the statement, then COMMIT (it was two writes, then the COMMIT's).
    expect(writes).toBe(2);
    const empty = await writesDuring(() =>
      load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () => db.transaction(async () => 'nothing')),
    );
    expect(empty).toEqual({ result: 'nothing', writes: 0 });
  });

  it('is still one transaction: a later failure or a thrown error rolls the first statement back', async () => {
    await expect(
      load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () =>
        db.transaction(async (trx) => {
          await trx.raw('insert into ?? values (1)', [table]);
          await trx.raw('insert into ?? values (1)', [table]);
        }),
      ),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () =>
        db.transaction(async (trx) => {
          await trx.raw('insert into ?? values (2)', [table]);
          throw new Error('refused');
        }),
      ),
    ).rejects.toThrow('refused');
    // A first statement that fails: nothing is left open on the connection.
    await expect(
      load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () => db.transaction((trx) => trx.raw('select 1 / 0'))),
    ).rejects.toThrow(/division by zero/);
    expect((await db.raw('select count(*)::int as n from ??', [table])).rows[0].n).toBe(0);
    await load.run({ tenant: 't', user: 'u', lane: 'interactive' }, () =>
      db.transaction(async (trx) => {
        await trx.raw('insert into ?? values (3)', [table]);
        await trx.raw('insert into ?? values (4)', [table]);
      }),
    );
    expect((await db.raw('select array_agg(n order by n) as n from ??', [table])).rows[0].n).toEqual([3, 4]);
    // The connection is a plain one again (not left in the driver's pipeline mode).
    expect(await leftOnConnection(db)).toBeDefined();
    const pool = (db.client as { pool: { acquire(): { promise: Promise<pg.Client> }; release(c: pg.Client): void } })
      .pool;
    const conn = await pool.acquire().promise;
    pool.release(conn);
    expect((conn as unknown as { pipeline: boolean }).pipeline).toBe(false);
    expect(conn.getTransactionStatus?.() ?? 'I').toBe('I');
  });
});
