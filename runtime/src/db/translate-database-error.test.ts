import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { isDatabaseUnavailable, translateDatabaseError } from './translate-database-error';

const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`pg ${code}`), { code, ...extra });

describe('translateDatabaseError', () => {
  it.each([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'the Unix socket gone (server down)',
      Object.assign(new Error('connect ENOENT /tmp/forma-pg-x/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' }),
    ],
    ['57P01 admin shutdown', pgError('57P01')],
    ['57P02 crash shutdown', pgError('57P02')],
    ['57P03 starting up', pgError('57P03')],
    ['08006 connection failure', pgError('08006')],
    ['53300 too many connections', pgError('53300')],
    ['a lost connection without a code', new Error('Connection terminated unexpectedly')],
    [
      'the pool acquire timeout',
      Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' }),
    ],
    ['an AggregateError of refused connections', Object.assign(new AggregateError([pgError('ECONNREFUSED')], ''), {})],
  ])('%s → 503 UNAVAILABLE with Retry-After', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const e = translateDatabaseError(err);
    expect(e).toBeInstanceOf(AppError);
    expect(e?.code).toBe('UNAVAILABLE');
    expect(e?.status).toBe(503);
    expect(Number(e?.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('names no constraint, table or column', () => {
    const dup = translateDatabaseError(
      pgError('23505', { constraint: 'uq_secret_name', table: 'deal', detail: 'Key (code)=(x) already exists.' }),
    );
    expect(dup).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(JSON.stringify(dup?.toJSON())).not.toMatch(/uq_secret_name|deal|Key \(code\)/);
    const fk = translateDatabaseError(pgError('23503', { constraint: 'fk_secret' }));
    expect(fk).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(JSON.stringify(fk?.toJSON())).not.toMatch(/fk_secret/);
  });

  it.each([
    ['40001', 409, 'CONFLICT'],
    ['40P01', 409, 'CONFLICT'],
    ['55P03', 503, 'UNAVAILABLE'],
    ['22P02', 400, 'BAD_REQUEST'],
    ['42703', 409, 'CONFLICT'],
    ['42P01', 409, 'CONFLICT'],
  ])('%s → %i %s', (code, status, name) => {
    expect(translateDatabaseError(pgError(code))).toMatchObject({ status, code: name });
  });

  it('leaves bugs and foreign errors alone, and AppErrors as they are', () => {
    expect(translateDatabaseError(pgError('42601'))).toBeUndefined(); // syntax error: a bug
    expect(translateDatabaseError(new TypeError('x is undefined'))).toBeUndefined();
    expect(translateDatabaseError(undefined)).toBeUndefined();
    const own = new AppError('NOT_FOUND', 'gone');
    expect(translateDatabaseError(own)).toBe(own);
  });
});
