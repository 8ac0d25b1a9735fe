import { readFile } from 'node:fs/promises';
import { PDFParse } from 'pdf-parse';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxOf, docxParagraph } from '../support/docx';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * Issue 22, print and Word templates: an admin builds a print template with the field picker
 * (a line's product by name), is refused at the field (empty name, unknown placeholder), previews
 * it against a record chosen by name, publishes it; a user prints it from the record (a PDF with
 * the names) and sends a mail merge from a list selection after a confirmation naming who has no
 * address. In English and Chinese at 1440×900; the record's Print menu on a phone.
 */
let app: E2eApp;
let orderId: string;
const DESKTOP = { width: 1440, height: 900 };

const zh = (title: string) => ({ 'x-i18n': { 'zh-CN': { title } } });
const objects = {
  product: {
    title: 'Product',
    ...zh('产品'),
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', title: 'Name', ...zh('名称'), maxLength: 100 },
      sku: { type: 'string', title: 'SKU', ...zh('编码'), maxLength: 40 },
    },
    required: ['name'],
  },
  customer: {
    title: 'Customer',
    ...zh('客户'),
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', title: 'Name', ...zh('名称'), maxLength: 100 },
      email: { type: 'string', format: 'email', title: 'E-mail', ...zh('邮箱') },
      city: { type: 'string', title: 'City', ...zh('城市'), maxLength: 100 },
    },
    required: ['name'],
  },
  order: {
    title: 'Order',
    ...zh('订单'),
    type: 'object',
    'x-label-field': 'title',
    properties: {
      title: { type: 'string', title: 'Title', ...zh('标题'), maxLength: 100 },
      number: { type: 'string', 'x-autonumber': 'SO-{0000}', title: 'Number', ...zh('编号') },
      customer: { type: 'string', format: 'uuid', 'x-ref': 'customer', title: 'Customer', ...zh('客户') },
      lines: {
        type: 'array',
        'x-children': { object: 'order_line', field: 'order' },
        title: 'Lines',
        ...zh('明细'),
      },
    },
    required: ['title'],
  },
  order_line: {
    title: 'Order line',
    ...zh('订单明细'),
    type: 'object',
    properties: {
      order: { type: 'string', format: 'uuid', 'x-ref': 'order', title: 'Order', ...zh('订单') },
      product: { type: 'string', format: 'uuid', 'x-ref': 'product', title: 'Product', ...zh('产品') },
      qty: { type: 'integer', title: 'Qty', ...zh('数量') },
    },
    required: ['order'],
  },
};

async function pdfTextOf(download: Download): Promise<string> {
  const file = await download.path();
  const data = await readFile(file);
  expect(data.subarray(0, 4).toString()).toBe('%PDF');
  const parser = new PDFParse({ data });
  const text = (await parser.getText()).text;
  await parser.destroy();
  return text.replace(/\s+/g, ' ');
}

async function toChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eprint' });
  const api = app.tenant.api;
  const r = await api.post('/api/meta/apply', { objects });
  expect(r.status, r.text).toBe(200);
  const widget = await api.post('/api/records/product', { name: 'Widget 小部件', sku: 'W-1' });
  const acme = await api.post('/api/records/customer', { name: 'Acme 公司', email: 'buyer@acme.test', city: '上海' });
  await api.post('/api/records/customer', { name: 'Nomail Ltd', city: 'Paris' });
  const order = await api.post('/api/records/order', {
    title: 'First order',
    customer: acme.body.id,
    lines: [{ product: widget.body.id, qty: 3 }],
  });
  expect(order.status, order.text).toBe(201);
  orderId = order.body.id;
  const letter = await api.put('/api/print-templates/customer/welcome', {
    label: 'Welcome letter',
    html: '<h1>Welcome {{name}}</h1><p>{{city}}</p>',
  });
  expect(letter.status, letter.text).toBe(200);
  const word = await fetch(new URL('/api/print-templates/order/order_docx/docx?label=Order%20letter', api.baseUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(docxOf(docxParagraph('Order {number}: {#lines}{product} x {qty}{/lines}'))),
  });
  expect(word.status, await word.text()).toBe(200);
}, 300_000);
afterAll(async () => {
  await app?.close();
});

