import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * Issue 26, the installable app (docs/mobile.md): the manifest and its icons, the service worker
 * served and registered, controlling the page after a reload, the app shell opening with the
 * network gone, API answers never cached, and Chromium's own installability check passing.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2epwa' });
}, 180_000);
afterAll(async () => {
  await app?.close();
});

const get = (path: string) => fetch(new URL(path, app.server.url));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  return [view.getUint32(16), view.getUint32(20)];
}

describe('the installable app', { timeout: 180_000 }, () => {
  it('serves a valid manifest, its icons and the worker with the right types and cache headers', async () => {
    const res = await get('/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const manifest = (await res.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      icons: Array<{ src: string; sizes: string; type: string; purpose: string }>;
    };
    expect(manifest).toMatchObject({ name: 'Forma CRM', short_name: 'Forma', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    for (const [size, purpose] of [
      ['192x192', 'any'],
      ['512x512', 'any'],
      ['192x192', 'maskable'],
      ['512x512', 'maskable'],
    ]) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.purpose === purpose);
      expect(icon, `${size} ${purpose}`).toBeDefined();
      const png = await get(icon!.src);
      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(pngSize(new Uint8Array(await png.arrayBuffer())).join('x')).toBe(size);
    }

    const sw = await get('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    // Every update check must reach the server, or a release would wait for a cached worker to expire.
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const source = await sw.text();
    expect(source).toContain("url.pathname.startsWith('/api/')");

    // index.html names the manifest and is re-validated; the bundles it names are immutable.
    const index = await get('/');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    const bundle = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(bundle).toBeDefined();
    expect((await get(bundle!)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // A client-side route falls back to the shell, not cached either.
    expect((await get('/o/deal')).headers.get('cache-control')).toBe('no-cache');
  });

  it('registers the worker, controls the page after a reload and opens offline', async () => {
    const { page, context, errors } = await app.newPage({ viewport: VIEWPORTS.phone, serviceWorker: true });
    await signIn(page, app.admin);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${app.server.url}/`);
    await page.reload();
    await page.locator('main#main').waitFor();
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null))
      .toBe(`${app.server.url}/sw.js`);

    // Chromium parsed the manifest without errors.
    const cdp = await context.newCDPSession(page);
    const parsed = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(parsed.errors).toEqual([]);
    expect(parsed.url).toBe(`${app.server.url}/manifest.webmanifest`);
    await cdp.detach();

    // The shell is cached; API answers never are.
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    expect(cached).toContain('/index.html');
    expect(cached).toContain('/manifest.webmanifest');
    expect(cached.some((u) => u.endsWith('.js'))).toBe(true);
    expect(cached.filter((u) => u.startsWith('/api/'))).toEqual([]);

    // Network gone: the app shell still opens, no browser error page; the signed-in session and the
    // metadata come from the briefcase's store (docs/mobile.md), and the top bar says "offline".
    await context.setOffline(true);
    await page.goto('/o/deal');
    await page.locator('main#main').waitFor();
    await page.locator('[data-testid="offline-status"][aria-label*="Offline"]').waitFor();
    expect(await page.title()).toBe('Forma');
    await screenshot(page, 'pwa-offline-shell-phone', { fullPage: false });
    const offlineCached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    expect(offlineCached.filter((u) => u.startsWith('/api/'))).toEqual([]);
    await context.setOffline(false);
    expect(errors).toEqual([]);
  });

  it("passes Chromium's installability check", async () => {
    // Playwright's browser contexts are off-the-record profiles, where Chromium never offers to
    // install ("in-incognito"): the check needs a real profile, so this one gets its own.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-pwa-profile-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      baseURL: app.server.url,
      viewport: VIEWPORTS.phone,
      timeout: 60_000,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(30_000);
      await page.goto('/login');
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      const cdp = await context.newCDPSession(page);
      await expect
        .poll(async () => {
          const r = (await cdp.send('Page.getInstallabilityErrors')) as {
            installabilityErrors: Array<{ errorId: string }>;
          };
          return r.installabilityErrors.map((e) => e.errorId);
        })
        .toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
