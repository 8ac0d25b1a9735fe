/**
 * The segments designer screen (`/designer/segments`, docs/designer.md): an admin creates a segment
 * of accounts from the condition builder, sees how many records match while editing, publishes it
 * through the plan, refreshes it and sees the refresh in its membership history; the automation
 * editor then offers "A record enters a segment" with the segment picked by its label. English on
 * a desktop, Chinese on a phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2eseg',
    server: { plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }] },
    tenant: { template: 'core-crm' },
  });
  for (const [name, city] of [
    ['Huangpu Traders', 'Shanghai'],
    ['Pudong Logistics', 'Shanghai'],
    ['Bund Foods', 'Shanghai'],
    ['Chaoyang Media', 'Beijing'],
  ]) {
    const r = await app.tenant.api.post('/api/records/account', { name, city });
    expect(r.status, r.text).toBe(201);
  }
}, 240_000);

afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

const WORDS = {
  en: {
    area: 'Segments',
    shipped: 'High value, at risk',
    newSegment: 'New segment',
    name: 'Name',
    apiName: 'API name',
    object: 'Object',
    create: 'Create',
    addCondition: 'Add condition',
    field: 'Field',
    operator: 'Comparison',
    value: 'Value',
    matching: 'Account records meet the conditions now',
    publish: 'Publish',
    planLine: (label: string) => `Segment ${label}: added`,
    published: 'Segment published',
    refreshNow: 'Refresh now',
    refreshed: 'Refreshed: 3 members (3 entered, 0 left)',
    neverRefreshed: 'Not counted yet',
    when: 'When',
    entered: 'A record enters a segment',
    segment: 'Segment',
    removeField: 'Remove field',
    publishOpen: 'Publish…',
    refusedLead: 'The change was refused.',
    stillUsed: (label: string) =>
      `City (account.city) is still used by the segment “${label}”: change its conditions or delete it first.`,
  },
  zh: {
    area: '客户分群',
    shipped: '高价值、有流失风险',
    newSegment: '新建分群',
    name: '名称',
    apiName: 'API 名称',
    object: '对象',
    create: '创建',
    addCondition: '添加条件',
    field: '字段',
    operator: '比较方式',
    value: '值',
    matching: '条客户记录当前满足条件',
    publish: '发布',
    planLine: (label: string) => `客户分群“${label}”`,
    published: '分群已发布',
    refreshNow: '立即刷新',
    refreshed: '已刷新：3 个成员（新进 3，离开 0）',
    neverRefreshed: '尚未统计',
    when: '何时运行',
    entered: '记录进入客户分群时',
    segment: '客户分群',
    removeField: '删除字段',
    publishOpen: '发布…',
    refusedLead: '变更被拒绝。',
    stillUsed: (label: string) =>
      `“城市”（account.city）仍被分群“${label}”的条件使用：请先修改该分群的条件或删除该分群。`,
  },
} as const;

async function buildSegment(page: Page, lang: 'en' | 'zh', seg: { label: string; name: string; shot: string }) {
  const w = WORDS[lang];
  await page.goto('/designer');
  const area = page.locator('.f-designer__areas').getByRole('link', { name: w.area, exact: true });
  await area.click();
  await page.waitForURL('**/designer/segments');
  await page.getByRole('heading', { name: w.area, level: 1 }).waitFor();
  // core-crm's own segments are listed by label; none was refreshed yet.
  const shipped = page.locator('tr', { has: page.getByRole('link', { name: w.shipped, exact: true }) });
  await shipped.getByText(w.neverRefreshed).waitFor();
  await screenshot(page, `${seg.shot}-list`);

  await page.getByRole('button', { name: w.newSegment }).first().click();
  const dialog = page.getByRole('dialog', { name: w.newSegment });
  await dialog.getByRole('textbox', { name: w.name, exact: true }).fill(seg.label);
  await dialog.getByRole('textbox', { name: w.apiName }).fill(seg.name);
  await dialog.getByRole('combobox', { name: w.object }).selectOption('account');
  await dialog.getByRole('button', { name: w.create }).click();
  await page.getByRole('heading', { name: seg.label, level: 1 }).waitFor();

  // No condition yet: every account counts (the four created here).
  const preview = page.getByTestId('segment-preview');
  await preview.locator('.f-seg-count').getByText('4', { exact: true }).waitFor();

  // City is Shanghai: the count follows the conditions while they are edited.
  await page.getByRole('button', { name: w.addCondition, exact: true }).click();
  const row = page.locator('.f-cond__row').first();
  await row.getByRole('combobox', { name: w.field }).selectOption('city');
  await row.getByRole('combobox', { name: w.operator }).selectOption('eq');
  await row.getByRole('textbox', { name: w.value }).fill('Shanghai');
  await preview.locator('.f-seg-count').getByText('3', { exact: true }).waitFor();
  await preview.getByText(w.matching).waitFor();
  await screenshot(page, `${seg.shot}-editor`);

  // Publish through the plan, which names the segment by its label.
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const plan = page.getByRole('dialog');
  await plan.getByText(w.planLine(seg.label)).first().waitFor();
  await screenshot(page, `${seg.shot}-plan`, { fullPage: false });
  await plan.getByRole('button', { name: w.publish, exact: true }).click();
  await page.getByText(w.published).first().waitFor();

  const def = (await app.tenant.api.get('/api/meta')).body.segments[seg.name];
  expect(def).toMatchObject({ label: seg.label, object: 'account', filter: { city: { eq: 'Shanghai' } } });

  // Refreshed by hand: the history shows the count and who entered.
  await page.getByRole('button', { name: w.refreshNow }).click();
  await page.getByText(w.refreshed).first().waitFor();
  const history = page.locator('table.f-seg-history tbody tr');
  await history.first().waitFor();
  expect(await history.count()).toBe(1);
  expect(await history.first().locator('td').allTextContents()).toEqual([expect.any(String), '3', '+3', '−0']);
  await screenshot(page, `${seg.shot}-history`);

  // The list now has its size.
  await page.goto('/designer/segments');
  const listed = page.locator('tr', { has: page.getByRole('link', { name: seg.label, exact: true }) });
  await listed.getByRole('cell', { name: '3', exact: true }).waitFor();
}

