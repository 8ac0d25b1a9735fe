/**
 * The built web app under the server's Content-Security-Policy and CSRF guard: it loads, signs in,
 * saves a record, opens the designer's heaviest screens (permissions, the script editor, the
 * workflow canvas) and signs out without a single CSP violation or refused request.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2ecsp' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/rep', {
    label: 'Rep',
    objects: { account: { create: true, read: 'all', update: 'own', delete: false } },
  });
  // Laid out already, so opening it leaves nothing unpublished behind.
  await putMeta(app.tenant, '/api/meta/workflows/review', {
    object: 'deal',
    label: 'Review',
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'mgr',
        type: 'approval',
        position: { x: 0, y: 150 },
        data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }] },
      },
      { id: 'ok', type: 'end', position: { x: -150, y: 300 }, data: { outcome: 'approved' } },
      { id: 'ko', type: 'end', position: { x: 150, y: 300 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'mgr' },
      { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
    ],
  });
});
afterAll(async () => {
  await app?.close();
});

/**
 * Watches for CSP violations two ways: the page's `securitypolicyviolation` events (read with
 * `violationsOf` before each full navigation) and chromium's "Refused to …" console errors.
 */
async function watchViolations(page: Page): Promise<string[]> {
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return consoleErrors;
}

const violationsOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);

describe('the web app under CSP and the CSRF guard', { timeout: 180_000 }, () => {
  it('loads, signs in, saves, opens the designer and signs out with no CSP violation', async () => {
    const { page, errors } = await app.newPage();
    const consoleErrors = await watchViolations(page);
    const all: string[] = [];
    const collect = async () => all.push(...(await violationsOf(page)));

    const index = await page.goto('/login');
    const csp = (await index?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await signIn(page, app.admin);
    await collect();

    // A save through the form: a cookie-authenticated POST that the CSRF guard lets through.
    await page.goto('/o/account/new');
    await page.locator('#root_name').fill('Policy Corp');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Policy Corp', level: 1 }).waitFor();
    await collect();

    await page.goto('/designer/permissions');
    await page.getByRole('heading', { name: 'Permissions', level: 1 }).waitFor();
    // The role's own e-mail permission: a checkbox, published with the rest of the draft.
    const sendEmail = page.getByRole('checkbox', { name: 'May send e-mail' });
    await sendEmail.check();
    await page.getByText('1 role changed, not published yet').waitFor();
    await screenshot(page, 'designer-permissions-send-email');
    await page.getByRole('button', { name: 'Discard' }).click();
    expect(await sendEmail.isChecked()).toBe(false);
    await collect();

    await page.goto('/designer/scripts');
    await page.getByRole('button', { name: /discount_rule/ }).click();
    await page.locator('.cm-editor').first().waitFor();
    await collect();

    await page.goto('/designer/workflows/review');
    await page.getByRole('heading', { name: 'Review', level: 1 }).waitFor();
    await page.getByTestId('wf-node-mgr').waitFor();
    await collect();

    await page.goto('/');
    await page.locator('main#main').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await collect();

    expect(all).toEqual([]);
    expect(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
