import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngOf } from '../support/png';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Issue 22, logo upload: an admin uploads the company logo in the print template editor (a file
 * that is not an image is refused where it was chosen), inserts it into the body, sees it in the
 * preview, publishes, and the printed PDF draws it. In Chinese on a phone: the logo is replaced.
 */
let app: E2eApp;
let customerId: string;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const objects = {
  customer: {
    title: 'Customer',
    'x-i18n': { 'zh-CN': { title: '客户' } },
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', title: 'Name', maxLength: 100 } },
    required: ['name'],
  },
};

async function toChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
}

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2elogo' });
  const api = app.tenant.api;
  expect((await api.post('/api/meta/apply', { objects })).status).toBe(200);
  customerId = (await api.post('/api/records/customer', { name: 'Acme 公司' })).body.id;
  const letter = await api.put('/api/print-templates/customer/welcome', {
    label: 'Welcome letter',
    html: '<h1>Welcome {{name}}</h1>',
  });
  expect(letter.status, letter.text).toBe(200);
}, 300_000);
afterAll(async () => {
  await app?.close();
});

describe('company logo on print templates', { timeout: 300_000 }, () => {
  it('is uploaded, refused when not an image, inserted, previewed, published and printed (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);
    await page.goto('/designer/documents/customer/welcome');
    const logo = page.getByRole('region', { name: 'Company logo' });
    await logo.getByText('No logo yet').waitFor();
    expect(await logo.getByRole('button', { name: 'Insert logo' }).count()).toBe(0);

    // A file that is not an image is refused in the logo box; nothing is stored.
    const file = logo.getByLabel('Logo file');
    await file.setInputFiles({ name: 'logo.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a....') });
    await logo
      .getByRole('alert')
      .getByText(/cannot be used as a logo/)
      .waitFor();
    expect((await app.tenant.api.get('/api/document-images')).body.items).toEqual([]);

    await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: pngOf(120, 40, [20, 90, 200]) });
    const img = logo.getByRole('img', { name: 'The company logo' });
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(120);
    expect(await logo.getByRole('alert').count()).toBe(0);

    // Inserted at the top of the body, even while the footer had the focus.
    const body = page.getByRole('textbox', { name: 'Body (HTML)' });
    await page.getByRole('textbox', { name: 'Footer' }).focus();
    await body.evaluate((el) => (el as HTMLTextAreaElement).setSelectionRange(0, 0));
    await logo.getByRole('button', { name: 'Insert logo' }).click();
    await expect
      .poll(() => body.inputValue())
      .toBe('<img src="image:logo" width="160" align="right"><h1>Welcome {{name}}</h1>');
    expect(await page.getByRole('textbox', { name: 'Footer' }).inputValue()).toBe('');

    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('textbox', { name: 'Record' }).fill('Acme');
    await preview.getByRole('button', { name: 'Acme 公司' }).click();
    await preview.getByRole('button', { name: 'Preview with “Acme 公司”' }).click();
    const frame = page.frameLocator('iframe[title="Preview"]');
    await frame.getByText('Welcome Acme 公司').waitFor();
    const framed = frame.locator('img');
    await expect.poll(() => framed.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(120);
    expect(await framed.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.locator('iframe[title="Preview"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'print-logo-editor', { fullPage: false });

    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('“Welcome letter” is published').first().waitFor();

    await page.goto(`/o/customer/${customerId}`);
    await page.getByRole('button', { name: 'Print' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Print: Welcome letter (PDF)' }).click(),
    ]);
    const pdf = (await readFile(await download.path())).toString('latin1');
    expect(pdf.match(/\/Subtype \/Image/g)?.length).toBe(1);
    expect(pdf).toMatch(/\/Width 120/);
    expect(errors).toEqual([]);
  });

  it('is replaced and its removal confirmed, in Chinese on a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: PHONE });
    await signIn(page, app.admin);
    await toChinese(page);
    await page.goto('/designer/documents/customer/welcome');
    const logo = page.getByRole('region', { name: '公司标志' });
    await logo.getByRole('img', { name: '公司标志' }).waitFor();
    await logo.getByLabel('标志文件').setInputFiles({
      name: 'new.png',
      mimeType: 'image/png',
      buffer: pngOf(60, 60, [200, 40, 40]),
    });
    const img = logo.getByRole('img', { name: '公司标志' });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(60);
    await logo.scrollIntoViewIfNeeded();
    await screenshot(page, 'print-logo-phone-zh', { fullPage: false });
    const box = await logo.getByRole('button', { name: '更换标志' }).boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE.width);

    await logo.getByRole('button', { name: '删除标志' }).click();
    const confirm = page.getByRole('dialog', { name: '删除公司标志？' });
    await confirm.getByText('使用标志的模板将不再打印标志').waitFor();
    await confirm.getByRole('button', { name: '删除标志' }).click();
    await logo.getByText('还没有标志').waitFor();
    expect((await app.tenant.api.get('/api/document-images')).body.items).toEqual([]);
    expect(errors).toEqual([]);
  });
});
