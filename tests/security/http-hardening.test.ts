/**
 * Browser-facing hardening: cross-site requests riding on the session cookie (CSRF), the cookie's
 * Secure flag behind an https PUBLIC_URL, and the security headers every answer carries. API
 * clients with a bearer token are unaffected.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
/** A server with a (stand-in) built web app, for the headers of its pages. */
let web: TestServer;
let webDir: string;
let tenant: TestTenant;
let cookie: string;

const EVIL = 'https://evil.test';

beforeAll(async () => {
  server = await startTestServer();
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-web-'));
  fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Forma</title><div id="root"></div>');
  web = await startTestServer({ webDir });
  tenant = await createTestTenant(server, { prefix: 'sechttp' });
  const r = await tenant.api.put('/api/meta/objects/memo', {
    title: 'Memo',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 200 } },
    required: ['name'],
  });
  expect(r.status, r.text).toBe(200);
  const login = await server.anon.post('/api/auth/login', {
    tenant: tenant.id,
    email: tenant.admin.email,
    password: tenant.admin.password,
  });
  expect(login.status).toBe(200);
  cookie = `forma_session=${login.body.token}`;
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
  await web?.close();
  if (webDir) fs.rmSync(webDir, { recursive: true, force: true });
});

/** A request as a browser sends it: the session cookie only, never a bearer token. */
async function browser(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: { cookie, ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text };
}

const memoCount = async () =>
  (await tenant.api.get('/api/records/memo', { query: { limit: 500 } })).body.items.length as number;

describe('CSRF: cookie-authenticated state changes need same-origin evidence', { timeout: 60_000 }, () => {
  // The review's attack: an HTML form on another site posting text/plain to an import route.
  const formPost = (headers: Record<string, string>) =>
    browser('POST', '/api/records/memo/import', { 'content-type': 'text/plain', ...headers }, 'name\nplanted\n');

  it.each([
    ['a foreign Origin', { origin: EVIL }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: EVIL }],
    [
      'Sec-Fetch-Site: same-site (a sibling subdomain)',
      { 'sec-fetch-site': 'same-site', origin: 'https://x.sechttp.test' },
    ],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
  ])('refuses a form post with %s (403), importing nothing', async (_label, headers) => {
    const before = await memoCount();
    const r = await formPost(headers);
    expect(r.status, r.text).toBe(403);
    expect(JSON.parse(r.text).error.code).toBe('FORBIDDEN');
    expect(await memoCount()).toBe(before);
  });

  it('refuses cross-site PATCH, DELETE and logout as well', async () => {
    const created = await tenant.api.post('/api/records/memo', { name: 'keep me' });
    const url = `/api/records/memo/${created.body.id}`;
    const patch = await browser(
      'PATCH',
      url,
      { origin: EVIL, 'content-type': 'application/json', 'if-match': '1' },
      JSON.stringify({ name: 'changed' }),
    );
    expect(patch.status).toBe(403);
    expect((await browser('DELETE', url, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await browser('POST', '/api/auth/logout', { origin: EVIL })).status).toBe(403);
    expect((await tenant.api.get(url)).body.name).toBe('keep me');
    // The session survived the forged logout.
    expect((await browser('GET', '/api/auth/me', {})).status).toBe(200);
  });

  it('lets the web app through: same-origin fetches carry Sec-Fetch-Site or the own Origin', async () => {
    const before = await memoCount();
    expect((await formPost({ 'sec-fetch-site': 'same-origin', origin: server.url })).status).toBe(200);
    expect((await formPost({ origin: server.url })).status).toBe(200);
    expect(await memoCount()).toBe(before + 2);
    // Reads are not state changes: a foreign Origin on a GET is not refused here.
    expect((await browser('GET', '/api/auth/me', { origin: EVIL })).status).toBe(200);
  });

  it('leaves bearer-token clients alone, with or without an Origin', async () => {
    const api = new ApiClient(server.url, tenant.api.token);
    expect((await api.post('/api/records/memo', { name: 'from a script' })).status).toBe(201);
    expect((await api.post('/api/records/memo', { name: 'from a page' }, { headers: { origin: EVIL } })).status).toBe(
      201,
    );
  });

  it('refuses a cross-site login post (no one is signed in to someone else’s account)', async () => {
    const r = await fetch(new URL('/api/auth/login', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: EVIL, 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ tenant: tenant.id, email: tenant.admin.email, password: tenant.admin.password }),
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});

describe('security headers', { timeout: 60_000 }, () => {
  const common = (res: Response, path: string) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    // Served over http here: no upgrade of subresources, no HSTS.
    expect(csp, path).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('strict-transport-security'), path).toBeNull();
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    return csp;
  };

  it('API answers carry a closed CSP: nothing loads or runs in them', async () => {
    for (const path of ['/api/health', '/api/no-such-route', '/api/auth/me', '/api/openapi.json']) {
      const csp = common(await fetch(new URL(path, server.url)), path);
      expect(csp, path).toContain("default-src 'none'");
    }
  });

  it('the web app’s pages carry its own policy: scripts only from this origin, no inline script', async () => {
    for (const path of ['/', '/login', '/o/deal/123', '/index.html']) {
      const res = await fetch(new URL(path, web.url));
      expect(res.status, path).toBe(200);
      const csp = common(res, path);
      const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(script, path).toContain("'self'");
      expect(script, path).not.toContain("'unsafe-inline'");
      expect(script, path).not.toMatch(/\*|https?:|data:/);
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toContain("base-uri 'self'");
    }
  });

  it('the session cookie is httpOnly and SameSite=Strict, without Secure over plain http', async () => {
    const r = await server.anon.post('/api/auth/login', {
      tenant: tenant.id,
      email: tenant.admin.email,
      password: tenant.admin.password,
    });
    const set = r.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).not.toMatch(/Secure/i);
  });
});

describe('behind an https PUBLIC_URL', { timeout: 60_000 }, () => {
  let https: TestServer;
  let t: TestTenant;
  beforeAll(async () => {
    https = await startTestServer({ runtimeConfig: { publicUrl: 'https://crm.sechttp.test' } });
    t = await createTestTenant(https, { prefix: 'sechttps' });
  });
  afterAll(async () => {
    await https?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
    await https?.close();
  });

  it('the session cookie is Secure even when the proxy talks http to us, and HSTS is sent', async () => {
    const r = await https.anon.post('/api/auth/login', {
      tenant: t.id,
      email: t.admin.email,
      password: t.admin.password,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie') ?? '').toMatch(/;\s*Secure/i);
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(r.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });

  it('accepts the public origin as the web app’s own', async () => {
    const login = await https.anon.post('/api/auth/login', {
      tenant: t.id,
      email: t.admin.email,
      password: t.admin.password,
    });
    const res = await fetch(new URL('/api/auth/logout', https.url), {
      method: 'POST',
      headers: { cookie: `forma_session=${login.body.token}`, origin: 'https://crm.sechttp.test' },
    });
    expect(res.status).toBe(204);
  });
});
