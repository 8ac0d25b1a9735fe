import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Roll-up and formula editors in the object designer (issue 22): an admin adds to Account a roll-up
 * of its deals (sum of Amount, only deals not lost, with the shared condition builder) and a formula
 * written with the field picker, both checked by the server as they are edited, and publishes them
 * through the plan; the roll-up editor in Chinese.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2erollup',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
});
afterAll(async () => {
  await app?.close();
});

const dialog = (page: Page) => page.getByRole('dialog');

async function addField(page: Page, kind: string, label: string) {
  await page.getByRole('button', { name: 'Add field' }).click();
  const d: Locator = dialog(page);
  await d.locator('label.f-od-kind', { hasText: new RegExp(`^${kind}$`) }).click();
  await d.getByRole('textbox', { name: 'Label' }).fill(label);
  await d.getByRole('button', { name: 'Add field' }).click();
  await d.waitFor({ state: 'detached' });
}

describe('roll-up and formula editors', { timeout: 400_000 }, () => {
  it('build a roll-up and a formula, checked live, published through the plan', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/objects/account');
    await page.getByRole('button', { name: 'Add field' }).waitFor();

    await addField(page, 'Roll-up', 'Open pipeline');
    await page.getByLabel('Related records').selectOption({ label: 'Deal' });
    await page.getByLabel('Aggregate').selectOption({ label: 'Sum' });
    // Only number fields can be summed.
    const fields = await page.getByLabel('Field of the related records').locator('option').allTextContents();
    expect(fields).toContain('Amount');
    expect(fields).not.toContain('Stage');
    await page.getByLabel('Field of the related records').selectOption({ label: 'Amount' });
    const where = page.getByRole('group', { name: 'Only related records where' });
    await where.getByRole('button', { name: 'Add condition' }).click();
    await where.getByLabel('Field').selectOption({ label: 'Stage' });
    await where.getByLabel('Comparison').selectOption({ label: 'is not' });
    await where.getByLabel('Value').selectOption({ label: 'Lost' });
    await page.getByText('The roll-up is valid.').waitFor({ timeout: 30_000 });
    await screenshot(page, 'designer-rollup-editor', { fullPage: true });

    await addField(page, 'Formula', 'Revenue in thousands');
    await page.getByLabel('Insert a field').selectOption({ label: 'Annual revenue (record.annual_revenue)' });
    const formula = page.getByRole('textbox', { name: 'Formula' });
    await expect.poll(() => formula.inputValue()).toBe('record.annual_revenue');
    // Checked as it is typed: an unknown field is refused at the field without pressing anything.
    await formula.fill('record.annual_revenu / 1000');
    await page
      .getByText(/annual_revenu\b/)
      .first()
      .waitFor({ timeout: 30_000 });
    await formula.fill('record.annual_revenue / 1000');
    await page.getByText('The formula is valid.').waitFor({ timeout: 30_000 });
    // The function list: a call wraps the selection, an operator goes at the cursor, and typing
    // carries on where the cursor was left.
    const functions = page.getByLabel('Insert a function or operator');
    expect(await functions.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['today() — today’s date', 'days_between(a, b) — days from a to b', '>= — at least']),
    );
    await formula.selectText();
    await functions.selectOption({ label: 'Math.round(x) — round to a whole number' });
    await expect.poll(() => formula.inputValue()).toBe('Math.round(record.annual_revenue / 1000)');
    await functions.selectOption({ label: '+ — plus' });
    await expect.poll(() => formula.inputValue()).toBe('Math.round(record.annual_revenue / 1000) + ');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('1');
    await expect.poll(() => formula.inputValue()).toBe('Math.round(record.annual_revenue / 1000) + 1');
    await page.getByText('The formula is valid.').waitFor({ timeout: 30_000 });
    await screenshot(page, 'designer-formula-editor', { fullPage: true });

    await page.getByRole('button', { name: 'Publish…' }).click();
    const d = dialog(page);
    await d
      .getByText(/Open pipeline/)
      .first()
      .waitFor();
    await d.getByRole('button', { name: 'Publish', exact: true }).click();
    await d.waitFor({ state: 'detached' });

    const account = (await app.tenant.api.get('/api/meta')).body.objects.account;
    expect(account.properties.open_pipeline).toMatchObject({
      title: 'Open pipeline',
      type: 'number',
      'x-rollup': { object: 'deal', via: 'account', op: 'sum', field: 'amount', filter: { stage: { ne: 'lost' } } },
    });
    expect(account.properties.revenue_in_thousands).toMatchObject({
      title: 'Revenue in thousands',
      'x-formula': 'Math.round(record.annual_revenue / 1000) + 1',
    });
    // The roll-up is kept current by the server: a new deal on an account counts, a lost one does not.
    const created = await app.tenant.api.post('/api/records/account', {
      name: 'Rollup Test Ltd',
      annual_revenue: 250000,
    });
    expect(created.status, created.text).toBe(201);
    expect(Number(created.body.revenue_in_thousands)).toBe(251);
    for (const [amount, stage] of [
      [1000, 'proposal'],
      [500, 'lost'],
    ] as const) {
      const r = await app.tenant.api.post('/api/records/deal', {
        name: `Deal ${stage}`,
        account: created.body.id,
        amount,
        stage,
        lost_reason: 'price',
      });
      expect(r.status, r.text).toBe(201);
    }
    const after = await app.tenant.api.get(`/api/records/account/${created.body.id}`);
    expect(Number(after.body.open_pipeline)).toBe(1000);
    expect(errors).toEqual([]);
  });

  it('the roll-up editor in Chinese', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/objects/account');
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('button', { name: /^Open pipeline/ }).click();
    expect(await page.getByLabel('相关记录', { exact: true }).locator('option:checked').textContent()).toBe('商机');
    expect(await page.getByLabel('汇总方式').locator('option:checked').textContent()).toBe('合计');
    await page.getByText('汇总字段有效。').waitFor({ timeout: 30_000 });
    await screenshot(page, 'designer-rollup-editor-zh-cn', { fullPage: true });
    // The formula editor's function list in Chinese.
    await page.getByRole('button', { name: /^Revenue in thousands/ }).click();
    expect(await page.getByLabel('插入函数或运算符').locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['today() — 今天的日期', 'a ? b : c — 如果 a 则 b，否则 c']),
    );
    await screenshot(page, 'designer-formula-editor-zh-cn', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
