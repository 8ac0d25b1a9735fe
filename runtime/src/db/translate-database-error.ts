/**
 * Database errors the server can name, as AppErrors (Directus' `translateDatabaseError` idea):
 * bad values, unique and lookup violations, contention, and the database being away. What is left
 * (a syntax error, a missing function) is a bug and stays a 500. Bodies never carry a constraint,
 * table or column name: those are the schema's business, not the client's.
 */
import { AppError, badRequest, conflict, unavailable, validationFailed } from '../errors';

/** Seconds a client should wait before retrying when the database is restarting or away. */
export const DATABASE_RETRY_AFTER_S = 5;

/** Messages of node-pg and knex that carry no SQLSTATE but mean "the connection is gone". */
const LOST_CONNECTION = [
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /Connection ended unexpectedly/i,
  /read ECONNRESET/i,
  /connect ECONNREFUSED/i,
];

/** Socket errors of a database that is down, restarting or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

type DbError = { code?: unknown; name?: unknown; message?: unknown; errors?: unknown; syscall?: unknown };

/** SQLSTATE or Node error code of `err` (or of the first error of an AggregateError). */
function codeOf(err: DbError): string | undefined {
  if (typeof err.code === 'string') return err.code;
  if (Array.isArray(err.errors)) {
    for (const inner of err.errors) {
      const c = (inner as DbError | undefined)?.code;
      if (typeof c === 'string') return c;
    }
  }
  return undefined;
}

/**
 * True when `err` says the database cannot be reached right now: refused or reset connections,
 * PostgreSQL shutting down or starting up (57P01–57P03), connection exceptions (class 08), too many
 * connections (53300), and the pool's acquire timeout.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as DbError;
  const code = codeOf(e);
  if (code && (SOCKET_CODES.has(code) || code.startsWith('08') || code === '53300')) return true;
  // A Unix socket's file is gone while the server is down (ENOENT on connect, not ECONNREFUSED).
  if (code === 'ENOENT' && (e.syscall === 'connect' || /^connect ENOENT/.test(String(e.message ?? '')))) return true;
  if (code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (e.name === 'KnexTimeoutError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return !code && LOST_CONNECTION.some((re) => re.test(message));
}

/**
 * SQLSTATEs meaning "the table or column this request planned with is gone": a field or object
 * dropped by a metadata change that committed after the request read the model.
 */
export function isStaleShape(err: unknown): boolean {
  const code = codeOf((err ?? {}) as DbError);
  return code === '42703' || code === '42P01';
}

/**
 * The AppError a database error means for the client, or undefined when it is a bug (or not a
 * database error at all). AppErrors pass through unchanged.
 */
export function translateDatabaseError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (!err || typeof err !== 'object') return undefined;
  if (isDatabaseUnavailable(err))
    return unavailable('The database is not reachable right now; please retry shortly', DATABASE_RETRY_AFTER_S);
  switch (codeOf(err as DbError)) {
    case '22P02': // invalid_text_representation
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22003': // numeric_value_out_of_range
    case '22001': // string_data_right_truncation
    case '22021': // character_not_in_repertoire (e.g. NUL bytes)
    case '54000': // program_limit_exceeded
      return badRequest('A value is not valid for its field');
    case '23505': // unique_violation (a record write names its field in write-sql.ts)
      return conflict('A record with the same unique value already exists');
    case '23503': // foreign_key_violation (a lookup to a record that is gone)
      return validationFailed('A referenced record does not exist');
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return conflict('Concurrent update; please retry');
    case '55P03': // lock_not_available
    case '57014': // query_canceled (statement timeout)
      return unavailable('The database is busy; please retry', 2);
    case '42703': // undefined_column
    case '42P01': // undefined_table
      return conflict('The object changed while the request ran (a field or object was removed); please retry');
    default:
      return undefined;
  }
}
