import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client';
import { type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * Issue 26, the offline briefcase and sync (docs/mobile.md), at 390×844 in English and Chinese,
 * with Chromium's offline emulation: the rep's records kept on the phone (hidden fields never
 * arrive), the app opening offline, an edit, a refused edit and a visit logged offline, all kept
 * through a reload; back online the queue replays — a create whose answer is lost is sent again
 * and makes one record, a conflicting edit is resolved field by field (the other fields merge), a
 * refused change stays with its reason until fixed; signing out empties the briefcase.
 */
let app: E2eApp;

const ACCOUNT = {
  title: 'Account',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '客户' } },
  properties: { name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } } },
  required: ['name'],
};
const DEAL = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } },
    amount: { type: 'number', title: 'Amount', minimum: 0, 'x-i18n': { 'zh-CN': { title: '金额' } } },
    stage: {
      type: 'string',
      title: 'Stage',
      enum: ['new', 'negotiation', 'won', 'lost'],
      'x-i18n': { 'zh-CN': { title: '阶段', enum: { new: '新建', negotiation: '谈判', won: '赢单', lost: '输单' } } },
    },
    close_on: { type: 'string', title: 'Close on', format: 'date', 'x-i18n': { 'zh-CN': { title: '预计成交' } } },
    margin: { type: 'number', title: 'Margin' },
    account: {
      type: 'string',
      format: 'uuid',
      'x-ref': 'account',
      title: 'Account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
    },
  },
  required: ['name'],
};
const ACTIVITY = {
  title: 'Activity',
  type: 'object',
  'x-label-field': 'subject',
  'x-timeline': true,
  'x-i18n': { 'zh-CN': { title: '活动' } },
  properties: {
    subject: { type: 'string', title: 'Subject', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '主题' } } },
    type: {
      type: 'string',
      title: 'Type',
      enum: ['call', 'visit'],
      'x-i18n': { 'zh-CN': { title: '类型', enum: { call: '电话', visit: '拜访' } } },
    },
    account: {
      type: 'string',
      format: 'uuid',
      'x-ref': 'account',
      title: 'Account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
    },
  },
  required: ['subject'],
};

const zh = (title: string) => ({ 'x-i18n': { 'zh-CN': { title } } });
const PRODUCT = {
  title: 'Product',
  type: 'object',
  'x-label-field': 'name',
  ...zh('产品'),
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, ...zh('名称') },
    list_price: { type: 'number', title: 'List price', minimum: 0, ...zh('标准价格') },
  },
  required: ['name'],
};
const PRICE_LIST = {
  title: 'Price list',
  type: 'object',
  'x-label-field': 'name',
  ...zh('价格表'),
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, ...zh('名称') },
    entries: { type: 'array', title: 'Prices', 'x-children': { object: 'price_list_entry', field: 'price_list' } },
  },
  required: ['name'],
};
const PRICE_LIST_ENTRY = {
  title: 'Price list entry',
  type: 'object',
  ...zh('价格明细'),
  properties: {
    price_list: { type: 'string', format: 'uuid', 'x-ref': 'price_list', title: 'Price list', ...zh('价格表') },
    product: { type: 'string', format: 'uuid', 'x-ref': 'product', title: 'Product', ...zh('产品') },
    price: { type: 'number', title: 'Price', minimum: 0, ...zh('价格') },
  },
  required: ['price_list', 'product', 'price'],
};
const ORDER = {
  title: 'Order',
  type: 'object',
  'x-label-field': 'name',
  ...zh('订单'),
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, ...zh('名称') },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account', ...zh('客户') },
    price_list: { type: 'string', format: 'uuid', 'x-ref': 'price_list', title: 'Price list', ...zh('价格表') },
    lines: { type: 'array', title: 'Lines', 'x-children': { object: 'order_line', field: 'order' }, ...zh('订单明细') },
    amount: {
      type: 'number',
      title: 'Order amount',
      'x-rollup': { children: 'lines', op: 'sum', field: 'amount' },
      ...zh('订单金额'),
    },
  },
  required: ['name'],
};
// The unit price is the order's price list entry for the product, else its list price (as core-crm's lines).
const ORDER_LINE = {
  title: 'Order line',
  type: 'object',
  ...zh('订单明细'),
  properties: {
    order: { type: 'string', format: 'uuid', 'x-ref': 'order', title: 'Order', ...zh('订单') },
    product: { type: 'string', format: 'uuid', 'x-ref': 'product', title: 'Product', ...zh('产品') },
    quantity: { type: 'number', title: 'Quantity', minimum: 0, default: 1, ...zh('数量') },
    unit_price: {
      type: 'number',
      title: 'Unit price',
      minimum: 0,
      'x-default-from': [
        {
          object: 'price_list_entry',
          match: { price_list: '$record.order.price_list', product: '$record.product' },
          field: 'price',
        },
        { object: 'product', match: { id: '$record.product' }, field: 'list_price' },
      ],
      ...zh('单价'),
    },
    amount: {
      type: 'number',
      title: 'Line amount',
      'x-formula': '(record.quantity || 0) * (record.unit_price || 0)',
      ...zh('金额'),
    },
  },
  required: ['order', 'product', 'quantity', 'unit_price'],
};

