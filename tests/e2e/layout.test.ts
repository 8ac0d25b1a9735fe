import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2elayout' });
});
afterAll(async () => {
  await app?.close();
});

const layout = (page: Page) => page.locator('.f-shell').getAttribute('data-layout');
const navWidth = (page: Page) =>
  page.getByRole('navigation', { name: 'Main navigation' }).evaluate((el) => el.getBoundingClientRect().width);
/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('responsive shell', { timeout: 90_000 }, () => {
  it('shows the full sidebar on a laptop and collapses it to a rail on request', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await signIn(page, app.admin);
    expect(await layout(page)).toBe('expanded');
    expect(await navWidth(page)).toBeGreaterThan(200);
    await page.getByRole('button', { name: 'Collapse navigation' }).click();
    expect(await layout(page)).toBe('rail');
    // Labels stay available to assistive technology in the rail.
    await page.getByRole('link', { name: 'Home' }).waitFor();
    await screenshot(page, 'shell-laptop-collapsed');
    // The choice survives a reload.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(await layout(page)).toBe('rail');
    await page.getByRole('button', { name: 'Expand navigation' }).click();
    expect(await layout(page)).toBe('expanded');
  });

  it('uses an icon rail on a tablet that opens as an overlay and closes with Escape', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.tablet });
    await signIn(page, app.admin);
    expect(await layout(page)).toBe('rail');
    expect(await navWidth(page)).toBeLessThan(80);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'shell-tablet');

    await page.getByRole('button', { name: 'Expand navigation' }).click();
    await page.locator('.f-sidebar--overlay').waitFor();
    expect(await navWidth(page)).toBeGreaterThan(200);
    await screenshot(page, 'shell-tablet-nav-open', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.locator('.f-sidebar--overlay').waitFor({ state: 'detached' });

    // The account menu and notifications work on a tablet too.
    await page.getByRole('button', { name: 'Notifications' }).click();
    await page.getByText('You are all caught up').waitFor();
    await screenshot(page, 'shell-tablet-notifications', { fullPage: false });
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });

  it('fits a landscape tablet without sideways scrolling', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.tabletLandscape });
    await signIn(page, app.admin);
    expect(await layout(page)).toBe('rail');
    expect(await fitsWidth(page)).toBe(true);
    await page.goto('/designer');
    await page.getByRole('heading', { name: 'Designer', level: 1 }).waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'designer-tablet-landscape');
  });

  it('hides the sidebar behind a menu button on a phone', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.phone });
    await page.goto('/login');
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'login-phone');
    await signIn(page, app.admin);
    expect(await layout(page)).toBe('hidden');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.locator('.f-sidebar--overlay').waitFor();
    await page.getByRole('link', { name: 'Designer', exact: true }).click();
    await page.waitForURL('**/designer');
    // Navigating closes the drawer.
    await page.locator('.f-sidebar--overlay').waitFor({ state: 'detached' });
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'designer-phone');
  });

  it('moves keyboard focus through a skip link, the navigation and the menus', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await signIn(page, app.admin);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // The account menu opens from the keyboard and its items are reachable with the arrow keys.
    await page.getByTestId('user-menu').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('role'));
    expect(focused).toBe('menuitem');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });
});
