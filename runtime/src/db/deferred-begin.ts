/**
 * A request's `BEGIN` travels with its transaction's first statement, in one write (issue 27, the
 * save path). node-postgres sends a query only once the one before it is answered, so a transaction
 * cost a round trip for its BEGIN alone: a write that wakes the database, its answer waking us, a
 * turn of the event loop — on this machine's vCPUs the writes and wake-ups are most of a create's
 * server CPU (bench/results.md, save-path). Instead the BEGIN (with its `SET LOCAL`s) is held until
 * the first statement and both go out pipelined (the driver's pipeline mode, for those two queries
 * only): one write, one answer to wait for.
 *
 * Safe because the BEGIN message cannot fail on its own (`begin; set local …` with whole numbers):
 * a broken connection fails both. A transaction that sends nothing before its COMMIT or ROLLBACK
 * (a save refused by its rules) sends nothing at all. Cursors and COPY (submittables) are not
 * pipelined: the BEGIN goes first, on its own, as before.
 */

/** The parts of a node-postgres client this needs. */
export interface PipelinableConnection {
  pipeline?: boolean;
  connection?: { stream?: { cork?(): void; uncork?(): void } };
  /** The BEGIN held for the transaction's first statement. */
  __formaBegin?: string | undefined;
}

type Send = (config: unknown, values?: unknown) => unknown;

const ENDS = /^\s*(commit|rollback)\b/i;
/** Answers the caller gets for statements never sent (a BEGIN held, an empty transaction's end). */
const answer = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

/** Whether `conn` can hold a BEGIN (a node-postgres client with pipeline mode, not pipelining now). */
export function canDefer(conn: PipelinableConnection): boolean {
  return conn.pipeline === false && typeof conn.connection?.stream?.cork === 'function';
}

/** Holds `begin` (the BEGIN's full text) for the transaction's first statement; answers for it. */
export function holdBegin(conn: PipelinableConnection, begin: string): unknown {
  conn.__formaBegin = begin;
  return answer('BEGIN');
}

/**
 * Sends a held BEGIN on its own, not waited for (a cursor or COPY follows: the driver queues it
 * behind the BEGIN, and its caller needs the stream back at once). Its failure is the connection's,
 * which the statement behind it reports.
 */
export function sendBegin(conn: PipelinableConnection, send: Send): void {
  const begin = conn.__formaBegin;
  if (begin === undefined) return;
  conn.__formaBegin = undefined;
  Promise.resolve(send(begin)).catch(() => undefined);
}

/**
 * Sends the statement of `config`, with the held BEGIN in front of it in one write when there is
 * one; the statement's result.
 */
export async function withBegin(
  conn: PipelinableConnection,
  send: Send,
  text: string,
  config: unknown,
  values: unknown,
): Promise<unknown> {
  const begin = conn.__formaBegin as string;
  conn.__formaBegin = undefined;
  // Nothing was sent in this transaction: there is nothing to commit or roll back.
  if (ENDS.test(text)) return answer(/^\s*commit/i.test(text) ? 'COMMIT' : 'ROLLBACK');
  const stream = conn.connection?.stream;
  conn.pipeline = true;
  let opened: Promise<unknown>;
  let result: Promise<unknown>;
  stream?.cork?.();
  try {
    opened = Promise.resolve(send(begin));
    result = Promise.resolve(send(config, values));
  } finally {
    stream?.uncork?.();
  }
  try {
    const [b, r] = await Promise.allSettled([opened, result]);
    if (b.status === 'rejected') throw b.reason;
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  } finally {
    // Both are answered: nothing of ours is on the wire, the connection is a plain one again.
    conn.pipeline = false;
  }
}
