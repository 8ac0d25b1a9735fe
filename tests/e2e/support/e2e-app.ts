import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureDesignerBuild } from '../../../designer/scripts/ensure-build.mjs';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/test-server';
import { launchBrowser } from './browser';

export const WEB_DIR = path.resolve(fileURLToPath(new URL('../../../designer/dist', import.meta.url)));

export const VIEWPORTS = {
  laptop: { width: 1366, height: 800 },
  tablet: { width: 768, height: 1024 },
  tabletLandscape: { width: 1024, height: 768 },
  phone: { width: 390, height: 844 },
} as const;

export interface Credentials {
  tenant: string;
  email: string;
  password: string;
}

export interface E2eApp {
  server: TestServer;
  tenant: TestTenant;
  browser: Browser;
  /** The tenant admin's credentials, for signing in through the login form. */
  admin: Credentials;
  /**
   * A page in a fresh browser context (own cookies and storage, English browser locale by default).
   * Uncaught page errors are collected in `errors` so tests can assert the app never threw.
   */
  newPage(opts?: {
    viewport?: { width: number; height: number };
    locale?: string;
    /**
     * Let the app register its service worker (tests of the installable app and offline use). Off
     * by default: the worker's install downloads and caches the whole app shell again in every
     * fresh context, next to the page's own load, which costs each sign-in about a second on a busy
     * machine and proves nothing the other tests check.
     */
    serviceWorker?: boolean;
  }): Promise<E2ePage>;
  close(): Promise<void>;
}

export interface E2ePage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

/**
 * Everything a browser test needs: the web app built (when missing or stale), a real server over
 * the real database serving it, a fresh tenant, and chromium.
 */
export async function startE2eApp(
  opts: {
    prefix?: string;
    server?: Omit<TestServerOptions, 'webDir'>;
    /** A demo-like tenant: `{template: 'core-crm', sampleData: true}` (with `server.plugins: 'discover'`). */
    tenant?: { template?: string; sampleData?: boolean };
  } = {},
): Promise<E2eApp> {
  ensureDesignerBuild({ log: () => undefined });
  const server = await startTestServer({ ...opts.server, webDir: WEB_DIR });
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  try {
    const tenant = await createTestTenant(server, { prefix: opts.prefix ?? 'e2e', ...opts.tenant });
    browser = await launchBrowser();
    const b = browser;
    return {
      server,
      tenant,
      browser: b,
      admin: { tenant: tenant.id, email: tenant.admin.email, password: tenant.admin.password },
      async newPage({ viewport = VIEWPORTS.laptop, locale = 'en-US', serviceWorker = false } = {}) {
        const context = await b.newContext({
          baseURL: server.url,
          viewport,
          locale,
          serviceWorkers: serviceWorker ? 'allow' : 'block',
        });
        contexts.push(context);
        const page = await context.newPage();
        // Generous: CI shares two cores between the browser, the server and the other test files
        // (a sign-in's shell took over 30 s once there).
        page.setDefaultTimeout(60_000);
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        return { page, context, errors };
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await b.close().catch(() => undefined);
        await server.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.close();
    throw e;
  }
}

/** Fills and submits the login form (the page must be on /login). */
export async function submitLogin(page: Page, c: Credentials): Promise<void> {
  // By accessible name, so the form's labels are checked along the way.
  await page.getByRole('textbox', { name: 'Workspace', exact: true }).fill(c.tenant);
  await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(c.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(c.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** How long a sign-in may take on a loaded machine before the test says it did not happen. */
const SIGN_IN_TIMEOUT_MS = 90_000;

/** Signs in through the form and waits for the shell. */
export async function signIn(page: Page, c: Credentials): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, c);
  // The shell or the form's refusal, whichever comes first: a refused sign-in says why at once
  // instead of a timeout. Generous: a sign-in hashes a password, and CI's 2 cores run many files.
  const shell = page.locator('main#main');
  await shell.or(page.getByTestId('login-error')).first().waitFor({ timeout: SIGN_IN_TIMEOUT_MS });
  if (!(await shell.isVisible()))
    throw new Error(`sign-in refused: ${await page.getByTestId('login-error').textContent()}`);
  expect(new URL(page.url()).pathname).not.toBe('/login');
}