const TX = {
  en: {
    offline: 'Offline',
    waiting: (n: number) => `${n} change${n === 1 ? '' : 's'} waiting`,
    amount: 'Amount',
    stage: 'Stage',
    save: 'Save on this phone',
    logVisit: 'Log visit',
    subject: 'Subject',
    syncNow: 'Sync now',
    resolve: 'Choose values',
    yours: 'Yours',
    apply: 'Keep these values',
    fix: 'Fix and send again',
    pending: 'Waiting to sync',
    merged: 'Merged automatically: Amount',
    negotiation: 'Negotiation',
    lost: 'Lost',
    refused: 'Refused:',
    signOut: 'Sign out',
    order: 'Order',
    newRecord: 'New',
    name: 'Name',
    priceList: 'Price list',
    line: (n: number) => `Line ${n}`,
    addLine: 'Add line',
    product: 'Product',
    quantity: 'Quantity',
    unitPrice: 'Unit price',
    filled: 'Filled as the server fills it; confirmed at sync',
    reference: 'Reference data (read-only)',
  },
  'zh-CN': {
    offline: '离线',
    waiting: (n: number) => `${n} 项更改待同步`,
    amount: '金额',
    stage: '阶段',
    save: '保存到本机',
    logVisit: '记录拜访',
    subject: '主题',
    syncNow: '立即同步',
    resolve: '选择取值',
    yours: '您的值',
    apply: '保留这些值',
    fix: '修改后重新发送',
    pending: '待同步',
    merged: '已自动合并：金额',
    negotiation: '谈判',
    lost: '输单',
    refused: '被拒绝：',
    signOut: '退出登录',
    order: '订单',
    newRecord: '新建',
    name: '名称',
    priceList: '价格表',
    line: (n: number) => `第 ${n} 行`,
    addLine: '添加明细',
    product: '产品',
    quantity: '数量',
    unitPrice: '单价',
    filled: '按服务器规则带出；同步时确认',
    reference: '参考数据（只读）',
  },
} as const;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eoffline' });
  const api = app.tenant.api;
  // One document: an order and its lines name each other.
  const objects = {
    account: ACCOUNT,
    deal: DEAL,
    activity: ACTIVITY,
    product: PRODUCT,
    price_list: PRICE_LIST,
    price_list_entry: PRICE_LIST_ENTRY,
    order: ORDER,
    order_line: ORDER_LINE,
  };
  const applied = await api.post('/api/meta/apply', { objects });
  expect(applied.status, applied.text).toBe(200);
  const own = { create: true, read: 'own', update: 'own', delete: false };
  const role = {
    label: 'Field rep',
    objects: {
      account: own,
      deal: { ...own, fields: { margin: 'none' } },
      activity: own,
      order: own,
      order_line: own,
      // Reference data: read by everyone, changed by the office.
      product: { create: false, read: 'all', update: false, delete: false },
      price_list: { create: false, read: 'all', update: false, delete: false },
      price_list_entry: { create: false, read: 'all', update: false, delete: false },
    },
  };
  expect((await api.put('/api/meta/roles/field_rep', role)).status).toBe(200);
}, 240_000);
afterAll(async () => {
  await app?.close();
});

