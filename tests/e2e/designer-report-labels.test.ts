import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * An admin names a core-crm report and one of its measures in Chinese on the designer's Reports
 * screen, publishes through the plan dialog, and Chinese readers see the new names on the home
 * dashboard (issue 21: reports carry a Chinese label beside the English one, edited in the designer).
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ereplabels',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
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

describe('report labels in the designer', { timeout: 300_000 }, () => {
  it('are edited in English and Chinese, published through the plan and shown on the dashboard', async () => {
    const before = (await app.tenant.api.get('/api/meta')).body.reports.sales_funnel;
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer');
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    const row = page.getByRole('row', { name: /Sales funnel by stage/ });
    await expect.poll(() => row.textContent()).toContain('Deal');
    expect(await row.textContent()).toContain('Funnel');
    await screenshot(page, 'designer-reports-list');
    await page.getByRole('link', { name: 'Sales funnel by stage', exact: true }).click();

    const reportEn = page.getByRole('textbox', { name: 'Label of the report in English' });
    const reportZh = page.getByRole('textbox', { name: 'Label of the report in Chinese' });
    expect(await reportEn.inputValue()).toBe('Sales funnel by stage');
    expect(await reportZh.inputValue()).toBe('按阶段的销售漏斗');
    await page.getByRole('link', { name: 'Edit what it counts in the report builder' }).waitFor();

    // A blank English label is refused at the field, and publishing does not start.
    await reportEn.fill('');
    const required = page.getByText('The report needs an English label.');
    await required.waitFor();
    expect(await reportEn.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Publish' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await screenshot(page, 'designer-report-labels-blank');

    await reportEn.fill('Sales funnel by stage');
    await reportZh.fill('销售阶段漏斗');
    await page.getByRole('textbox', { name: 'Label of Deals in Chinese' }).fill('商机个数');
    await screenshot(page, 'designer-report-labels-editing', { fullPage: true });
    await page.getByRole('button', { name: 'Publish' }).click();
    const dialog = page.getByRole('dialog');
    // The plan names the changed report by its label, with no database step.
    await dialog
      .getByText(/^Report Sales funnel by stage: /)
      .first()
      .waitFor();
    await dialog.getByText('No database changes', { exact: false }).waitFor();
    await screenshot(page, 'designer-report-labels-plan');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report labels published', { exact: true }).waitFor();

    // Only the labels changed: the stored report is otherwise the one core-crm shipped.
    const after = (await app.tenant.api.get('/api/meta')).body.reports.sales_funnel;
    expect(after).toEqual({
      ...before,
      'x-i18n': { 'zh-CN': { label: '销售阶段漏斗' } },
      aggregates: [{ ...before.aggregates[0], 'x-i18n': { 'zh-CN': { label: '商机个数' } } }, before.aggregates[1]],
    });

    await page.goto('/');
    await expect.poll(() => titles(page)).toContain('Sales funnel by stage');
    await toChinese(page);
    await expect.poll(() => titles(page)).toContain('销售阶段漏斗');
    // The funnel plots the first measure: its tooltip names it in Chinese.
    const funnel = page.locator('.f-home__chart', { hasText: '销售阶段漏斗' });
    await funnel.locator('.recharts-bar-rectangle').first().hover();
    await funnel.locator('.recharts-tooltip-wrapper').getByText('商机个数').waitFor();
    await screenshot(page, 'designer-report-labels-dashboard-zh-cn');

    // The designer screen in Chinese shows the new labels.
    await page.goto('/designer/reports');
    await page.getByRole('link', { name: '销售阶段漏斗', exact: true }).click();
    expect(await page.getByRole('textbox', { name: '商机个数的中文标签' }).inputValue()).toBe('商机个数');
    await screenshot(page, 'designer-report-labels-zh-cn', { fullPage: true });
    expect(errors).toEqual([]);
  });

  it('fits a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/designer/reports/campaign_roi');
    await page.getByRole('textbox', { name: 'Label of the report in Chinese' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-report-labels-phone', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
