import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Issue 21's defects seen in a demo-like tenant (core-crm with sample data): the menu, the
 * dashboard's charts and the picklist filter, in English and Chinese.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2epolish',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
});
afterAll(async () => {
  await app?.close();
});

async function signInAs(page: Page, lang: 'en' | 'zh-CN') {
  await signIn(page, app.admin);
  if (lang === 'en') return;
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

const navObjects = (page: Page) =>
  page
    .locator('nav a.f-nav__link')
    .evaluateAll((links) =>
      links.map((a) => (a.getAttribute('href') ?? '').replace(/^\/o\//, '')).filter((h) => !h.startsWith('/')),
    );

describe('the CRM a rep meets every day', { timeout: 300_000 }, () => {
  it("the menu keeps the admin's order in both languages and leaves child objects under their parents", async () => {
    const meta = await app.tenant.api.get('/api/meta/app');
    const order = Object.keys(meta.body.objects as object);
    const children = ['quote_line', 'price_list_entry', 'payment', 'expense_line'];
    const expected = order.filter((o) => !children.includes(o));
    for (const lang of ['en', 'zh-CN'] as const) {
      const { page } = await app.newPage();
      await signInAs(page, lang);
      await expect.poll(() => navObjects(page)).toEqual(expected);
      await screenshot(page, `nav-order-${lang === 'en' ? 'en' : 'zh-cn'}`, { fullPage: false });
    }
    // The admin pins a child object (and moves it first) with metadata flags.
    const payment = (await app.tenant.api.get('/api/meta')).body.objects.payment;
    const put = await app.tenant.api.put('/api/meta/objects/payment', { ...payment, 'x-nav': true, 'x-order': 0 });
    expect(put.status, put.text).toBe(200);
    const { page } = await app.newPage();
    await signInAs(page, 'en');
    await expect.poll(() => navObjects(page)).toEqual(['payment', ...expected]);
  });

  it('dashboard: count axes tick in whole numbers and "Campaign ROI" plots ROI', async () => {
    const roi = await app.tenant.api.post('/api/reports/campaign_roi/run', {});
    expect(roi.status, roi.text).toBe(200);
    const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
    const expectedRoi = (roi.body.rows as Array<Record<string, unknown>>).map((r) => [
      String(r.campaign),
      fmt.format(Number(r.roi ?? 0)),
    ]);
    const { page, errors } = await app.newPage();
    await signInAs(page, 'en');
    const card = (title: string) => page.locator('.f-card', { has: page.getByRole('heading', { name: title }) });
    const roiTable = card('Campaign ROI').locator('table');
    await roiTable.waitFor({ state: 'attached' });
    await expect
      .poll(() =>
        roiTable
          .locator('tr')
          .evaluateAll((trs) =>
            trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
          ),
      )
      .toEqual(expectedRoi);
    // The funnel counts deals: no "0.8 deals" on its axis.
    const funnelTicks = card('Sales funnel by stage').locator('.recharts-cartesian-axis-tick-value');
    await funnelTicks.first().waitFor({ state: 'attached' });
    // The stage axis holds names; the count axis numbers, whole ones only.
    const numeric = (await funnelTicks.allTextContents()).filter((t) => /^[\d.,]+$/.test(t.trim()));
    expect(numeric.length).toBeGreaterThan(1);
    for (const tick of numeric) expect(tick.trim()).toMatch(/^\d+$/);
    await screenshot(page, 'dashboard-integer-ticks-roi');
    expect(errors).toEqual([]);
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`"is one of" on a picklist offers its options by label and matches what people see (${lang})`, async () => {
      const tx =
        lang === 'en'
          ? {
              nav: 'Account',
              filters: 'Filters',
              add: 'Add filter',
              field: 'Industry',
              op: 'is one of',
              apply: 'Apply',
            }
          : { nav: '客户', filters: '筛选', add: '添加筛选条件', field: '行业', op: '属于', apply: '应用' };
      const labels = lang === 'en' ? ['Retail', 'Manufacturing'] : ['零售', '制造业'];
      const { page } = await app.newPage();
      await signInAs(page, lang);
      await page.getByRole('link', { name: tx.nav, exact: true }).click();
      await page.locator('table.f-table tbody tr').first().waitFor();
      await page.getByRole('button', { name: tx.filters }).click();
      await page.getByRole('button', { name: tx.add }).click();
      const row = page.locator('.f-filters__row').first();
      await row.getByRole('combobox').first().selectOption({ label: tx.field });
      await row.getByRole('combobox').nth(1).selectOption({ label: tx.op });
      for (const l of labels) await row.getByRole('checkbox', { name: l, exact: true }).check();
      await screenshot(page, `filter-one-of-${lang === 'en' ? 'en' : 'zh-cn'}`);
      await page.getByRole('button', { name: tx.apply, exact: true }).click();
      const api = await app.tenant.api.get('/api/records/account', {
        query: { filter: JSON.stringify({ industry: { in: ['retail', 'manufacturing'] } }), limit: '200' },
      });
      expect(api.status, api.text).toBe(200);
      const names = (api.body.items as Array<{ name: string }>).map((a) => a.name).sort();
      expect(names.length).toBeGreaterThan(0);
      await expect
        .poll(async () =>
          (await page.locator('table.f-table tbody tr td:nth-child(2)').allTextContents()).map((s) => s.trim()).sort(),
        )
        .toEqual(names);
    });
  }
});