async function useChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
}

/** What IndexedDB holds, read straight from the browser's database. */
async function deviceStore(page: Page, store: 'records' | 'outbox') {
  return page.evaluate(
    (name) =>
      new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
        const open = indexedDB.open('forma-briefcase');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(name)) return resolve([]);
          const req = db.transaction(name).objectStore(name).getAll();
          req.onsuccess = () => resolve(req.result as Array<Record<string, unknown>>);
          req.onerror = () => reject(req.error);
        };
      }),
    store,
  );
}

async function count(api: ApiClient, object: string, filter: unknown) {
  const r = await api.get(`/api/records/${object}`, { query: { filter: JSON.stringify(filter), count: 'true' } });
  expect(r.status, r.text).toBe(200);
  return r.body.total as number;
}

describe('offline briefcase and sync on a phone', { timeout: 300_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`keeps records and changes offline and syncs them safely (${lang})`, async () => {
      const tx = TX[lang];
      const tag = lang === 'en' ? 'EN' : 'ZH';
      const rep = await app.tenant.addUser({ roles: ['field_rep'], name: `Rep ${tag}` });
      const account = (await rep.api.post('/api/records/account', { name: `Harbor Foods ${tag}` })).body;
      const deal = (
        await rep.api.post('/api/records/deal', {
          name: `Harbor renewal ${tag}`,
          amount: 1000,
          stage: 'new',
          account: account.id,
        })
      ).body;
      const cold = (await rep.api.post('/api/records/deal', { name: `Cold lead ${tag}`, amount: 10 })).body;
      // Reference data the office keeps: products and a price list with a price for one of them.
      const espresso = (
        await app.tenant.api.post('/api/records/product', { name: `Espresso machine ${tag}`, list_price: 1000 })
      ).body;
      const frother = (
        await app.tenant.api.post('/api/records/product', { name: `Milk frother ${tag}`, list_price: 120 })
      ).body;
      const prices = await app.tenant.api.post('/api/records/price_list', {
        name: `Harbor prices ${tag}`,
        entries: [{ product: espresso.id, price: 800 }],
      });
      expect(prices.status, prices.text).toBe(201);
      const earlier = await rep.api.post('/api/records/order', {
        name: `Earlier order ${tag}`,
        lines: [{ product: frother.id, quantity: 1 }],
      });
      expect(earlier.status, earlier.text).toBe(201);
      // A hidden field the admin fills in: it must never reach the rep's phone.
      expect((await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { margin: 4242.5 })).status).toBe(200);

      const { page, context, errors } = await app.newPage({ viewport: VIEWPORTS.phone, serviceWorker: true });
      await signIn(page, { tenant: app.tenant.id, email: rep.email, password: rep.password });
      if (lang === 'zh-CN') await useChinese(page);
      // The installed app: the worker controls the page, so the shell opens without a network.
      await page.evaluate(async () => void (await navigator.serviceWorker.ready));
      await page.goto('/briefcase');
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      const dealCard = page.getByRole('link', { name: new RegExp(`Harbor renewal ${tag}`) });
      await dealCard.waitFor();
      const carried = await deviceStore(page, 'records');
      const mine = carried.filter((r) => !r.reference);
      expect(mine.map((r) => (r.local as { name?: string }).name).sort()).toEqual(
        [`Cold lead ${tag}`, `Earlier order ${tag}`, `Harbor Foods ${tag}`, `Harbor renewal ${tag}`].sort(),
      );
      // The lines of the rep's orders travel with them (the list API does not answer them).
      const earlierOnPhone = carried.find((r) => r.id === earlier.body.id)!;
      expect((earlierOnPhone.local as { lines: Array<{ product: string }> }).lines.map((l) => l.product)).toEqual([
        frother.id,
      ]);
      // Reference data, read-only: the products, the price list and its entries the order form reads.
      const reference = carried.filter((r) => r.reference);
      for (const id of [espresso.id, frother.id, prices.body.id]) expect(reference.map((r) => r.id)).toContain(id);
      expect(reference.some((r) => r.object === 'price_list_entry')).toBe(true);
      await page.getByRole('heading', { name: tx.reference }).waitFor();
      const onPhone = carried.find((r) => r.id === deal.id)!;
      expect(onPhone.server).not.toHaveProperty('margin');
      expect(JSON.stringify(carried)).not.toContain('4242.5');

      // ---- offline: the app opens, records open, changes are kept
      await context.setOffline(true);
      await page.reload();
      await page.getByTestId('briefcase-status').getByText(tx.offline).waitFor();
      await dealCard.click();
      await page.getByLabel(tx.amount, { exact: true }).fill('1500');
      await page.getByLabel(tx.stage, { exact: true }).selectOption('negotiation');
      await page.getByRole('button', { name: tx.save }).click();
      await page.getByText(tx.pending, { exact: true }).first().waitFor();
      await screenshot(page, `offline-edit-deal-phone-${lang.toLowerCase()}`);

      await page.goto('/briefcase');
      await page.getByRole('link', { name: new RegExp(`Cold lead ${tag}`) }).click();
      await page.getByLabel(tx.amount, { exact: true }).fill('-5');
      await page.getByRole('button', { name: tx.save }).click();
      await page.getByText(tx.pending, { exact: true }).first().waitFor();

      await page.goto('/briefcase');
      await page.getByRole('link', { name: new RegExp(`Harbor Foods ${tag}`) }).click();
      await page.getByRole('link', { name: tx.logVisit }).click();
      await page.getByLabel(tx.subject).fill(`Visit at Harbor ${tag}`);
      await page.getByRole('button', { name: tx.save }).click();
      await page.getByText(tx.pending, { exact: true }).first().waitFor();

      // An order with lines, offline: products picked by name, priced as the server prices them.
      await page.goto('/briefcase');
      await page
        .locator('section', { has: page.getByRole('heading', { name: new RegExp(`^${tx.order} \\(`) }) })
        .getByRole('link', { name: tx.newRecord })
        .click();
      await page.getByLabel(tx.name).fill(`Harbor order ${tag}`);
      await page.getByLabel(tx.priceList, { exact: true }).selectOption({ label: `Harbor prices ${tag}` });
      await page.getByRole('button', { name: tx.addLine }).click();
      const line1 = page.getByRole('group', { name: tx.line(1) });
      await line1.getByLabel(tx.product).selectOption({ label: `Espresso machine ${tag}` });
      await line1.getByLabel(tx.quantity).fill('2');
      await page.getByRole('button', { name: tx.addLine }).click();
      const line2 = page.getByRole('group', { name: tx.line(2) });
      await line2.getByLabel(tx.product).selectOption({ label: `Milk frother ${tag}` });
      await line2.getByLabel(tx.quantity).fill('3');
      // The price list's price for the espresso machine, the list price for the frother.
      await expect.poll(() => line1.getByLabel(tx.unitPrice).inputValue()).toBe('800');
      await expect.poll(() => line2.getByLabel(tx.unitPrice).inputValue()).toBe('120');
      await line1.getByText(tx.filled).waitFor();
      await line1.locator('output[data-field="amount"]').getByText('1,600').waitFor();
      await page.getByTestId('briefcase-computed').locator('output[data-field="amount"]').getByText('1,960').waitFor();
      await screenshot(page, `offline-order-lines-phone-${lang.toLowerCase()}`);
      await page.getByRole('button', { name: tx.save }).click();
      await page.getByText(tx.pending, { exact: true }).first().waitFor();

      const queued = await deviceStore(page, 'outbox');
      expect(queued.map((q) => [q.kind, q.object])).toEqual([
        ['update', 'deal'],
        ['update', 'deal'],
        ['create', 'activity'],
        ['create', 'order'],
      ]);
      expect(queued[2]!.fields).toMatchObject({ type: 'visit', account: account.id });
      // One create carries its lines; the prices are left to the server's own rule.
      expect(queued[3]!.fields).toMatchObject({
        name: `Harbor order ${tag}`,
        price_list: prices.body.id,
        lines: [
          { product: espresso.id, quantity: 2 },
          { product: frother.id, quantity: 3 },
        ],
      });
      expect(JSON.stringify(queued[3]!.fields)).not.toContain('unit_price');

      // A reload while offline loses nothing.
      await page.goto('/briefcase');
      await page.reload();
      await page.getByTestId('briefcase-waiting').getByText(tx.waiting(4)).waitFor();
      await page.getByRole('link', { name: new RegExp(`Visit at Harbor ${tag}`) }).waitFor();
      await screenshot(page, `offline-briefcase-waiting-phone-${lang.toLowerCase()}`);
      expect(await count(app.tenant.api, 'activity', { subject: { eq: `Visit at Harbor ${tag}` } })).toBe(0);

      // Meanwhile the office changes the deal: the stage (a conflict) and the close date (merges).
      const office = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, {
        stage: 'lost',
        close_on: '2027-01-31',
      });
      expect(office.status, office.text).toBe(200);

      // ---- back online: the first answers to the visit's and to the order's creates are lost on the way back
      const lost = { activity: 0, order: 0 };
      await context.route('**/api/records/*', async (route) => {
        const object = new URL(route.request().url()).pathname.split('/').pop() as keyof typeof lost;
        if (route.request().method() !== 'POST' || !(object in lost) || lost[object] !== 0) return route.continue();
        lost[object] = -1;
        const saved = await route.fetch(); // the server saves it…
        expect(saved.status()).toBe(201);
        await route.abort('connectionreset'); // …and the phone never hears back
        lost[object] = 1;
      });
      await context.setOffline(false);
      await expect.poll(() => lost.activity, { timeout: 30_000 }).toBe(1);
      await page.getByTestId('briefcase-waiting').getByText(tx.waiting(2)).waitFor();
      expect(await count(app.tenant.api, 'activity', { subject: { eq: `Visit at Harbor ${tag}` } })).toBe(1);
      await page.getByRole('button', { name: tx.syncNow }).click();
      await expect.poll(() => lost.order, { timeout: 30_000 }).toBe(1);
      expect(await count(app.tenant.api, 'order', { name: { eq: `Harbor order ${tag}` } })).toBe(1);
      await page.getByRole('button', { name: tx.syncNow }).click();
      await expect
        .poll(async () => (await deviceStore(page, 'outbox')).filter((q) => q.status === 'pending').length, {
          timeout: 30_000,
        })
        .toBe(0);
      await context.unroute('**/api/records/*');
      // Sent twice, saved once: one visit, one order with its two lines priced by the server.
      expect(await count(app.tenant.api, 'activity', { subject: { eq: `Visit at Harbor ${tag}` } })).toBe(1);
      const orders = await app.tenant.api.get('/api/records/order', {
        query: { filter: JSON.stringify({ name: { eq: `Harbor order ${tag}` } }) },
      });
      expect(orders.body.items).toHaveLength(1);
      const order = (await app.tenant.api.get(`/api/records/order/${orders.body.items[0].id}`)).body;
      expect(order.lines.map((l: Record<string, unknown>) => [l.product, l.quantity, l.unit_price, l.amount])).toEqual([
        [espresso.id, 2, 800, 1600],
        [frother.id, 3, 120, 360],
      ]);
      expect(order).toMatchObject({ amount: 1960, price_list: prices.body.id });
      expect(await count(app.tenant.api, 'order_line', { order: { eq: order.id } })).toBe(2);

      // The conflict and the refusal wait for the rep.
      const problems = page.getByTestId('briefcase-problem');
      await expect.poll(() => problems.count()).toBe(2);
      await page.getByText(new RegExp(`${tx.refused}\\s*Cold lead ${tag}`)).waitFor();
      // The reason names the field in the reader's language.
      await problems.getByText(new RegExp(`^${tx.amount}[:：]\\s*\\S`)).waitFor();
      await screenshot(page, `offline-sync-attention-phone-${lang.toLowerCase()}`);

      await page.getByRole('link', { name: tx.resolve }).click();
      await page.getByText(tx.merged).waitFor();
      const stageChoice = page.getByRole('group', { name: tx.stage });
      await stageChoice.getByText(tx.lost).waitFor();
      await stageChoice.getByText(tx.negotiation).waitFor();
      await screenshot(page, `offline-conflict-phone-${lang.toLowerCase()}`);
      await stageChoice.getByRole('radio').first().check(); // "Yours" comes first
      await page.getByRole('button', { name: tx.apply }).click();
      await page.waitForURL('**/briefcase');
      await expect
        .poll(async () => (await app.tenant.api.get(`/api/records/deal/${deal.id}`)).body.stage)
        .toBe('negotiation');
      const merged = (await app.tenant.api.get(`/api/records/deal/${deal.id}`)).body;
      expect(merged).toMatchObject({ amount: 1500, stage: 'negotiation', close_on: '2027-01-31', margin: 4242.5 });

      // The refused change is fixed and sent again.
      await page.getByRole('link', { name: tx.fix }).click();
      await page.getByLabel(tx.amount, { exact: true }).fill('5');
      await page.getByRole('button', { name: tx.save }).click();
      await expect
        .poll(async () =>
          (await deviceStore(page, 'outbox')).map((q) => [q.status, (q.fields as { amount?: number }).amount]),
        )
        .toEqual([['pending', 5]]);
      await page.goto('/briefcase');
      // Opened online with a change queued, the app sends it by itself; "sync now" joins that sync.
      await page.getByRole('button', { name: tx.syncNow }).click();
      await expect.poll(async () => JSON.stringify(await deviceStore(page, 'outbox'))).toBe('[]');
      expect((await app.tenant.api.get(`/api/records/deal/${cold.id}`)).body.amount).toBe(5);
      await expect.poll(() => problems.count()).toBe(0);
      expect(await deviceStore(page, 'outbox')).toEqual([]);
      await screenshot(page, `offline-synced-phone-${lang.toLowerCase()}`);

      // The order on the phone now has the server's id and the server's lines, by name.
      await page.getByRole('link', { name: new RegExp(`Harbor order ${tag}`) }).click();
      await page.waitForURL(`**/briefcase/order/${order.id}`);
      const synced = page.getByTestId('briefcase-lines-lines');
      await synced
        .getByRole('group', { name: tx.line(1) })
        .getByText(`Espresso machine ${tag}`)
        .waitFor();
      await synced
        .getByRole('group', { name: tx.line(2) })
        .getByText(`Milk frother ${tag}`)
        .waitFor();
      await synced.getByText('800', { exact: true }).waitFor();
      expect(await page.locator('body').textContent()).not.toContain(espresso.id);
      await screenshot(page, `offline-order-synced-phone-${lang.toLowerCase()}`);
      await page.goto('/briefcase');

      // Signing out leaves nothing of the rep on the phone.
      expect((await deviceStore(page, 'records')).length).toBeGreaterThan(0);
      await page.getByTestId('user-menu').click();
      await page.getByRole('menuitem', { name: tx.signOut }).click();
      await page.waitForURL('**/login**');
      await expect.poll(async () => (await deviceStore(page, 'records')).length).toBe(0);
      expect(await deviceStore(page, 'outbox')).toEqual([]);
      expect(errors).toEqual([]);
    });
  }
});
