import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

/**
 * An admin titles the home dashboard's widgets in English and Chinese in the dashboard editor;
 * each language shows its own title, the report's label where a widget has none (issue 21).
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2edashlabels' });
  await seedSalesModel(app.tenant);
  await createRecord(app.tenant, 'deal', { name: 'Alpha', amount: 10_000, stage: 'won', close_on: '2026-02-01' });
  for (const [name, label, zh] of [
    ['deals_by_stage', 'Deals by stage', '按阶段的商机'],
    ['deal_amounts', 'Deal amounts', '商机金额'],
  ] as const)
    await putMeta(app.tenant, `/api/meta/reports/${name}`, {
      label,
      'x-i18n': { 'zh-CN': { label: zh } },
      object: 'deal',
      groupBy: [{ field: 'stage' }],
      aggregates: [{ fn: 'sum', field: 'amount', as: 'amount' }],
      chart: 'bar',
    });
  await putMeta(app.tenant, '/api/meta/dashboards/admin_home', {
    label: 'Admin home',
    roles: ['admin'],
    widgets: [{ report: 'deals_by_stage' }, { report: 'deal_amounts' }],
  });
});
afterAll(async () => {
  await app?.close();
});

const titles = (page: Page) => page.locator('.f-home__chart .f-card__title').allTextContents();

async function toChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

describe('dashboard widget titles in two languages', { timeout: 180_000 }, () => {
  it('are edited in the dashboard editor and shown in the reader’s language', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await expect.poll(() => titles(page)).toEqual(['Deals by stage', 'Deal amounts']);
    await page.getByRole('button', { name: 'Edit dashboard' }).click();
    await page.getByRole('textbox', { name: 'Title of Deals by stage in English' }).fill('Pipeline');
    await page.getByRole('textbox', { name: 'Title of Pipeline in Chinese' }).fill('销售管道');
    // A Chinese title alone: English readers keep the report's label.
    await page.getByRole('textbox', { name: 'Title of Deal amounts in Chinese' }).fill('金额一览');
    await screenshot(page, 'dashboard-titles-editing');
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await page.getByText('Dashboard saved', { exact: true }).waitFor();
    await expect.poll(() => titles(page)).toEqual(['Pipeline', 'Deal amounts']);

    const saved = (await app.tenant.api.get('/api/meta')).body.dashboards.admin_home;
    expect(saved).toMatchObject({
      widgets: [
        { report: 'deals_by_stage', title: 'Pipeline', 'x-i18n': { 'zh-CN': { title: '销售管道' } } },
        { report: 'deal_amounts', title: 'Deal amounts', 'x-i18n': { 'zh-CN': { title: '金额一览' } } },
      ],
    });

    await toChinese(page);
    await expect.poll(() => titles(page)).toEqual(['销售管道', '金额一览']);
    await screenshot(page, 'dashboard-titles-zh-cn');
    // The Chinese editor shows and edits the same titles; clearing both gives the report's labels back.
    await page.getByRole('button', { name: '编辑仪表盘' }).click();
    expect(await page.getByRole('textbox', { name: '销售管道的中文标题' }).inputValue()).toBe('销售管道');
    await page.getByRole('textbox', { name: '金额一览的中文标题' }).fill('');
    await page.getByRole('button', { name: '保存仪表盘' }).click();
    await page.getByText('仪表盘已保存', { exact: true }).waitFor();
    await expect.poll(() => titles(page)).toEqual(['销售管道', '商机金额']);
    await screenshot(page, 'dashboard-titles-zh-cn-report-label');
    expect(errors).toEqual([]);
  });
});
