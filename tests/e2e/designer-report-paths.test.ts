import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * A report grouped through lookups (issue 24): the designer's label editor shows the path a group
 * reads as field labels and as written, and names the group in English and Chinese.
 */
let app: E2eApp;
const REPORT = {
  label: 'Deals by account owner',
  object: 'deal',
  groupBy: [{ field: 'account.owner.name', as: 'account_owner' }],
  aggregates: [{ fn: 'count', as: 'deals', label: 'Deals' }],
  chart: 'bar',
};

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2erepaths',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  const put = await app.tenant.api.put('/api/meta/reports/deals_by_account_owner', REPORT);
  expect(put.status, put.text).toBe(200);
});
afterAll(async () => {
  await app?.close();
});

describe('a report grouped through lookups in the designer', { timeout: 300_000 }, () => {
  it('shows the path and names the group in English and Chinese', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/reports/deals_by_account_owner');
    await page.getByText('Reads Account › Owner › Name', { exact: false }).waitFor();
    expect(await page.locator('.f-rep-row__source code').first().textContent()).toBe('account.owner.name');
    const en = page.getByRole('textbox', { name: 'Label of Account › Owner › Name in English' });
    expect(await en.getAttribute('placeholder')).toBe('Account › Owner › Name');
    await en.fill('Account manager');
    await page.getByRole('textbox', { name: 'Label of Account › Owner › Name in Chinese' }).fill('客户经理');
    await screenshot(page, 'designer-report-paths', { fullPage: true });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report labels published', { exact: true }).waitFor();
    const stored = (await app.tenant.api.get('/api/meta')).body.reports.deals_by_account_owner;
    expect(stored).toEqual({
      ...REPORT,
      groupBy: [{ ...REPORT.groupBy[0], label: 'Account manager', 'x-i18n': { 'zh-CN': { label: '客户经理' } } }],
    });
    // The run names the column as published.
    const run = await app.tenant.api.post('/api/reports/deals_by_account_owner/run', {});
    expect(run.body.columns[0]).toMatchObject({
      label: 'Account manager',
      'x-i18n': { 'zh-CN': { label: '客户经理' } },
    });
    expect(errors).toEqual([]);
  });

  it('in Chinese and on a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/designer/reports/deals_by_account_owner');
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByText('读取：', { exact: false }).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-report-paths-zh-cn-phone', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
