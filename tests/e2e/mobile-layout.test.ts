import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * Issue 26, the phone layout (docs/mobile.md), in a demo-like core-crm tenant at 390×844: lists as
 * cards with the view's card fields and a status chip, filters and views in a bottom sheet, the
 * admin actions in a "more" menu, the record page in one column with a sticky action bar, quote
 * lines as stacked cards, every touch target at least 44 px; English and Chinese. The desktop keeps
 * its table and toolbar.
 */
type Row = Record<string, unknown> & { id: string };

let app: E2eApp;
let deal: Row;
let account: Row;
let contact: Row;
let quote: Row;

const TX = {
  en: {
    dealList: /^Deal: \d+ shown$/,
    stage: {
      negotiation: 'Negotiation',
      proposal: 'Proposal',
      qualification: 'Qualification',
      prospecting: 'Prospecting',
    } as Record<string, string>,
    amount: 'Amount',
    account: 'Account',
    sheet: 'Filters and views',
    views: 'Views',
    wonView: 'Won deals',
    more: 'More actions',
    items: ['Import', 'Export as CSV', 'Export as Excel', 'Recycle bin'],
    bar: 'Actions on this record',
    call: 'Call',
    map: 'Map',
    visit: 'Log visit',
    related: 'New related',
    email: 'E-mail',
    line: 'Line 1',
    visitType: 'Visit',
    highlights: 'Key fields',
  },
  'zh-CN': {
    dealList: /^商机：显示 \d+ 条$/,
    stage: {
      negotiation: '商务谈判',
      proposal: '方案报价',
      qualification: '需求确认',
      prospecting: '初步接洽',
    } as Record<string, string>,
    amount: '金额',
    account: '客户',
    sheet: '筛选与视图',
    views: '视图',
    wonView: '赢单',
    more: '更多操作',
    items: ['导入', '导出为 CSV', '导出为 Excel', '回收站'],
    bar: '此记录的操作',
    call: '打电话',
    map: '地图',
    visit: '记录拜访',
    related: '新建相关',
    email: '发邮件',
    line: '第 1 行',
    visitType: '拜访',
    highlights: '关键信息',
  },
} as const;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2emobile',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  const all = async (object: string) => {
    const r = await app.tenant.api.get(`/api/records/${object}`, { query: { limit: 500 } });
    expect(r.status, r.text).toBe(200);
    return r.body.items as Row[];
  };
  // The pipeline view's first card: open deals by close date.
  const open = (await all('deal')).filter((d) => !['won', 'lost'].includes(String(d.stage)) && d.close_on);
  open.sort((a, b) => String(a.close_on).localeCompare(String(b.close_on)));
  deal = open[0]!;
  account = (await all('account')).find((a) => a.phone && a.city)!;
  contact = (await all('contact')).find((c) => c.email)!;
  const quotes = await all('quote');
  const withLines = [];
  for (const q of quotes) {
    const full = (await app.tenant.api.get(`/api/records/quote/${q.id}`)).body as Row;
    if (Array.isArray(full.lines) && full.lines.length >= 2 && full.approval_status !== 'pending') withLines.push(full);
  }
  quote = withLines[0]!;
  expect({ deal: !!deal, account: !!account, contact: !!contact, quote: !!quote }).toEqual({
    deal: true,
    account: true,
    contact: true,
    quote: true,
  });
}, 300_000);
afterAll(async () => {
  await app?.close();
});

async function useChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
}

/** Nothing on the page scrolls sideways. */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) <= window.innerWidth);
}

/** Every visible control in `scope` smaller than 44×44 px, named, so a failure says which. */
async function smallTargets(scope: Locator): Promise<string[]> {
  // Menus and sheets open with a short animation: measure what the finger meets once it has settled.
  // (Endless ones, such as a spinner, never settle and change no size.)
  await scope
    .page()
    .waitForFunction(() =>
      document
        .getAnimations()
        .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Number.POSITIVE_INFINITY),
    );
  return scope.evaluate((root) => {
    const out: string[] = [];
    const controls = root.querySelectorAll<HTMLElement>(
      'a[href], button, input:not([type="hidden"]), select, textarea, [role="menuitem"], [role="tab"]',
    );
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      // A tick box counts with its label: the label is what the finger hits.
      const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.closest('label') ?? el) : el;
      const t = target.getBoundingClientRect();
      if (t.width < 44 || t.height < 44)
        out.push(`${el.tagName} "${el.getAttribute('aria-label') ?? el.textContent?.trim()}" ${t.width}×${t.height}`);
    }
    return out;
  });
}