async function segmentTrigger(page: Page, lang: 'en' | 'zh', seg: { label: string; name: string; shot: string }) {
  const w = WORDS[lang];
  await page.goto(`/designer/automations/welcome_${seg.name}?object=account&label=Welcome`);
  await page.getByRole('heading', { name: 'Welcome', level: 1 }).waitFor();
  await page.getByRole('combobox', { name: w.when, exact: true }).selectOption({ label: w.entered });
  const picker = page.getByRole('combobox', { name: w.segment, exact: true });
  // Segments of the rule's object, by label.
  await picker.selectOption({ label: seg.label });
  expect(await picker.inputValue()).toBe(seg.name);
  expect(await picker.locator('option').allTextContents()).toEqual(expect.arrayContaining([w.shipped, seg.label]));
  await picker.scrollIntoViewIfNeeded();
  await screenshot(page, `${seg.shot}-trigger`, { fullPage: false });
}

/** Removing a field the segment reads is refused when planned, naming the segment in the admin's language. */
async function fieldStillUsed(page: Page, lang: 'en' | 'zh', seg: { label: string; shot: string }) {
  const w = WORDS[lang];
  await page.goto('/designer/objects/account');
  await page.locator('#f-od-field-city').click();
  await page.getByRole('button', { name: w.removeField, exact: true }).click();
  await page.getByRole('button', { name: w.publishOpen, exact: true }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(w.refusedLead).waitFor();
  await dialog.getByText(w.stillUsed(seg.label)).waitFor();
  await screenshot(page, `${seg.shot}-field-still-used`, { fullPage: false });
  expect((await app.tenant.api.get('/api/meta')).body.objects.account.properties.city).toBeDefined();
}

describe('segments designer', () => {
  it('in English at 1440x900: creates, counts, publishes and refreshes a segment; rules can follow it', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    const seg = { label: 'Shanghai accounts', name: 'shanghai_accounts', shot: 'designer-segments-en' };
    await buildSegment(page, 'en', seg);
    await segmentTrigger(page, 'en', seg);
    await fieldStillUsed(page, 'en', seg);
    expect(errors).toEqual([]);
  }, 180_000);

  it('shows the stored RFM scores read-only on the account form and in the Customer value list', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/account');
    await page.getByRole('button', { name: /^Views: / }).click();
    await page.getByRole('menuitem', { name: 'Customer value (RFM)' }).click();
    for (const header of ['RFM segment', 'Recency score', 'Frequency score', 'Monetary score', 'RFM scored on'])
      await page.getByRole('columnheader', { name: header }).waitFor();
    await screenshot(page, 'designer-segments-en-rfm-list');

    const account = (await app.tenant.api.get('/api/records/account', { query: { limit: 1 } })).body.items[0];
    await page.goto(`/o/account/${account.id}?edit=1`);
    await page.locator('#root_name').waitFor();
    for (const f of ['rfm_segment', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_scored_on']) {
      const input = page.locator(`#root_${f}`);
      await input.waitFor();
      expect(await input.isEditable(), f).toBe(false);
    }
    // The form's Customer value section: after the company's own fields, in the scores' order.
    const ids = await page
      .locator('[id^="root_"]:is(input, select, textarea)')
      .evaluateAll((els) => els.map((e) => e.id));
    const at = ids.indexOf('root_description');
    expect(ids.slice(at + 1, at + 6)).toEqual([
      'root_rfm_segment',
      'root_rfm_recency',
      'root_rfm_frequency',
      'root_rfm_monetary',
      'root_rfm_scored_on',
    ]);
    await screenshot(page, 'designer-segments-en-rfm-form');
    expect(errors).toEqual([]);
  }, 120_000);

  it('in Chinese at 390x844: the same path on a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    const seg = { label: '上海客户', name: 'shanghai_zh', shot: 'designer-segments-zh-phone' };
    await buildSegment(page, 'zh', seg);
    // Nothing wider than the phone.
    await page.goto(`/designer/segments/${seg.name}`);
    await page.getByRole('heading', { name: seg.label, level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await segmentTrigger(page, 'zh', seg);
    await fieldStillUsed(page, 'zh', seg);
    expect(errors).toEqual([]);
  }, 180_000);
});