describe('print templates', { timeout: 300_000 }, () => {
  it('are built with the field picker, refused at the field, previewed, published and printed (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);
    await page.goto('/designer');
    await page.getByRole('link', { name: 'Print and Word templates', exact: true }).click();
    await page.getByLabel('Object').selectOption('order');
    await page.getByRole('row', { name: /Order letter/ }).waitFor();

    // An empty name is refused at the field; nothing opens.
    await page.getByRole('button', { name: 'New print template' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('Enter an API name').waitFor();
    await dialog.getByText('Required').waitFor();
    await screenshot(page, 'print-templates-new-refused', { fullPage: false });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Order confirmation');
    expect(await dialog.getByRole('textbox', { name: 'API name' }).inputValue()).toBe('order_confirmation');
    await dialog.getByRole('button', { name: 'Create' }).click();

    // The body is written with the field picker: the number, the customer's city, a loop of lines.
    const body = page.getByRole('textbox', { name: 'Body (HTML)' });
    await body.fill('<h1>Order ');
    await body.press('End');
    const picker = page.getByRole('complementary', { name: 'Fields' });
    await picker.getByRole('button', { name: /^Number/ }).click();
    await expect.poll(() => body.inputValue()).toBe('<h1>Order {{number}}');
    await body.press('End');
    await body.pressSequentially('</h1>\n<p>');
    await picker.locator('summary', { hasText: 'Customer' }).click();
    await picker.getByRole('button', { name: /^City\s*\{\{customer\.city\}\}/ }).click();
    await body.pressSequentially('</p>\n');
    await picker.getByText('Lines (line items)').click();
    await picker.getByRole('button', { name: /^Lines/ }).click();
    await picker.getByRole('button', { name: /^Product · Name/ }).click();
    await body.pressSequentially(' x ');
    await picker.getByRole('button', { name: /^Qty/ }).click();
    expect(await body.inputValue()).toBe(
      '<h1>Order {{number}}</h1>\n<p>{{customer.city}}</p>\n{{#each lines}}\n{{product.name}} x {{qty}}\n{{/each}}',
    );

    // A placeholder naming no field is refused by the server at its field.
    const footer = page.getByRole('textbox', { name: 'Footer' });
    await footer.fill('Page {{page}} of {{pages}} {{nope}}');
    await page.getByLabel('Size').selectOption('A5');
    await page.getByRole('button', { name: 'Publish…' }).click();
    const review = page.getByRole('dialog');
    await review.getByText('Body changed').waitFor();
    await review.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('Unknown fields: {{nope}}. Pick fields from the list.').waitFor();
    expect(await footer.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'print-templates-refused-placeholder', { fullPage: true });
    await footer.fill('Page {{page}} of {{pages}}');

    // Preview against a record chosen by its name.
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('textbox', { name: 'Record' }).fill('First');
    await preview.getByRole('button', { name: 'First order' }).click();
    await preview.getByRole('button', { name: 'Preview with “First order”' }).click();
    const frame = page.frameLocator('iframe[title="Preview"]');
    await frame.getByText('Order SO-0001').waitFor();
    await frame.getByText('Widget 小部件 x 3').waitFor();
    await frame.getByText('上海').waitFor();
    // The preview follows the draft as it is typed.
    await page.getByRole('textbox', { name: 'Header' }).fill('Forma Ltd');
    await body.press('End');
    await body.pressSequentially('\n<p>Thank you</p>');
    await frame.getByText('Thank you').waitFor();
    await page.locator('iframe[title="Preview"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'print-templates-editor-preview', { fullPage: false });

    await page.getByRole('button', { name: 'Publish…' }).click();
    await review.getByText('Paper size, orientation or margins changed').waitFor();
    await screenshot(page, 'print-templates-publish-review', { fullPage: false });
    await review.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('“Order confirmation” is published').first().waitFor();
    const stored = await app.tenant.api.get('/api/print-templates/order/order_confirmation');
    expect(stored.status).toBe(200);
    expect(stored.body.footer).toBe('Page {{page}} of {{pages}}');
    expect(stored.body.page.size).toBe('A5');

    // Printed from the record: a PDF named after the template and the record, with names.
    await page.goto(`/o/order/${orderId}`);
    await page.getByRole('button', { name: 'Print' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Print: Order confirmation (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Order confirmation First order.pdf');
    const text = await pdfTextOf(download);
    expect(text).toContain('Order SO-0001');
    expect(text).toContain('Widget 小部件 x 3');
    expect(text).toContain('Page 1 of 1');
    expect(errors).toEqual([]);
  });

  it('lists the tags of an uploaded Word file and flags those naming no field (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);
    await page.goto('/designer/documents?object=customer');
    await page.getByRole('button', { name: 'Upload Word template' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upload Word template' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Customer card');
    const file = dialog.getByLabel('Word file (.docx)');
    const docx = (body: string) => ({
      name: 'card.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: docxOf(docxParagraph(body)),
    });
    await file.setInputFiles(docx('Dear {name}, {cty}'));
    const tags = dialog.getByRole('region', { name: 'Tags in the file' });
    await tags.getByText('1 tag names no field: cty. Correct it in Word and upload again.').waitFor();
    await tags.getByRole('listitem').filter({ hasText: '{cty}' }).getByText('unknown field').waitFor();
    expect(await dialog.getByRole('button', { name: 'Save Word template' }).isDisabled()).toBe(true);
    await screenshot(page, 'print-templates-word-unknown', { fullPage: false });
    await file.setInputFiles(docx('Dear {name}, {city}'));
    await tags.getByRole('listitem').filter({ hasText: '{city}' }).waitFor();
    await dialog.getByRole('button', { name: 'Save Word template' }).click();
    await page
      .getByRole('row', { name: /Customer card/ })
      .getByText('Word')
      .waitFor();
    const stored = await app.tenant.api.get('/api/print-templates/customer/customer_card');
    expect(stored.body.kind).toBe('docx');
    expect(errors).toEqual([]);
  });

  it('sends a mail merge from a list selection after a confirmation (English)', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);
    await page.goto('/o/customer');
    await page.getByRole('checkbox', { name: 'Select Acme 公司' }).check();
    await page.getByRole('checkbox', { name: 'Select Nomail Ltd' }).check();
    await page.getByRole('button', { name: 'Mail merge', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Mail merge' });
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Hello {{nope}}');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText(/unknown field/).waitFor();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Hello {{name}}');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText('To: buyer@acme.test · Subject: Hello Acme 公司').waitFor();
    await screenshot(page, 'print-templates-merge-preview', { fullPage: false });
    await dialog.getByRole('button', { name: 'Send…' }).click();
    await dialog.getByText('1 of 2 records will get an e-mail.').waitFor();
    await dialog.getByText('1 record has no e-mail address and is skipped:').waitFor();
    await dialog.getByRole('listitem').filter({ hasText: 'Nomail Ltd' }).waitFor();
    await screenshot(page, 'print-templates-merge-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Send 1 e-mail' }).click();
    await dialog.getByText('1 e-mail queued for sending.').waitFor();
    await dialog.getByText('1 record skipped (no address):').waitFor();
    await screenshot(page, 'print-templates-merge-done', { fullPage: false });
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    // The whole list (its view and filters) goes through the same confirmation.
    await page.getByRole('button', { name: 'Mail merge this list' }).click();
    await dialog.getByRole('button', { name: 'Send…' }).click();
    await dialog.getByText('1 of 2 records will get an e-mail.').waitFor();
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(errors).toEqual([]);
  });

  it('works in Chinese: refusals, the field picker, preview and the record menu', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);
    await toChinese(page);
    await page.goto('/designer/documents?object=order');
    await page.getByRole('button', { name: '新建打印模板' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'API 名称' }).fill('Bad Name');
    await dialog.getByRole('button', { name: '创建' }).click();
    await dialog.getByText('以字母开头，只能使用小写字母、数字和 _').waitFor();
    await screenshot(page, 'print-templates-new-refused-zh-cn', { fullPage: false });
    await dialog.getByRole('button', { name: '取消' }).click();

    await page.getByRole('link', { name: 'Order confirmation' }).click();
    const picker = page.getByRole('complementary', { name: '字段' });
    await picker.getByText('明细（明细）').click();
    await picker.getByRole('button', { name: /^产品 · 名称/ }).waitFor();
    const preview = page.getByRole('region', { name: '预览' });
    await preview.getByRole('button', { name: 'First order' }).click();
    await preview.getByRole('button', { name: '用“First order”预览' }).click();
    await page.frameLocator('iframe[title="预览"]').getByText('Widget 小部件 x 3').waitFor();
    await screenshot(page, 'print-templates-editor-zh-cn', { fullPage: true });

    await page.goto(`/o/order/${orderId}`);
    await page.getByRole('button', { name: '打印' }).click();
    await page.getByRole('menuitem', { name: 'Word：Order letter（.docx）' }).waitFor();
    await screenshot(page, 'print-templates-record-menu-zh-cn', { fullPage: false });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: '打印：Order confirmation（PDF）' }).click(),
    ]);
    expect(await pdfTextOf(download)).toContain('Order SO-0001');
    expect(errors).toEqual([]);
  });

  it("offers the record's Print menu on a phone", async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto(`/o/order/${orderId}`);
    await page.getByRole('button', { name: 'Print' }).click();
    await screenshot(page, 'print-templates-record-menu-phone', { fullPage: false });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Word: Order letter (.docx)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Order letter First order.docx');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // A customer (an object with an e-mail field) is sent its letter from its own page.
    const acme = await app.tenant.api.get('/api/records/customer', { query: { q: 'Acme' } });
    await page.goto(`/o/customer/${acme.body.items[0].id}`);
    await page.getByRole('button', { name: 'Print' }).click();
    await page.getByRole('menuitem', { name: 'Send by e-mail…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mail merge' });
    await dialog.getByRole('button', { name: 'Send…' }).click();
    await dialog.getByText('1 of 1 records will get an e-mail.').waitFor();
    await screenshot(page, 'print-templates-send-confirm-phone', { fullPage: false });
    await dialog.getByRole('button', { name: 'Send 1 e-mail' }).click();
    await dialog.getByText('1 e-mail queued for sending.').waitFor();
    expect(errors).toEqual([]);
  });
});
