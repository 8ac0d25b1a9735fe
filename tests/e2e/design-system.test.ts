import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;
let page: Page;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eui' });
  ({ page } = await app.newPage());
  await signIn(page, app.admin);
  await page.goto('/designer/ui');
  await page.getByRole('heading', { name: 'Design system', level: 1 }).waitFor();
});
afterAll(async () => {
  await app?.close();
});

const focusedName = () =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent);

/** WCAG contrast ratio between an element's text colour and the first opaque background behind it. */
function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r = 0, g = 0, b = 0]: number[]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    let bgEl: Element | null = el;
    let bg = 'rgb(255, 255, 255)';
    while (bgEl) {
      const c = getComputedStyle(bgEl).backgroundColor;
      const parts = rgb(c);
      if (parts.length === 3 || (parts.length === 4 && parts[3] === 1)) {
        bg = c;
        break;
      }
      bgEl = bgEl.parentElement;
    }
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(rgb(bg));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}

describe('design system', { timeout: 90_000 }, () => {
  it('renders every component', async () => {
    for (const title of ['Buttons', 'Inputs', 'Table', 'Dialog and toasts', 'States'])
      await expect.poll(() => page.getByText(title, { exact: true }).first().isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Delete record' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('table').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('No deals yet').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Deals could not be loaded').isVisible()).toBe(true);
    await screenshot(page, 'design-system');
  });

  it('traps focus in the dialog, closes it with Escape and returns focus to the trigger', async () => {
    const trigger = page.getByRole('button', { name: 'Open dialog' });
    await trigger.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete 3 deals?' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-describedby')).toBeTruthy();
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await screenshot(page, 'design-system-dialog', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Radix restores focus right after the dialog unmounts.
    await expect.poll(focusedName).toBe('Open dialog');
  });

  it('announces toasts and lets them be dismissed', async () => {
    await page.getByRole('button', { name: 'Error toast' }).click();
    const toast = page.locator('.f-toast--error');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Someone else changed this record.');
    await toast.getByRole('button', { name: 'Close' }).click();
    await toast.waitFor({ state: 'detached' });
  });

  it('sorts the table from the keyboard and reports the order with aria-sort', async () => {
    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    const firstCell = () => page.getByRole('table', { name: 'Deals' }).locator('tbody tr td').first().textContent();
    expect(await page.getByRole('columnheader', { name: 'Amount' }).getAttribute('aria-sort')).toBe('descending');
    await nameHeader.getByRole('button').focus();
    await page.keyboard.press('Enter');
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await firstCell()).toBe('Acme renewal');
    await page.keyboard.press('Enter');
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await firstCell()).toBe('Initech expansion');
  });

  it('ties error and hint texts to their inputs', async () => {
    const amount = page.getByRole('textbox', { name: 'Amount' });
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    const described = await amount.getAttribute('aria-describedby');
    const text = await page.locator(`[id="${described?.split(' ')[0]}"]`).textContent();
    expect(text).toBe('Must be 0 or more');
    const name = page.getByRole('textbox', { name: 'Name' });
    expect(await name.getAttribute('required')).not.toBeNull();
  });

  it('keeps text contrast at WCAG AA (4.5:1) or better', async () => {
    const samples: Array<[string, Locator]> = [
      ['primary button', page.getByRole('button', { name: 'New deal' })],
      ['secondary button', page.getByRole('button', { name: 'Secondary' })],
      ['danger button', page.getByRole('button', { name: 'Delete', exact: true }).first()],
      ['hint', page.getByText('Shown in lists and lookups.')],
      ['field error', page.getByText('Must be 0 or more')],
      ['badge', page.locator('.f-badge--success').first()],
      ['table header', page.getByRole('columnheader', { name: 'Stage' })],
      ['nav section', page.locator('.f-nav__section')],
    ];
    for (const [what, locator] of samples) expect(await contrastOf(locator), what).toBeGreaterThanOrEqual(4.5);
  });
});
