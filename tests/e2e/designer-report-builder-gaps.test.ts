import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * The report builder's remaining gaps (issue 22): a filter through a lookup (Account › Industry) is
 * edited in the condition builder, not shown read-only; the chart's value and the grouping naming
 * its points are picked and stored; the server's refusals read in Chinese in the Chinese UI.
 */
let app: E2eApp;
const NAME = 'deals_by_stage_industry';
const REPORT = {
  label: 'Manufacturing deals by stage',
  object: 'deal',
  filter: { 'account.industry': { eq: 'manufacturing' } },
  groupBy: [
    { field: 'close_on', bucket: 'year', as: 'close_on_year' },
    { field: 'stage', as: 'stage' },
  ],
  aggregates: [
    { fn: 'count', as: 'count', label: 'Deals' },
    { fn: 'sum', field: 'amount', as: 'sum_amount', label: 'Amount' },
  ],
  chart: 'bar',
};

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2erepgaps',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  const put = await app.tenant.api.put(`/api/meta/reports/${NAME}`, REPORT);
  expect(put.status, put.text).toBe(200);
});
afterAll(async () => {
  await app?.close();
});

const previewRows = (page: Page) =>
  page
    .locator('.f-rb__preview .f-report-table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
const selected = (page: Page, label: string, n = 0) =>
  page
    .locator('.f-cond__row')
    .nth(n)
    .getByLabel(label, { exact: true })
    .evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');

async function aggregate(filter: unknown) {
  const res = await app.tenant.api.get('/api/records/deal/aggregate', {
    query: { groupBy: 'stage', count: 'true', filter: JSON.stringify(filter) },
  });
  expect(res.status, res.text).toBe(200);
  return (res.body.groups as Record<string, unknown>[]).reduce((n, g) => n + Number(g.count), 0);
}

describe('report builder: lookup filters, chart picker, server messages', { timeout: 400_000 }, () => {
  it('edits a filter through a lookup and picks what the chart draws (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto(`/designer/reports/${NAME}/build`);
    await page.locator('.f-cond__row').first().waitFor();
    // Not read-only any more: the stored path reads as labels, never as the path.
    expect(await page.getByText('Replace with new conditions').count()).toBe(0);
    expect(await selected(page, 'Field')).toBe('Account › Industry');
    expect(await selected(page, 'Value')).toBe('Manufacturing');
    // The value takes the target field's picklist, by its labels.
    const row = page.locator('.f-cond__row').first();
    await row.getByLabel('Value', { exact: true }).selectOption({ label: 'Retail' });
    const retail = await aggregate({ 'account.industry': { eq: 'retail' } });
    await expect
      .poll(async () => (await previewRows(page)).reduce((n, r) => n + Number(r[2]), 0), { timeout: 30_000 })
      .toBe(retail);

    // A second condition through the lookup: open Account, then its Name.
    await page.getByRole('button', { name: 'Add condition' }).click();
    const second = page.locator('.f-cond__row').nth(1);
    await second.getByLabel('Field', { exact: true }).selectOption({ label: 'Account ›' });
    expect(await selected(page, 'Field', 1)).toBe('Account › Name');
    const options = await second.getByLabel('Field', { exact: true }).locator('option').allTextContents();
    expect(options).toContain('Account › Industry');
    expect(options.some((o) => /[0-9a-f]{8}-/.test(o))).toBe(false);
    // Unhappy: no value. Refused at the row, the preview waits, and nothing typed is lost.
    await page.getByRole('button', { name: 'Publish…' }).click();
    await second.getByText('Enter a value').waitFor();
    await page.getByText('The preview runs once the marked fields are filled in.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await selected(page, 'Value')).toBe('Retail');
    await screenshot(page, 'designer-report-builder-lookup-filter-refused', { fullPage: true });
    await second.getByLabel('Comparison', { exact: true }).selectOption({ label: 'is not' });
    await second.getByLabel('Value', { exact: true }).fill('Nobody Ltd');

    // The chart picker: which measure it draws, which grouping names its points.
    await page.getByLabel('Chart shows').selectOption({ label: 'Amount' });
    await page.getByLabel('Chart points by').selectOption({ label: 'Stage' });
    await page.locator('.f-rb__preview .recharts-surface').first().waitFor({ timeout: 30_000 });
    // The chart's points are named by stages now (by their labels), not only by years.
    const stages = ['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Won', 'Lost'];
    const chartLabels = page.locator('.f-rb__preview .f-chart table.f-sr-only th');
    await expect
      .poll(async () => (await chartLabels.allTextContents()).some((l) => stages.includes(l)), { timeout: 30_000 })
      .toBe(true);
    await screenshot(page, 'designer-report-builder-chart-picker', { fullPage: true });
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report published', { exact: true }).waitFor();
    const stored = (await app.tenant.api.get('/api/meta')).body.reports[NAME];
    expect(stored.filter).toEqual({
      and: [{ 'account.industry': { eq: 'retail' } }, { 'account.name': { ne: 'Nobody Ltd' } }],
    });
    expect([stored.chartValue, stored.chartCategory]).toEqual(['sum_amount', 'stage']);
    // The saved report's run tells dashboards what to draw.
    const run = await app.tenant.api.post(`/api/reports/${NAME}/run`, {});
    expect([run.body.chartValue, run.body.chartCategory]).toEqual(['sum_amount', 'stage']);
    expect(errors).toEqual([]);
  });

  it('says the server refusal in Chinese at its field, and fits a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.goto(`/designer/reports/${NAME}/build`);
    await page.locator('.f-cond__row').first().waitFor();
    expect(await selected(page, '字段')).toBe('客户 › 行业');
    expect(await selected(page, '值')).toBe('零售');
    // The server refuses comparing periods by a date the report groups by: said in Chinese, at the groups.
    await page.getByLabel('期间对比').check();
    await page.getByLabel('决定记录所属期间的日期', { exact: true }).selectOption({ label: '预计成交日期' });
    const groupCard = page.locator('.f-card', { has: page.getByRole('button', { name: '添加分组列' }) });
    await groupCard.getByRole('alert').filter({ hasText: '不要按比较的字段' }).waitFor({ timeout: 30_000 });
    expect(await groupCard.getByRole('alert').textContent()).not.toMatch(/Do not group/);
    await screenshot(page, 'designer-report-builder-refused-zh-cn', { fullPage: true });
    await page.getByLabel('期间对比').uncheck();
    expect(await selected(page, '值')).toBe('零售');

    // On a phone: the builder with the lookup filter and the chart picker.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByLabel('图表显示').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-report-builder-lookup-filter-phone-zh-cn', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
