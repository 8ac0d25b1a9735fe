import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('runs the timed sweeps unless SCHEDULES=0', () => {
    expect(loadConfig({}).schedules).toBe(true);
    expect(loadConfig({ SCHEDULES: '1' }).schedules).toBe(true);
    expect(loadConfig({ SCHEDULES: '0' }).schedules).toBe(false);
  });

  it('refuses a nice value the kernel would not take', () => {
    expect(() => loadConfig({ DB_HEAVY_NICE: '25' })).toThrow(/0 \(off\) to 19/);
    expect(() => loadConfig({ SANDBOX_SLOW_NICE: '20' })).toThrow(
      /SANDBOX_SLOW_NICE is a nice value from 0 \(off\) to 19/,
    );
    expect(loadConfig({}).sandboxSlowNice).toBe(0);
    expect(loadConfig({ SANDBOX_SLOW_NICE: '19' }).sandboxSlowNice).toBe(19);
    expect(loadConfig({ SANDBOX_SLOW_NICE: '0' }).sandboxSlowNice).toBe(0);
  });

  it('runs heavy embedded-database work under SCHED_IDLE unless DB_HEAVY_SCHED_IDLE=0', () => {
    expect(loadConfig({}).dbHeavyIdlePolicy).toBe(true);
    expect(loadConfig({ DB_HEAVY_SCHED_IDLE: '0' }).dbHeavyIdlePolicy).toBe(false);
    expect(loadConfig({}).databaseNamedStatements).toBe(true);
    expect(loadConfig({ DATABASE_NAMED_STATEMENTS: '0' }).databaseNamedStatements).toBe(false);
  });

  it('listens for session revocations over DATABASE_SESSION_URL when given (behind a transaction-mode pooler)', () => {
    expect(loadConfig({}).databaseSessionUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_SESSION_URL: ' ' }).databaseSessionUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_SESSION_URL: ' postgres://u@db:5432/forma ' }).databaseSessionUrl).toBe(
      'postgres://u@db:5432/forma',
    );
  });
});

describe('loadConfig: the inbound SMTP listener', () => {
  it('is off without INBOUND_SMTP_PORT', () => {
    expect(loadConfig({}).inboundSmtp).toBeUndefined();
    expect(loadConfig({ INBOUND_SMTP_PORT: ' ' }).inboundSmtp).toBeUndefined();
  });

  it('listens on loopback by default, with the limits left to the runtime', () => {
    expect(loadConfig({ INBOUND_SMTP_PORT: '2525' }).inboundSmtp).toEqual({
      port: 2525,
      host: '127.0.0.1',
      maxBytes: undefined,
      perSenderPerHour: undefined,
    });
  });

  it('reads host and limits', () => {
    expect(
      loadConfig({
        INBOUND_SMTP_PORT: '25',
        INBOUND_SMTP_HOST: '0.0.0.0',
        INBOUND_SMTP_MAX_BYTES: '1000000',
        INBOUND_SMTP_PER_SENDER_HOUR: '5',
      }).inboundSmtp,
    ).toEqual({ port: 25, host: '0.0.0.0', maxBytes: 1_000_000, perSenderPerHour: 5 });
  });

  it('refuses a port that is not a number', () => {
    expect(() => loadConfig({ INBOUND_SMTP_PORT: 'smtp' })).toThrow(/non-negative integer/);
    expect(() => loadConfig({ INBOUND_SMTP_PORT: '70000' })).toThrow(/0 to 65535/);
  });
});
