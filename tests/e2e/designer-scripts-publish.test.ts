/**
 * The script editor publishes through the plan like every designer screen (issue 22): edits stay a
 * draft (leaving asks first), "Publish…" shows the plan in business words, and only applying makes
 * the script live, as a record save then shows. A script that does not compile is refused: the
 * problem is marked at its line and the draft is kept. In English and in Chinese (on a phone).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, DEAL, type E2eApp, putMeta, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

let app: E2eApp;

const rule = (limit: number) =>
  `if (record.discount > ${limit}) {\n  error('discount', 'Discounts above ${limit}% need a manager');\n}\n`;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2escrpub' });
  await putMeta(app.tenant, '/api/meta/objects/account', ACCOUNT);
  await putMeta(app.tenant, '/api/meta/objects/deal', DEAL);
  await putMeta(app.tenant, '/api/meta/scripts/check_discount', {
    object: 'deal',
    event: 'validate',
    label: 'Check discount',
    code: rule(20),
  });
});
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

const liveCode = async () => (await app.tenant.api.get('/api/meta')).body.scripts.check_discount.code as string;

async function replaceCode(page: Page, code: string) {
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(code);
}

/** A new deal saved in the browser with this discount; the discount field's error, if any, is awaited by the caller. */
async function createDeal(page: Page, name: string, discount: number, create: string) {
  await page.goto('/o/deal/new');
  await page.locator('#root_name').fill(name);
  await page.locator('#root_amount').fill('1000');
  await page.locator('#root_discount').fill(String(discount));
  await page.getByRole('button', { name: create, exact: true }).click();
}

const discountGroup = (page: Page) =>
  page.locator('#root_discount').locator('xpath=ancestor::*[contains(@class,"form-group")][1]');

describe('script editor publishes through the plan', { timeout: 240_000 }, () => {
  it('keeps an edit as a draft, publishes it through the plan, and a record save shows it live', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/designer/scripts');
    await page.getByRole('heading', { name: 'Scripts', level: 1 }).waitFor();
    // The list names the object by its label.
    await page
      .getByRole('button', { name: /Check discount/ })
      .getByText('Deal · Validate')
      .waitFor();
    await page.getByRole('button', { name: /Check discount/ }).click();
    await page.locator('.cm-content').getByText('Discounts above 20%').waitFor();
    await page.getByText('All changes published').waitFor();

    await replaceCode(page, rule(10));
    await page.getByText('1 script changed, not published yet').waitFor();
    await page.getByText('Not published', { exact: true }).waitFor();
    // A draft is not live: the saved script still runs; a test run runs the draft.
    expect(await liveCode()).toContain('> 20)');
    await page
      .getByRole('textbox', { name: 'Sample record (JSON)' })
      .fill('{"name": "Try", "amount": 10, "discount": 12}');
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.getByTestId('script-test-result').getByText('Discounts above 10% need a manager').waitFor();

    // Leaving with a draft asks first; staying keeps every character.
    await page.getByRole('link', { name: 'Back to the designer' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without publishing?' });
    await leave.waitFor();
    await leave.getByRole('button', { name: 'Keep editing' }).click();
    await leave.waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe('/designer/scripts');
    await page.locator('.cm-content').getByText('Discounts above 10%').waitFor();

    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish script changes' });
    await dialog.getByText('Script Check discount: code changed; runs on validate of Deal', { exact: true }).waitFor();
    await screenshot(page, 'designer-scripts-publish-plan', { fullPage: false });
    expect(await liveCode()).toContain('> 20)');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/^Published as version \d+$/).waitFor();
    await page.getByText('All changes published').waitFor();
    expect(await liveCode()).toContain('> 10)');

    // Live: a deal with 12% is now refused on save, with the script's message under the field.
    await createDeal(page, 'Twelve percent', 12, 'Create');
    await discountGroup(page).getByText('Discounts above 10% need a manager').waitFor();
    await screenshot(page, 'designer-scripts-live-record');
    expect(errors).toEqual([]);
  });

  it('refuses a broken script: the problem at its line, the draft kept, the live script unchanged', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/designer/scripts');
    await page.getByRole('button', { name: /Check discount/ }).click();
    const before = await liveCode();
    await replaceCode(
      page,
      "log('checking');\nlog('still fine');\nif (record.discount > 5 {\n  error('discount', 'No');\n}\n",
    );
    await page.getByRole('button', { name: 'Publish…' }).click();
    const problems = page.getByTestId('script-problems');
    await problems.getByText('1 problem: fix it and publish again').waitFor();
    await problems.getByRole('button', { name: /^Line 3, column \d+$/ }).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('.cm-lint-marker-error').first().waitFor();
    await page.locator('.cm-lintRange-error').first().waitFor();
    // The draft is kept as typed, still marked unpublished, and nothing went live.
    await page.locator('.cm-content').getByText("log('still fine');").waitFor();
    await page.getByText('Not published', { exact: true }).waitFor();
    expect(await liveCode()).toBe(before);
    await screenshot(page, 'designer-scripts-refused');

    // Discarding the draft brings the published script back.
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.locator('.cm-content').getByText('Discounts above 10%').waitFor();
    await expect.poll(() => problems.count()).toBe(0);
    await page.getByText('All changes published').waitFor();
    expect(errors).toEqual([]);
  });

  it('works in Chinese on a phone: the plan in Chinese, live on save, a refusal at its line', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.goto('/designer/scripts');
    await page.getByRole('heading', { name: '脚本', level: 1 }).waitFor();
    await page
      .getByRole('button', { name: /Check discount/ })
      .getByText('商机 · 校验')
      .waitFor();
    await page.getByRole('button', { name: /Check discount/ }).click();
    await replaceCode(page, rule(5));
    await page.getByText('1 个脚本已更改，尚未发布').waitFor();
    await page.getByRole('button', { name: '发布…' }).click();
    const dialog = page.getByRole('dialog', { name: '发布脚本更改' });
    await dialog.getByText('脚本“Check discount”：代码已更改；在商机校验时运行', { exact: true }).waitFor();
    await screenshot(page, 'designer-scripts-publish-plan-zh-phone', { fullPage: false });
    await dialog.getByRole('button', { name: '发布', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/^已发布为版本 \d+$/).waitFor();
    expect(await liveCode()).toContain('> 5)');

    await createDeal(page, '六个点', 6, '创建');
    await discountGroup(page).getByText('Discounts above 5% need a manager').waitFor();

    await page.goto('/designer/scripts');
    await page.getByRole('button', { name: /Check discount/ }).click();
    await replaceCode(page, "if (record.discount > 5 {\n  error('discount', '不行');\n}\n");
    await page.getByRole('button', { name: '发布…' }).click();
    const problems = page.getByTestId('script-problems');
    await problems.getByText('1 个问题：修正后请重新发布').waitFor();
    await problems.getByRole('button', { name: /^第 1 行，第 \d+ 列$/ }).waitFor();
    await page.locator('.cm-lint-marker-error').first().waitFor();
    await page.locator('.cm-content').getByText("error('discount', '不行');").waitFor();
    await page.getByText('未发布', { exact: true }).waitFor();
    expect(await liveCode()).toContain('> 5)');
    await screenshot(page, 'designer-scripts-refused-zh-phone');
    expect(errors).toEqual([]);
  });
});
