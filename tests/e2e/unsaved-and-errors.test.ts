import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

let app: E2eApp;
let deal: { id: string };

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eunsaved' });
  await seedSalesModel(app.tenant);
  await createRecord(app.tenant, 'account', { name: 'Acme Corporation' });
  deal = await createRecord(app.tenant, 'deal', { name: 'Guarded deal', amount: 1000 });
});
afterAll(async () => {
  await app?.close();
});

const TEXT = {
  en: {
    title: 'Leave without saving?',
    stay: 'Stay and keep editing',
    discard: 'Discard changes and leave',
    cancel: 'Cancel',
    home: 'Home',
    dealNav: 'Deal',
    create: 'Create',
    edit: 'Edit all fields',
  },
  'zh-CN': {
    title: '不保存就离开？',
    stay: '留下继续编辑',
    discard: '放弃修改并离开',
    cancel: '取消',
    home: '首页',
    dealNav: '商机',
    create: '创建',
    edit: '编辑全部字段',
  },
} as const;

/** Signs in (the login form is English) and switches the app to Chinese when asked. */
async function signInAs(page: Page, lang: 'en' | 'zh-CN') {
  await signIn(page, app.admin);
  if (lang === 'en') return;
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

async function dialogShown(page: Page, title: string) {
  await page.getByRole('dialog', { name: title }).waitFor();
}

describe('unsaved edits are never dropped without asking', { timeout: 240_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`asks before leaving an edited record by sidebar, Cancel and Back (${lang})`, async () => {
      const tx = TEXT[lang];
      const { page, errors } = await app.newPage();
      await signInAs(page, lang);
      // Reached by a link, so Back has somewhere to go inside the app.
      await page.getByRole('link', { name: tx.dealNav, exact: true }).click();
      await page.getByRole('link', { name: 'Guarded deal' }).click();
      await page.getByRole('heading', { name: 'Guarded deal', level: 1 }).waitFor();
      // The record opens in its read view; the full form is one click away.
      await page.getByRole('button', { name: tx.edit }).click();
      await page.locator('#root_amount').waitFor();

      // Untouched: leaving asks nothing.
      await page.getByRole('link', { name: tx.cancel, exact: true }).click();
      await page.getByRole('link', { name: 'Guarded deal' }).waitFor();
      await page.getByRole('link', { name: 'Guarded deal' }).click();
      await page.getByRole('heading', { name: 'Guarded deal', level: 1 }).waitFor();
      await page.getByRole('button', { name: tx.edit }).click();

      await page.locator('#root_amount').fill('2500');
      // The sidebar.
      await page.getByRole('link', { name: tx.home, exact: true }).click();
      await dialogShown(page, tx.title);
      await screenshot(page, `unsaved-guard-${lang === 'en' ? 'en' : 'zh-cn'}`, { fullPage: false });
      await page.getByRole('button', { name: tx.stay }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect(new URL(page.url()).pathname).toBe(`/o/deal/${deal.id}`);
      expect(await page.locator('#root_amount').inputValue()).toMatch(/2,?500/);

      // Cancel.
      await page.getByRole('link', { name: tx.cancel, exact: true }).click();
      await dialogShown(page, tx.title);
      await page.getByRole('button', { name: tx.stay }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      // Back, then discard: the list opens and nothing was saved.
      await page.goBack();
      await dialogShown(page, tx.title);
      expect(new URL(page.url()).pathname).toBe(`/o/deal/${deal.id}`);
      await page.getByRole('button', { name: tx.discard }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/o/deal');
      const saved = await app.tenant.api.get(`/api/records/deal/${deal.id}`);
      expect(Number(saved.body.amount)).toBe(1000);
      expect(errors).toEqual([]);
    });
  }

  it('asks before a reload or closing the tab loses a new record (beforeunload)', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/o/deal/new');
    await page.locator('#root_name').fill('Half typed');
    // Chromium only runs beforeunload prompts for pages the user interacted with: the fill counts.
    const prompted = new Promise<string>((resolve) => page.once('dialog', (d) => resolve(d.type())));
    await page.close({ runBeforeUnload: true });
    expect(await prompted).toBe('beforeunload');
  });

  it('a new record that is saved leaves without asking', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/o/deal/new');
    await page.locator('#root_name').fill('Saved straight away');
    await page.locator('#root_amount').fill('10');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved straight away', level: 1 }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
  });
});

describe('server field errors', { timeout: 120_000 }, () => {
  it("an error under a field leaves when the user changes that field, others' stay", async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto(`/o/deal/${deal.id}?edit=1`);
    await page.getByRole('heading', { name: 'Guarded deal', level: 1 }).waitFor();
    await page.locator('#root_discount').fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    const group = page.locator('#root_discount').locator('xpath=ancestor::*[contains(@class,"form-group")][1]');
    await group.getByText('Discounts above 20% need a sales manager').waitFor();
    // Another field's edit keeps it.
    await page.locator('#root_name').fill('Guarded deal!');
    expect(await group.getByText('Discounts above 20% need a sales manager').count()).toBe(1);
    await page.locator('#root_discount').fill('15');
    await group.getByText('Discounts above 20% need a sales manager').waitFor({ state: 'detached' });
    await screenshot(page, 'server-error-cleared');
  });
});
