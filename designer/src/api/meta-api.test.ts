import { describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { fetchAppMeta, normalizeMeta } from './meta-api';

function serverWith(routes: Record<string, { status: number; body: unknown }>) {
  const seen: string[] = [];
  const api = createApiClient({
    fetch: (async (input: RequestInfo | URL) => {
      const path = String(input);
      seen.push(path);
      const r = routes[path] ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Route not found' } } };
      return new Response(JSON.stringify(r.body), {
        status: r.status,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch,
  });
  return { api, seen };
}

describe('fetchAppMeta', () => {
  const doc = { version: 4, objects: { deal: { title: 'Deal' } } };

  it('uses the per-user endpoint when it exists', async () => {
    const { api, seen } = serverWith({ '/api/meta/app': { status: 200, body: doc } });
    expect(await fetchAppMeta(api, { isAdmin: false })).toMatchObject(doc);
    expect(seen).toEqual(['/api/meta/app']);
  });

  it('falls back to the admin endpoint for admins while /api/meta/app is missing', async () => {
    const { api, seen } = serverWith({ '/api/meta': { status: 200, body: doc } });
    expect(await fetchAppMeta(api, { isAdmin: true })).toMatchObject(doc);
    expect(seen).toEqual(['/api/meta/app', '/api/meta']);
  });

  it('answers null (an empty navigation) when no metadata endpoint exists yet', async () => {
    expect(await fetchAppMeta(serverWith({}).api, { isAdmin: true })).toBeNull();
    const user = serverWith({});
    expect(await fetchAppMeta(user.api, { isAdmin: false })).toBeNull();
    expect(user.seen).toEqual(['/api/meta/app']);
  });

  it('propagates real failures instead of hiding them as "no objects"', async () => {
    const { api } = serverWith({
      '/api/meta/app': { status: 403, body: { error: { code: 'FORBIDDEN', message: 'No' } } },
    });
    await expect(fetchAppMeta(api, { isAdmin: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('normalizeMeta', () => {
  it('tolerates partial or malformed documents', () => {
    expect(normalizeMeta(null)).toBeNull();
    expect(normalizeMeta('x')).toBeNull();
    expect(normalizeMeta({})).toEqual({ version: 0, objects: {} });
    expect(normalizeMeta({ version: 2, objects: [] })).toEqual({ version: 2, objects: {} });
  });
});
