import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * The report builder (issue 22): an admin builds a report on deals grouped through a lookup
 * (Account › Industry), with measures, a condition-builder filter and a sort, watches the live
 * preview (the draft run on the server) agree with the published report's run, meets a refusal of
 * the browser and one of the server at their fields, and publishes it onto the sales manager's
 * dashboard through the plan; then the same screen in Chinese and on a phone.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2erepbuild',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
});
afterAll(async () => {
  await app?.close();
});

const previewRows = (page: Page) =>
  page
    .locator('.f-rb__preview .f-report-table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

async function toChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
}

describe('the report builder', { timeout: 400_000 }, () => {
  it('builds, previews, refuses and publishes a report onto a dashboard', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/reports');
    await page.getByRole('button', { name: 'New report' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Open deals by industry');
    expect(await dialog.getByRole('textbox', { name: 'API name' }).inputValue()).toBe('open_deals_by_industry');
    await dialog.getByLabel('Object').selectOption({ label: 'Deal' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/designer\/reports\/new\?/);

    // Group through a lookup: Account, then the account's Industry.
    await page.getByRole('button', { name: 'Add grouping' }).click();
    await page.getByLabel('Group 1: field', { exact: true }).selectOption({ label: 'Account ›' });
    await page.getByLabel('Group 1: field, step 2').selectOption({ label: 'Industry' });
    // A sum without its field is refused in the browser, at the field, and the preview waits.
    await page.getByRole('button', { name: 'Add measure' }).click();
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByText('Choose a field.').waitFor();
    await page.getByText('The preview runs once the marked fields are filled in.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByLabel('Measure 2: field', { exact: true }).selectOption({ label: 'Amount' });
    await page.getByLabel('Measure 2: label in English').fill('Amount');
    await page.getByLabel('Measure 2: label in Chinese').fill('金额');
    await page.getByLabel('Measure 1: label in English').fill('Deals');
    await page.getByLabel('Measure 1: label in Chinese').fill('商机数');
    // Filter with the shared condition builder: stage is not lost.
    await page.getByRole('button', { name: 'Add condition' }).click();
    const row = page.locator('.f-cond__row').first();
    await row.getByLabel('Field').selectOption({ label: 'Stage' });
    await row.getByLabel('Comparison').selectOption({ label: 'is not' });
    await row.getByLabel('Value').selectOption({ label: 'Lost' });
    // The sort offers the columns by the labels the preview gives them.
    await page.locator('.f-rb__preview th', { hasText: 'Amount' }).first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Sort by').selectOption({ label: 'Amount, highest first' });
    await page.getByLabel('Chart', { exact: true }).selectOption({ label: 'Table' });
    await page.getByLabel('Name in Chinese').fill('按行业的未结商机');

    // The preview is the draft run on the server: compare it with the records API's aggregate.
    const aggregate = await app.tenant.api.get('/api/records/deal/aggregate', {
      query: {
        groupBy: 'account.industry',
        count: 'true',
        sum: 'amount',
        filter: JSON.stringify({ stage: { ne: 'lost' } }),
      },
    });
    expect(aggregate.status, aggregate.text).toBe(200);
    const expected = (aggregate.body.groups as Record<string, unknown>[])
      .map((g) => ({ industry: g['account.industry'], deals: Number(g.count), amount: Number(g.sum_amount ?? 0) }))
      .sort((a, b) => b.amount - a.amount);
    const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
    // The preview follows each change a moment later: wait for the sorted, filtered run.
    await expect
      .poll(async () => (await previewRows(page)).map((r) => [r[1], r[2]]), { timeout: 30_000 })
      .toEqual(expected.map((e) => [fmt.format(e.deals), fmt.format(e.amount)]));
    const shown = await previewRows(page);
    // Industries are shown by their labels, never their stored values.
    expect(shown.map((r) => r[0])).toContain('Manufacturing');
    expect(shown.map((r) => r[0])).not.toContain('manufacturing');
    expect(await page.locator('.f-rb__preview th').allTextContents()).toEqual([
      'Account › Industry',
      'Deals',
      'Amount',
    ]);
    await screenshot(page, 'designer-report-builder', { fullPage: true });

    // The server's refusal lands at its field: comparing periods by the field the report groups by.
    await page.getByRole('button', { name: 'Add grouping' }).click();
    await page.getByLabel('Group 2: field', { exact: true }).selectOption({ label: 'Expected close' });
    await page.getByLabel('Compare periods').check();
    await page
      .getByLabel('Date that places a record in a period', { exact: true })
      .selectOption({ label: 'Expected close' });
    await page.getByText('The server cannot run this draft:').waitFor();
    // At the group-by list (the report's /groupBy), not only in the preview.
    const groupCard = page.locator('.f-card', { has: page.getByRole('button', { name: 'Add grouping' }) });
    await groupCard.getByRole('alert').filter({ hasText: 'Do not group by the compared field' }).waitFor();
    await screenshot(page, 'designer-report-builder-refused', { fullPage: true });
    await page.getByRole('button', { name: 'Remove group 2' }).click();
    await page.getByLabel('Compare periods').uncheck();
    await expect.poll(async () => (await previewRows(page)).length, { timeout: 30_000 }).toBe(expected.length);

    // Publish onto the sales manager's dashboard: one plan for the report and the dashboard.
    const onto = page.getByLabel('Add to a dashboard when publishing');
    expect(await onto.locator('option').allTextContents()).toContain('Sales manager (Sales manager, Administrators)');
    await onto.selectOption({ value: 'sales_manager' });
    await page.getByRole('button', { name: 'Publish…' }).click();
    const plan = page.getByRole('dialog');
    await plan
      .getByText(/Open deals by industry/)
      .first()
      .waitFor();
    await plan
      .getByText(/Sales manager/)
      .first()
      .waitFor();
    await screenshot(page, 'designer-report-builder-plan');
    await plan.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report published', { exact: true }).waitFor();
    await page.waitForURL(/\/designer\/reports\/open_deals_by_industry\/build$/);

    const doc = (await app.tenant.api.get('/api/meta')).body;
    expect(doc.reports.open_deals_by_industry).toEqual({
      label: 'Open deals by industry',
      'x-i18n': { 'zh-CN': { label: '按行业的未结商机' } },
      object: 'deal',
      filter: { stage: { ne: 'lost' } },
      groupBy: [{ field: 'account.industry', as: 'account_industry' }],
      aggregates: [
        { fn: 'count', as: 'count', label: 'Deals', 'x-i18n': { 'zh-CN': { label: '商机数' } } },
        { fn: 'sum', field: 'amount', as: 'sum_amount', label: 'Amount', 'x-i18n': { 'zh-CN': { label: '金额' } } },
      ],
      sort: ['-sum_amount'],
      chart: 'table',
    });
    expect(doc.dashboards.sales_manager.widgets.at(-1)).toEqual({ report: 'open_deals_by_industry', width: 'half' });
    const run = await app.tenant.api.post('/api/reports/open_deals_by_industry/run', {});
    expect(
      run.body.rows.map((r: Record<string, unknown>) => [r.account_industry, Number(r.count), Number(r.sum_amount)]),
    ).toEqual(expected.map((e) => [e.industry, e.deals, e.amount]));
    await page.getByText('On the dashboards: Sales manager').waitFor();

    // The admin's home (the sales manager's dashboard) shows it.
    await page.goto('/');
    await page.locator('.f-home__chart', { hasText: 'Open deals by industry' }).locator('tbody tr').first().waitFor();

    // In Chinese: the builder reads the published report back, with Chinese labels.
    await toChinese(page);
    await page.goto('/designer/reports/open_deals_by_industry/build');
    await page.getByLabel('分组 1：字段', { exact: true }).waitFor();
    expect(await page.getByLabel('中文名称').inputValue()).toBe('按行业的未结商机');
    expect(await page.getByLabel('度量 2：中文标签').inputValue()).toBe('金额');
    await expect
      .poll(() => page.locator('.f-rb__preview th').allTextContents())
      .toEqual(['客户 › 行业', '商机数', '金额']);
    await expect.poll(async () => (await previewRows(page)).map((r) => r[0])).toContain('制造业');
    await screenshot(page, 'designer-report-builder-zh-cn', { fullPage: true });
    expect(errors).toEqual([]);
  });

  it('adds a derived column and says who may run the report', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/reports/won_by_owner/build');
    await page.getByRole('button', { name: 'Add derived column' }).click();
    await page.getByLabel('Derived column 1: label in English').fill('Cumulative share');
    // The column name follows the label until typed by hand.
    expect(await page.getByLabel('Derived column 1: column name').inputValue()).toBe('cumulative_share');
    await page.getByLabel('Derived column 1: label in Chinese').fill('累计占比');
    const expr = page.getByLabel('Derived column 1: expression');
    // The hint names the columns an expression may use.
    await page.getByText(/Columns: won_amount, deals\./).waitFor();
    // An unknown column is refused by the server, at the expression.
    await expr.fill('round(running(won_amount) / total(amount) * 100, 1)');
    const exprField = page.locator('.f-field', { has: expr });
    await exprField.getByText(/Unknown column "amount"/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'designer-report-builder-derived-refused');
    await expr.fill('round(running(won_amount) / total(won_amount) * 100, 1)');
    // The preview shows the new column; the last row's running share is the whole.
    await expect
      .poll(() => page.locator('.f-rb__preview thead th').allTextContents(), { timeout: 30_000 })
      .toEqual(['Owner', 'Won amount', 'Deals', 'Cumulative share']);
    await expect.poll(async () => (await previewRows(page)).at(-1)?.at(-1), { timeout: 30_000 }).toBe('100');

    // Who may run it: roles by their labels, never their names.
    const roles = page.locator('.f-rb__roles');
    expect(await roles.locator('label').allTextContents()).toEqual(
      expect.arrayContaining(['Sales manager', 'Sales rep']),
    );
    expect(await roles.locator('label').allTextContents()).not.toContain('sales_manager');
    await page.getByText('Run by everyone who may read the object.').waitFor();
    await roles.getByLabel('Sales manager').check();
    await page.getByText('Run by: Sales manager, Administrators').waitFor();
    await screenshot(page, 'designer-report-builder-derived', { fullPage: true });
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report published', { exact: true }).waitFor();
    const doc = (await app.tenant.api.get('/api/meta')).body;
    expect(doc.reports.won_by_owner.derive).toEqual([
      {
        as: 'cumulative_share',
        expr: 'round(running(won_amount) / total(won_amount) * 100, 1)',
        label: 'Cumulative share',
        'x-i18n': { 'zh-CN': { label: '累计占比' } },
      },
    ]);
    expect(doc.reports.won_by_owner.roles).toEqual(['sales_manager']);

    // In Chinese it reads back; removing the column leaves the report without it.
    await toChinese(page);
    await page.goto('/designer/reports/won_by_owner/build');
    expect(await page.getByLabel('派生列 1：中文标签').inputValue()).toBe('累计占比');
    expect(await page.locator('.f-rb__roles').getByLabel('销售经理').isChecked()).toBe(true);
    await expect
      .poll(() => page.locator('.f-rb__preview thead th').allTextContents(), { timeout: 30_000 })
      .toContain('累计占比');
    await screenshot(page, 'designer-report-builder-derived-zh-cn', { fullPage: true });
    await page.getByRole('button', { name: '删除派生列 1' }).click();
    await expect
      .poll(() => page.locator('.f-rb__preview thead th').allTextContents(), { timeout: 30_000 })
      .not.toContain('累计占比');
    expect(errors).toEqual([]);
  });

  it('refuses a blank name and fits a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/designer/reports/won_by_month/build');
    const name = page.getByLabel('Name in English');
    await name.waitFor();
    await name.fill('');
    await page.getByText('Give the report a name.').waitFor();
    await page.getByRole('button', { name: 'Publish…' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await name.fill('Won amount by month');
    await page.locator('.f-rb__preview .recharts-surface').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'designer-report-builder-phone', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
