import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * Quote lines that help (issue 21): picking a product fills the unit price from the quote's price
 * list (else the product), and line amounts and the quote's totals follow the typing before saving,
 * equal to what the server stores. In English and Chinese, on a laptop and a phone.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2elines',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm' },
  });
  await createRecord(app.tenant, 'account', { name: 'Acme Trading' });
  const widget = await createRecord(app.tenant, 'product', { name: 'Widget Pro', code: 'WP-1', list_price: 100 });
  await createRecord(app.tenant, 'product', { name: 'Gizmo Max', code: 'GM-1', list_price: 40 });
  const list = await createRecord(app.tenant, 'price_list', { name: 'Partner prices' });
  await createRecord(app.tenant, 'price_list_entry', { price_list: list.id, product: widget.id, price: 80 });
});
afterAll(async () => {
  await app?.close();
});

async function signInAs(page: Page, lang: 'en' | 'zh-CN') {
  await signIn(page, app.admin);
  if (lang === 'en') return;
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

async function pick(page: Page, id: string, text: string, option: RegExp) {
  await page.locator(`#${id}`).fill(text);
  await page.getByRole('option', { name: option }).click();
}

const TX = {
  en: {
    add: 'Add line',
    create: 'Create',
    hint: 'Amounts and totals follow your typing',
    exportLines: 'Export lines',
    csv: 'CSV file',
    // The admin exports: cost and margin (hidden from sales reps) are columns too.
    header: 'Product,Product (id),Description,Quantity,Unit price,Line discount,Amount,Unit cost,Cost,Margin',
  },
  'zh-CN': {
    add: '添加明细',
    create: '创建',
    hint: '金额与合计随输入实时更新',
    exportLines: '导出明细',
    csv: 'CSV 文件',
    header: '产品,产品 (id),描述,数量,单价,行折扣,金额,单位成本,成本,毛利',
  },
} as const;

describe('quote lines in the browser', { timeout: 300_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    for (const viewport of lang === 'en' ? [VIEWPORTS.laptop, VIEWPORTS.phone] : [VIEWPORTS.laptop]) {
      const tag = `${lang === 'en' ? 'en' : 'zh-cn'}${viewport === VIEWPORTS.phone ? '-phone' : ''}`;
      it(`prices a line from the price list and totals it live (${tag})`, async () => {
        const tx = TX[lang];
        const { page, errors } = await app.newPage({ viewport });
        await signInAs(page, lang);
        await page.goto('/o/quote/new');
        await page.locator('#root_name').fill(`Rollout ${tag}`);
        await pick(page, 'root_account', 'Acme', /Acme Trading/);
        await pick(page, 'root_price_list', 'Partner', /Partner prices/);
        await page.getByText(tx.hint).waitFor();

        // Line 1: on the price list (80); line 2: not on it, so the product's list price (40).
        await page.getByRole('button', { name: tx.add }).click();
        await pick(page, 'root_lines_0_product', 'Widget', /Widget Pro/);
        await expect.poll(() => page.locator('#root_lines_0_unit_price').inputValue()).toBe('80');
        await page.locator('#root_lines_0_quantity').fill('3');
        await page.getByRole('button', { name: tx.add }).click();
        await pick(page, 'root_lines_1_product', 'Gizmo', /Gizmo Max/);
        await expect.poll(() => page.locator('#root_lines_1_unit_price').inputValue()).toBe('40');
        await page.locator('#root_lines_1_discount').fill('50');

        // Before saving: 3 × 80 + 1 × 40 × 50% = 260; tax 13% → 293.80.
        const amount = (i: number) => page.locator(`#root_lines_${i}_amount`).textContent();
        await expect.poll(() => amount(0)).toMatch(/240\.00/);
        await expect.poll(() => amount(1)).toMatch(/20\.00/);
        await expect.poll(() => page.locator('#root_subtotal').inputValue()).toMatch(/^260\.00$/);
        await expect.poll(() => page.locator('#root_total').inputValue()).toMatch(/^293\.80$/);
        // A typed price wins over the list's, and the totals follow it.
        await page.locator('#root_lines_0_unit_price').fill('70');
        await expect.poll(() => page.locator('#root_subtotal').inputValue()).toMatch(/^230\.00$/);
        await screenshot(page, `quote-lines-live-${tag}`, { fullPage: true });

        await page.getByRole('button', { name: tx.create, exact: true }).click();
        await page.waitForURL(/\/o\/quote\/[0-9a-f-]{36}/);
        const id = /\/o\/quote\/([0-9a-f-]{36})/.exec(page.url())![1];
        const saved = (await app.tenant.api.get(`/api/records/quote/${id}`)).body;
        // What the form showed is what the server stored.
        expect(saved).toMatchObject({ subtotal: 230, total: 259.9 });
        expect(saved.lines.map((l: { unit_price: number; amount: number }) => [l.unit_price, l.amount])).toEqual([
          [70, 210],
          [40, 20],
        ]);
        expect(errors).toEqual([]);

        if (viewport !== VIEWPORTS.laptop) return;
        // The saved quote's lines download as a file for people: labels and product names.
        await page.goto(`/o/quote/${id}`);
        await page.getByRole('button', { name: tx.exportLines }).click();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('menuitem', { name: tx.csv }).click(),
        ]);
        expect(download.suggestedFilename()).toBe(`${saved.number}-lines.csv`);
        const file = await download.createReadStream();
        const chunks: Buffer[] = [];
        for await (const c of file) chunks.push(c as Buffer);
        const [header, first, second] = Buffer.concat(chunks).toString('utf8').split('\n');
        expect(header).toBe(tx.header);
        expect(first?.startsWith('Widget Pro,')).toBe(true);
        expect(first).toContain(',3,70,0,210');
        expect(second?.startsWith('Gizmo Max,')).toBe(true);
        await screenshot(page, `quote-lines-export-${tag}`);
      });
    }
  }
});
