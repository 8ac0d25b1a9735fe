import type { Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp, submitLogin } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2enav' });
});
// A language chosen in the app is the user's on every browser (their profile's locale): each test
// starts from none, so the next one opens in the browser's language (English).
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

// A metadata document in shared/API.md's shape. The browser answers /api/meta/app with it, so the
// navigation can be checked before (and independently of) the server's metadata endpoints.
const META = {
  version: 7,
  objects: {
    deal: {
      title: 'Deal',
      type: 'object',
      'x-i18n': { 'zh-CN': { title: '商机' } },
      properties: { name: { type: 'string', title: 'Name' } },
    },
    account: { title: 'Account', type: 'object', 'x-i18n': { 'zh-CN': { title: '客户' } }, properties: {} },
    lead: { title: 'Lead', type: 'object', properties: {} },
  },
};

const json = (status: number, body: unknown) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});

function serveMeta(page: Page, answer: (route: Route) => Promise<void>) {
  return page.route('**/api/meta/app', answer);
}

const navLabels = (page: Page) =>
  page
    .getByRole('navigation', { name: /Main navigation|主导航/ })
    .locator('.f-nav .f-nav__list a .f-nav__label')
    .allTextContents();

describe('navigation from metadata', { timeout: 90_000 }, () => {
  it('lists the objects the user may see, in their language, and opens them', async () => {
    const { page, errors } = await app.newPage();
    await serveMeta(page, (route) => route.fulfill(json(200, META)));
    await signIn(page, app.admin);
    await page.getByRole('link', { name: 'Deal' }).waitFor();
    // The admin's order (the metadata's), not alphabetical (issue 21).
    expect(await navLabels(page)).toEqual(['Home', 'Approvals', 'Deal', 'Account', 'Lead']);

    await page.getByRole('link', { name: 'Deal' }).click();
    await page.waitForURL('**/o/deal');
    await page.getByRole('heading', { name: 'Deal', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Deal' }).getAttribute('aria-current')).toBe('page');
    await screenshot(page, 'object-page-deal');

    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('heading', { name: '商机', level: 1 }).waitFor();
    // The same order in Chinese; objects without a translation keep their schema title.
    expect(await navLabels(page)).toEqual(['首页', '审批', '商机', '客户', 'Lead']);
    await screenshot(page, 'object-page-deal-zh-cn');
    expect(errors).toEqual([]);
  });

  it('says so when an object in the address bar does not exist', async () => {
    const { page } = await app.newPage();
    await serveMeta(page, (route) => route.fulfill(json(200, META)));
    await signIn(page, app.admin);
    await page.goto('/o/nope');
    await page.getByRole('heading', { name: 'This object does not exist' }).waitFor();
  });

  it('shows a retry when the metadata cannot be loaded, and recovers', async () => {
    const { page } = await app.newPage();
    await serveMeta(page, (route) => route.fulfill(json(403, { error: { code: 'FORBIDDEN', message: 'No' } })));
    await signIn(page, app.admin);
    await page.getByText('The navigation could not be loaded.').waitFor();
    await page.unrouteAll();
    await serveMeta(page, (route) => route.fulfill(json(200, META)));
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('link', { name: 'Account' }).waitFor();
  });

  it('sends the user to sign in again when the session ends mid-visit, then back', async () => {
    const { page } = await app.newPage();
    await serveMeta(page, (route) => route.fulfill(json(403, { error: { code: 'FORBIDDEN', message: 'No' } })));
    await signIn(page, app.admin);
    await page.goto('/designer');
    await page.getByText('The navigation could not be loaded.').waitFor();
    // The server now answers as it does for a revoked session.
    await page.unrouteAll();
    await serveMeta(page, (route) =>
      route.fulfill(json(401, { error: { code: 'UNAUTHENTICATED', message: 'Session expired or invalid' } })),
    );
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-session-ended');

    await page.unrouteAll();
    await serveMeta(page, (route) => route.fulfill(json(200, META)));
    await submitLogin(page, app.admin);
    await page.waitForURL('**/designer');
    await page.getByRole('link', { name: 'Account' }).waitFor();
  });
});
