import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Issue 22's remaining Chinese gaps and the chart's series: a report's second grouping drawn as
 * named series (in the builder's preview and on a dashboard); a derived expression and an
 * automation rule's schedule the server refuses read in Chinese at their fields; scripts are listed
 * by their Chinese labels.
 */
let app: E2eApp;
const NAME = 'deals_by_year_and_stage';
const REPORT = {
  label: 'Deals by year and stage',
  object: 'deal',
  groupBy: [
    { field: 'close_on', bucket: 'year', as: 'close_on_year' },
    { field: 'stage', as: 'stage' },
  ],
  aggregates: [{ fn: 'count', as: 'count', label: 'Deals' }],
  chart: 'bar',
};
const STAGES = ['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Won', 'Lost'];

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ezhgaps',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  const put = await app.tenant.api.put(`/api/meta/reports/${NAME}`, REPORT);
  expect(put.status, put.text).toBe(200);
});
afterAll(async () => {
  await app?.close();
});

describe('chart series, Chinese refusals and script labels', { timeout: 400_000 }, () => {
  it('draws a second grouping as named series in the preview and on the dashboard (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto(`/designer/reports/${NAME}/build`);
    const series = page.getByLabel('Series by');
    await series.waitFor();
    await series.selectOption({ label: 'Stage' });
    // A legend names each series by the stage's label, and each draws its own bars.
    const legend = page.locator('.f-rb__preview .recharts-legend-item-text');
    await expect
      .poll(async () => (await legend.allTextContents()).filter((l) => STAGES.includes(l)).length, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(2);
    expect(await page.locator('.f-rb__preview .recharts-bar').count()).toBe(await legend.count());
    // The points are the years; the screen-reader table has one column per series.
    const heads = await page.locator('.f-rb__preview .f-chart table.f-sr-only thead th').allTextContents();
    expect(heads).toEqual(await legend.allTextContents());
    await screenshot(page, 'designer-report-builder-chart-series', { fullPage: true });

    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report published', { exact: true }).waitFor();
    const stored = (await app.tenant.api.get('/api/meta')).body.reports[NAME];
    expect(stored.chartSeries).toBe('stage');
    const run = await app.tenant.api.post(`/api/reports/${NAME}/run`, {});
    expect(run.body.chartSeries).toBe('stage');

    // The dashboard draws the same series.
    const dash = await app.tenant.api.put('/api/meta/dashboards/admin_home', {
      label: 'Admin home',
      roles: ['admin'],
      widgets: [{ report: NAME }],
    });
    expect(dash.status, dash.text).toBe(200);
    await page.goto('/');
    const homeLegend = page.locator('.f-home__chart .recharts-legend-item-text');
    await expect
      .poll(async () => (await homeLegend.allTextContents()).filter((l) => STAGES.includes(l)).length, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(2);
    await screenshot(page, 'dashboard-chart-series', { fullPage: true });
    expect(errors).toEqual([]);
  });

  it('says a refused derived expression in Chinese and lists scripts by their Chinese labels', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.goto(`/designer/reports/${NAME}/build`);
    // The series picker in Chinese, with the stored choice.
    const series = page.getByLabel('系列依据');
    await series.waitFor();
    expect(await series.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe('阶段');
    await page.locator('.f-rb__preview .recharts-legend-item-text').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.f-rb__preview .recharts-legend-item-text').allTextContents()).toContain('赢单');

    await page.getByRole('button', { name: '添加派生列' }).click();
    await page.getByLabel('派生列 1：列名').fill('per_deal');
    const expr = page.getByLabel('派生列 1：表达式');
    await expr.fill('count / ghost');
    // At the expression's field (the preview lists it too).
    const refused = page.locator('.f-field__error', { hasText: '未知列"ghost"' });
    await refused.waitFor({ timeout: 30_000 });
    expect(await page.getByText('Unknown column', { exact: false }).count()).toBe(0);
    await screenshot(page, 'designer-report-builder-derived-refused-zh-cn', { fullPage: true });
    // Nothing typed is lost; a fixed expression is accepted.
    expect(await expr.inputValue()).toBe('count / ghost');
    await expr.fill('count * 2');
    await refused.waitFor({ state: 'detached', timeout: 30_000 });

    // An automation rule's schedule the server refuses: said in Chinese at the schedule.
    const rule = await app.tenant.api.put('/api/meta/automations/weekly_check', {
      label: 'Weekly check',
      object: 'deal',
      trigger: { on: 'schedule', every: 'P1D' },
      actions: [{ type: 'notify', to: ['owner'], title: 'Check {{record.name}}', email: false }],
    });
    expect(rule.status, rule.text).toBe(200);
    await page.goto('/designer/automations/weekly_check');
    await page.getByLabel('运行频率').selectOption({ label: '自定义…' });
    await page.getByLabel('计划', { exact: true }).fill('P1M');
    await page.getByRole('button', { name: '发布' }).first().click();
    const scheduleRefused = page.locator('.f-field__error', { hasText: '月和年的长度不固定' });
    await scheduleRefused.waitFor({ timeout: 30_000 });
    expect(await page.getByText('vary in length', { exact: false }).count()).toBe(0);
    await screenshot(page, 'designer-automation-schedule-refused-zh-cn', { fullPage: true });
    expect((await app.tenant.api.get('/api/meta')).body.automations.weekly_check.trigger.every).toBe('P1D');

    // Scripts: the list and the editor show the Chinese labels core-crm ships.
    await page.goto('/designer/scripts');
    const item = page.getByRole('button', { name: /合同的结束日期晚于开始日期/ });
    await item.waitFor();
    await item.click();
    await page.getByRole('heading', { name: '合同的结束日期晚于开始日期' }).waitFor();
    expect(await page.getByLabel('中文名称').inputValue()).toBe('合同的结束日期晚于开始日期');
    await screenshot(page, 'designer-scripts-zh-cn', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
