import { describe, expect, it, vi } from 'vitest';
import { buildUrl, createApiClient } from './api-client';
import { ApiError, isApiError } from './api-error';

type Call = { url: string; init: RequestInit };

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return respond(call);
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('createApiClient', () => {
  it('sends JSON with the cookie of the same origin and parses the answer', async () => {
    const f = fakeFetch(() => json(201, { id: 'u1' }));
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.post('/api/users', { name: 'Ada' })).resolves.toEqual({ id: 'u1' });
    const { url, init } = f.calls[0]!;
    expect(url).toBe('/api/users');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.body).toBe('{"name":"Ada"}');
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('encodes query values and skips empty ones', async () => {
    const f = fakeFetch(() => json(200, { items: [] }));
    const api = createApiClient({ fetch: f.fetch, baseUrl: 'http://h.test/' });
    await api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ name: { eq: 'a&b=c' } }), limit: 10, cursor: undefined, q: null },
    });
    const url = new URL(f.calls[0]!.url);
    expect(url.origin + url.pathname).toBe('http://h.test/api/records/deal');
    expect(JSON.parse(url.searchParams.get('filter')!)).toEqual({ name: { eq: 'a&b=c' } });
    expect(url.searchParams.get('limit')).toBe('10');
    expect(url.searchParams.has('cursor')).toBe(false);
    expect(url.searchParams.has('q')).toBe(false);
    expect(buildUrl('', '/x?a=1', { b: 2 })).toBe('/x?a=1&b=2');
  });

  it('returns undefined for 204 and text for non-JSON answers', async () => {
    const f = fakeFetch(({ url }) =>
      url.endsWith('/logout')
        ? new Response(null, { status: 204 })
        : new Response('a,b\n1,2', { status: 200, headers: { 'content-type': 'text/csv' } }),
    );
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.post('/api/auth/logout')).resolves.toBeUndefined();
    await expect(api.get('/api/records/deal/export')).resolves.toBe('a,b\n1,2');
  });

  it('passes strings and form data through untouched (CSV import, uploads)', async () => {
    const f = fakeFetch(() => json(200, {}));
    const api = createApiClient({ fetch: f.fetch });
    await api.post('/api/records/deal/import', 'name\nA', { headers: { 'content-type': 'text/csv' } });
    expect(f.calls[0]!.init.body).toBe('name\nA');
    expect((f.calls[0]!.init.headers as Record<string, string>)['content-type']).toBe('text/csv');
  });

  it('maps the error shape to a typed ApiError with fields and request id', async () => {
    const f = fakeFetch(() =>
      json(
        400,
        { error: { code: 'VALIDATION_FAILED', message: 'Invalid record', fields: { amount: 'Must be ≥ 0', bad: 3 } } },
        { 'x-request-id': 'req-1' },
      ),
    );
    const e = await failure(createApiClient({ fetch: f.fetch }).post('/api/records/deal', { amount: -1 }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, message: 'Invalid record', requestId: 'req-1' });
    // Non-string field messages are dropped rather than rendered as "[object Object]".
    expect(e.fields).toEqual({ amount: 'Must be ≥ 0' });
  });

  it('reads Retry-After on 429 so the login page can say how long to wait', async () => {
    const f = fakeFetch(() =>
      json(429, { error: { code: 'RATE_LIMITED', message: 'Too many' } }, { 'retry-after': '900' }),
    );
    const e = await failure(createApiClient({ fetch: f.fetch }).post('/api/auth/login', {}));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterSeconds).toBe(900);
  });

  it('derives a code from the status when the body is not our shape (proxy pages, unknown codes)', async () => {
    const html = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 503 }));
    const e1 = await failure(createApiClient({ fetch: html.fetch }).get('/api/health'));
    expect(e1).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(e1.message).toContain('503');

    const odd = fakeFetch(() => json(418, { error: { code: 'TEAPOT', message: 'short and stout' } }));
    const e2 = await failure(createApiClient({ fetch: odd.fetch }).get('/api/x'));
    expect(e2).toMatchObject({ code: 'UNEXPECTED', status: 418, message: 'short and stout' });

    const broken = fakeFetch(
      () => new Response('{"error":', { status: 404, headers: { 'content-type': 'application/json' } }),
    );
    expect(await failure(createApiClient({ fetch: broken.fetch }).get('/api/nope'))).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });

  it('turns a failed connection into NETWORK but lets an abort through', async () => {
    const down = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    expect(await failure(createApiClient({ fetch: down.fetch }).get('/api/auth/me'))).toMatchObject({
      code: 'NETWORK',
      status: 0,
    });
    const aborted = fakeFetch(() => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(createApiClient({ fetch: aborted.fetch }).get('/api/auth/me')).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('tells listeners about every 401 until they unsubscribe', async () => {
    const f = fakeFetch(() => json(401, { error: { code: 'UNAUTHENTICATED', message: 'Session expired' } }));
    const api = createApiClient({ fetch: f.fetch });
    const seen: string[] = [];
    const off = api.onUnauthenticated((e) => seen.push(e.message));
    await failure(api.get('/api/meta/app'));
    off();
    await failure(api.get('/api/meta/app'));
    expect(seen).toEqual(['Session expired']);
  });
});