function money(n: unknown, lang: string) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(n));
}

describe('the phone layout', { timeout: 240_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    const tx = TX[lang];
    const tag = lang === 'en' ? 'en' : 'zh-cn';

    it(`shows a list as cards with a sheet of filters and a more menu (${tag})`, async () => {
      const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
      await signIn(page, app.admin);
      if (lang === 'zh-CN') await useChinese(page);
      await page.goto('/o/deal');
      const cards = page.getByRole('list', { name: tx.dealList });
      await cards.waitFor();
      expect(await page.getByRole('table').count()).toBe(0);
      // The pipeline's first deal: its name, its amount and its stage as a chip.
      const card = cards
        .getByRole('listitem')
        .filter({ hasText: String(deal.name) })
        .first();
      await card.getByRole('link').first().waitFor();
      const text = (await card.textContent()) ?? '';
      expect(text).toContain(tx.amount);
      expect(text).toContain(money(deal.amount, lang === 'en' ? 'en' : 'zh-CN'));
      const chip = card.locator('.f-cards__chip');
      expect(await chip.textContent()).toBe(tx.stage[String(deal.stage)]);
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `mobile-deal-cards-${tag}`, { fullPage: false });
      expect(await smallTargets(page.locator('main'))).toEqual([]);

      // Filters and views: a sheet rising from the bottom edge.
      await page.getByRole('button', { name: tx.sheet }).click();
      const sheet = page.getByRole('dialog', { name: tx.sheet });
      await sheet.waitFor();
      // Once it has risen: its lower edge on the screen's.
      await expect
        .poll(async () => {
          const b = (await sheet.boundingBox())!;
          return [Math.round(b.y + b.height), b.width];
        })
        .toEqual([VIEWPORTS.phone.height, VIEWPORTS.phone.width]);
      await sheet.getByRole('heading', { name: tx.views, exact: true }).waitFor();
      expect(await smallTargets(sheet)).toEqual([]);
      await screenshot(page, `mobile-filter-sheet-${tag}`, { fullPage: false });
      await sheet.getByRole('button', { name: tx.wonView }).click();
      await sheet.waitFor({ state: 'detached' });
      await page.waitForURL(/view=/);
      await cards.getByRole('listitem').first().waitFor();

      // Import, export and the recycle bin wait in the "more" menu.
      await page.getByRole('button', { name: tx.more }).click();
      const menu = page.getByRole('menu', { name: tx.more });
      for (const item of tx.items) await menu.getByRole('menuitem', { name: item }).waitFor();
      expect(await smallTargets(menu)).toEqual([]);
      await screenshot(page, `mobile-more-menu-${tag}`, { fullPage: false });
      await menu.getByRole('menuitem', { name: tx.items[3] }).click();
      await page.waitForURL(/\/o\/deal\/bin$/);

      // A tap on a card opens the record.
      await page.goBack();
      await page.goto('/o/deal');
      await cards
        .getByRole('listitem')
        .filter({ hasText: String(deal.name) })
        .first()
        .getByRole('link')
        .click();
      await page.waitForURL(new RegExp(`/o/deal/${deal.id}$`));
      await page.getByRole('heading', { name: String(deal.name), level: 1 }).waitFor();
      expect(errors).toEqual([]);
    });

    it(`shows a record in one column with a sticky action bar (${tag})`, async () => {
      const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
      await signIn(page, app.admin);
      if (lang === 'zh-CN') await useChinese(page);
      await page.goto(`/o/account/${account.id}`);
      await page.getByRole('heading', { name: String(account.name), level: 1 }).waitFor();
      const bar = page.getByRole('navigation', { name: tx.bar });
      await bar.waitFor();
      expect(await bar.getByRole('link', { name: tx.call }).getAttribute('href')).toBe(
        `tel:${String(account.phone).replace(/[^\d+]/g, '')}`,
      );
      expect(await bar.getByRole('link', { name: tx.map }).getAttribute('href')).toContain(
        encodeURIComponent(String(account.city)).replace(/%20/g, '+'),
      );
      expect(await bar.getByRole('link', { name: tx.visit }).getAttribute('href')).toBe(
        `/o/activity/new?account=${account.id}&type=visit`,
      );
      // One column: every field of the sections starts at the same left edge; highlights first.
      const lefts = await page
        .locator('.f-readview__grid .f-readview__field')
        .evaluateAll((els) => [...new Set(els.map((e) => Math.round(e.getBoundingClientRect().left)))]);
      expect(lefts).toHaveLength(1);
      const highlights = await page.getByRole('region', { name: tx.highlights }).boundingBox();
      const firstSection = await page.locator('.f-readview__section').first().boundingBox();
      expect(highlights!.y).toBeLessThan(firstSection!.y);
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `mobile-record-${tag}`, { fullPage: false });

      // Sticky: still on the bottom edge after scrolling to the end of the page.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const end = (await bar.boundingBox())!;
      expect(Math.round(end.y + end.height)).toBe(VIEWPORTS.phone.height);
      expect(await smallTargets(bar)).toEqual([]);
      expect(await smallTargets(page.locator('main'))).toEqual([]);

      // New related: a menu of what links to an account; "Log visit" starts a visit against it.
      await bar.getByRole('button', { name: tx.related }).click();
      await page.getByRole('menuitem').first().waitFor();
      await screenshot(page, `mobile-record-related-${tag}`, { fullPage: false });
      await page.keyboard.press('Escape');
      await bar.getByRole('link', { name: tx.visit }).click();
      await page.waitForURL(/\/o\/activity\/new/);
      await expect.poll(() => page.locator('#root_type option:checked').textContent()).toBe(tx.visitType);

      // A contact has an e-mail address: the bar writes to it.
      await page.goto(`/o/contact/${contact.id}`);
      expect(await bar.getByRole('link', { name: tx.email }).getAttribute('href')).toBe(`mailto:${contact.email}`);
      expect(errors).toEqual([]);
    });

    it(`stacks a quote's lines as cards (${tag})`, async () => {
      const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
      await signIn(page, app.admin);
      if (lang === 'zh-CN') await useChinese(page);
      await page.goto(`/o/quote/${quote.id}?edit=1`);
      const rows = page.locator('.f-lines__row');
      await expect.poll(() => rows.count()).toBe((quote.lines as unknown[]).length);
      const first = rows.first();
      // Each card is headed "Line 1"… (the cell's label, drawn by CSS over its number).
      const head = first.locator('td.f-lines__num');
      expect(await head.getAttribute('data-line')).toBe(tx.line);
      expect(await head.evaluate((el) => getComputedStyle(el, '::before').content)).toBe(`"${tx.line}"`);
      expect(await first.evaluate((el) => getComputedStyle(el).display)).toBe('grid');
      // No sideways scrolling: the lines fit their frame and the page fits the phone.
      const scroll = page.locator('.f-lines__scroll');
      expect(await scroll.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const card = (await first.boundingBox())!;
      expect(card.x).toBeGreaterThanOrEqual(0);
      expect(card.x + card.width).toBeLessThanOrEqual(VIEWPORTS.phone.width);
      // Stacked: the product sits above the quantity, each with its label.
      const product = (await first.locator('td:has(.f-lookup)').boundingBox())!;
      const quantity = (await first.locator('td', { has: page.locator('[id$="_quantity"]') }).boundingBox())!;
      expect(quantity.y).toBeGreaterThan(product.y);
      expect(await fitsWidth(page)).toBe(true);
      await first.scrollIntoViewIfNeeded();
      await screenshot(page, `mobile-quote-lines-${tag}`, { fullPage: false });
      expect(await smallTargets(page.locator('.f-lines'))).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  it('keeps the table and the toolbar on a desktop', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    await page
      .getByRole('table')
      .getByRole('link', { name: String(deal.name) })
      .waitFor();
    expect(await page.locator('.f-cards').count()).toBe(0);
    await page.getByRole('link', { name: 'Import' }).waitFor();
    await page.getByRole('link', { name: 'Recycle bin' }).waitFor();
    expect(await page.getByRole('button', { name: 'More actions' }).count()).toBe(0);
    await screenshot(page, 'mobile-desktop-deals', { fullPage: false });
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { name: String(account.name), level: 1 }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Actions on this record' }).count()).toBe(0);
    await screenshot(page, 'mobile-desktop-record', { fullPage: false });
    expect(errors).toEqual([]);
  });
});
