import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AccessLog, loggerOptions, redactUrl } from './log-redaction';

describe('redactUrl', () => {
  it('cuts link tokens out of the path and credentials out of the query', () => {
    expect(redactUrl('/api/approvals/links/acme.AAAA.BBBB')).toBe('/api/approvals/links/[redacted]');
    expect(redactUrl('/api/approvals/links/acme.AAAA.BBBB?x=1')).toBe('/api/approvals/links/[redacted]?x=1');
    expect(redactUrl('/api/records/deal?token=abc&limit=5')).toBe('/api/records/deal?token=[redacted]&limit=5');
    expect(redactUrl('/api/x?a=1&access_token=abc')).toBe('/api/x?a=1&access_token=[redacted]');
  });

  it('leaves other URLs alone', () => {
    expect(redactUrl('/api/records/deal?limit=5&filter=%7B%7D')).toBe('/api/records/deal?limit=5&filter=%7B%7D');
    expect(redactUrl('/api/approvals/inbox')).toBe('/api/approvals/inbox');
  });
});

describe('the access log', () => {
  const logged = async (url: string, headers: Record<string, string> = {}) => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = Fastify({ logger: { ...loggerOptions('info'), stream }, logController: new AccessLog() });
    app.get('/api/approvals/links/:token', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    await app.inject({ method: 'GET', url, headers });
    await app.close();
    return lines;
  };

  it('writes one line per request, when it is answered, with the request redacted and the status', async () => {
    const lines = await logged('/api/approvals/links/acme.AAAA.BBBB?token=abc', {
      authorization: 'Bearer acme.secret',
      cookie: 'forma_session=acme.secret',
    });
    const access = lines.filter((l) => l.req || l.res);
    expect(access).toHaveLength(1);
    const [line] = access as [Record<string, { url?: string; method?: string; statusCode?: number }>];
    expect(line.msg).toBe('request completed');
    expect(line.req).toMatchObject({ method: 'GET', url: '/api/approvals/links/[redacted]?token=[redacted]' });
    expect(line.res?.statusCode).toBe(200);
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('AAAA');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('still logs requests that fail, and unknown routes', async () => {
    expect((await logged('/boom')).filter((l) => l.msg === 'request completed')).toHaveLength(1);
    expect((await logged('/nowhere')).filter((l) => l.msg === 'request completed')).toHaveLength(1);
  });
});
