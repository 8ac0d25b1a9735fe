import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, putMeta, screenshot, signIn, startE2eApp } from './support';

/**
 * Form logic in the browser (docs/designer.md, "Form logic"): a lost deal's reason appears and is
 * required as the stage changes, the contact picker offers only the chosen account's contacts, and
 * an admin writes a rule in the object designer and publishes it. English on a desktop, Chinese on
 * a phone.
 */
let app: E2eApp;
let acme: string;
let ada: string;

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const ACCOUNT = {
  title: 'Account',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '客户' } },
  properties: { name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } } },
};
const CONTACT = {
  title: 'Contact',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '联系人' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '姓名' } } },
    account: {
      type: 'string',
      title: 'Account',
      format: 'uuid',
      'x-ref': 'account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
    },
  },
};
const LOST = { stage: { eq: 'lost' } };
const DEAL = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } },
    amount: { type: 'number', title: 'Amount', 'x-kind': 'currency', 'x-i18n': { 'zh-CN': { title: '金额' } } },
    stage: {
      type: 'string',
      title: 'Stage',
      enum: ['new', 'won', 'lost'],
      default: 'new',
      'x-i18n': { 'zh-CN': { title: '阶段', enum: { new: '新建', won: '赢单', lost: '输单' } } },
    },
    lost_reason: {
      type: 'string',
      title: 'Lost reason',
      maxLength: 500,
      'x-i18n': { 'zh-CN': { title: '输单原因' } },
    },
    account: {
      type: 'string',
      title: 'Account',
      format: 'uuid',
      'x-ref': 'account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
    },
    contact: {
      type: 'string',
      title: 'Contact',
      format: 'uuid',
      'x-ref': 'contact',
      'x-lookup-filter': { account: '$record.account' },
      'x-i18n': { 'zh-CN': { title: '联系人' } },
    },
  },
  required: ['name'],
  'x-form-rules': [
    { fields: ['lost_reason'], effect: 'show', when: LOST },
    { fields: ['lost_reason'], effect: 'require', when: LOST },
  ],
};

/** Logged against a deal: started from the deal's related list, it gets the deal's account and contact. */
const VISIT = {
  title: 'Visit',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '拜访' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    deal: { type: 'string', title: 'Deal', format: 'uuid', 'x-ref': 'deal' },
    account: { type: 'string', title: 'Account', format: 'uuid', 'x-ref': 'account' },
    contact: {
      type: 'string',
      title: 'Contact',
      format: 'uuid',
      'x-ref': 'contact',
      'x-lookup-filter': { account: '$record.account' },
    },
  },
};

const T = {
  en: {
    stage: 'Stage',
    lost: 'Lost',
    open: 'New',
    reason: 'Lost reason',
    required: 'Required',
    create: 'Create',
    cleared: /cleared when you save: Lost reason/,
    account: 'Account',
    contact: 'Contact',
  },
  zh: {
    stage: '阶段',
    lost: '输单',
    open: '新建',
    reason: '输单原因',
    required: '必填',
    create: '创建',
    cleared: /保存时将清空：输单原因/,
    account: '客户',
    contact: '联系人',
  },
};

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2elogic' });
  await putMeta(app.tenant, '/api/meta/objects/account', ACCOUNT);
  await putMeta(app.tenant, '/api/meta/objects/contact', CONTACT);
  await putMeta(app.tenant, '/api/meta/objects/deal', DEAL);
  acme = (await createRecord(app.tenant, 'account', { name: 'Acme Corporation' })).id;
  const globex = (await createRecord(app.tenant, 'account', { name: 'Globex Industries' })).id;
  await putMeta(app.tenant, '/api/meta/objects/visit', VISIT);
  ada = (await createRecord(app.tenant, 'contact', { name: 'Ada Acme', account: acme })).id;
  await createRecord(app.tenant, 'contact', { name: 'Gus Globex', account: globex });
}, 300_000);

afterAll(async () => {
  await app?.close();
});

async function chooseChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
}

async function open(lang: 'en' | 'zh') {
  const { page, errors } = await app.newPage({ viewport: lang === 'en' ? DESKTOP : PHONE });
  await signIn(page, app.admin);
  if (lang === 'zh') await chooseChinese(page);
  return { page, errors };
}

describe('form logic in the browser', { timeout: 240_000 }, () => {
  for (const lang of ['en', 'zh'] as const) {
    const w = T[lang];
    const where = lang === 'en' ? 'desktop' : 'zh-cn-phone';

    it(`shows and requires the lost reason as the stage changes (${lang})`, async () => {
      const { page, errors } = await open(lang);
      await page.goto('/o/deal/new');
      await page.locator('#root_name').fill(`Lost deal ${lang}`);
      const reason = page.locator('#root_lost_reason');
      await page.locator('#root_stage').waitFor();
      expect(await reason.count()).toBe(0);
      await page.locator('#root_stage').selectOption({ label: w.lost });
      await reason.waitFor();
      // Marked required, and refused in the browser before anything is sent.
      await page.locator('label[for="root_lost_reason"]').getByText('*').waitFor();
      await page.getByRole('button', { name: w.create, exact: true }).click();
      await page.locator('#root_lost_reason__error').getByText(w.required).waitFor();
      await screenshot(page, `form-logic-required-${where}`);
      // Typed, then hidden again: the value is kept, and the form says the save clears it.
      await reason.fill('Chose a competitor');
      await page.locator('#root_stage').selectOption({ label: w.open });
      await expect.poll(() => reason.count()).toBe(0);
      await page.getByRole('status').getByText(w.cleared).waitFor();
      await screenshot(page, `form-logic-cleared-note-${where}`);
      await page.locator('#root_stage').selectOption({ label: w.lost });
      await expect.poll(() => reason.inputValue()).toBe('Chose a competitor');
      await page.getByRole('button', { name: w.create, exact: true }).click();
      await page.getByRole('heading', { name: `Lost deal ${lang}`, level: 1 }).waitFor();
      const id = /\/o\/deal\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
      const saved = (await app.tenant.api.get(`/api/records/deal/${id}`)).body;
      expect(saved).toMatchObject({ stage: 'lost', lost_reason: 'Chose a competitor' });
      expect(errors).toEqual([]);
    });

    it(`offers only the chosen account's contacts (${lang})`, async () => {
      const { page, errors } = await open(lang);
      await page.goto('/o/deal/new');
      await page.locator('#root_name').fill(`Picker ${lang}`);
      const account = page.locator('#root_account');
      await account.click();
      await account.fill('Acme');
      await page.getByRole('option', { name: 'Acme Corporation' }).click();
      const contact = page.locator('#root_contact');
      await contact.click();
      await page.getByRole('option', { name: 'Ada Acme' }).waitFor();
      await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
      expect(await page.getByRole('option', { name: 'Gus Globex' }).count()).toBe(0);
      await screenshot(page, `form-logic-lookup-filter-${where}`, { fullPage: false });
      await page.getByRole('option', { name: 'Ada Acme' }).click();
      await page.getByRole('button', { name: w.create, exact: true }).click();
      await page.getByRole('heading', { name: `Picker ${lang}`, level: 1 }).waitFor();
      expect(errors).toEqual([]);
    });
  }

  it('starts a record from a related list with its parent and what the parent knows (English, desktop)', async () => {
    const deal = await createRecord(app.tenant, 'deal', { name: 'Acme renewal', account: acme, contact: ada });
    const { page, errors } = await open('en');
    await page.goto(`/o/deal/${deal.id}`);
    await page.getByRole('heading', { name: 'Acme renewal', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Related' }).click();
    await page.getByRole('heading', { name: 'Visit', level: 2 }).waitFor();
    await page.getByRole('link', { name: 'New' }).last().click();
    await page.getByRole('heading', { name: 'New Visit', level: 1 }).waitFor();
    await expect.poll(() => page.locator('#root_deal').inputValue()).toBe('Acme renewal');
    // The deal brings its account and contact; the contact picker stays within that account.
    await expect.poll(() => page.locator('#root_account').inputValue()).toBe('Acme Corporation');
    await expect.poll(() => page.locator('#root_contact').inputValue()).toBe('Ada Acme');
    await screenshot(page, 'form-logic-from-related-list-desktop', { fullPage: false });
    await page.locator('#root_name').fill('Site visit');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Site visit', level: 1 }).waitFor();
    const id = /\/o\/visit\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
    expect((await app.tenant.api.get(`/api/records/visit/${id}`)).body).toMatchObject({
      deal: deal.id,
      account: acme,
      contact: ada,
    });
    expect(errors).toEqual([]);
  });

  it('lets an admin add a rule in the object designer and publish it (English, desktop)', async () => {
    const { page, errors } = await open('en');
    await page.goto('/designer/objects/deal');
    await page.getByRole('tab', { name: 'Form logic' }).click();
    // The shipped rules read back in the builder.
    await page.getByRole('group', { name: 'Rule 1', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByRole('group', { name: 'Rule 3', exact: true });
    await rule.getByLabel('Effect').selectOption({ label: 'Require when' });
    await rule.getByRole('checkbox', { name: 'Amount' }).check();
    const cond = rule.getByRole('group', { name: 'Condition of rule 3' });
    await cond.getByRole('combobox', { name: 'Field' }).first().selectOption({ label: 'Stage' });
    await cond.getByRole('combobox', { name: 'Value' }).first().selectOption({ label: 'Won' });
    await screenshot(page, 'form-logic-designer-desktop', { fullPage: false });
    await page.getByRole('button', { name: 'Publish…' }).click();
    const d = page.getByRole('dialog');
    await d.getByText(/Database steps/).waitFor();
    await screenshot(page, 'form-logic-designer-publish-desktop', { fullPage: false });
    await d.getByRole('button', { name: 'Publish', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    const meta = (await app.tenant.api.get('/api/meta')).body;
    expect(meta.objects.deal['x-form-rules'][2]).toEqual({
      fields: ['amount'],
      effect: 'require',
      when: { stage: { eq: 'won' } },
    });
    // The server enforces the new rule at once.
    const refused = await app.tenant.api.post('/api/records/deal', { name: 'Won, no amount', stage: 'won' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual({ amount: 'Required when Stage is won' });
    expect(errors).toEqual([]);
  });

  it('shows the designer tab in Chinese on a phone', async () => {
    const { page, errors } = await open('zh');
    await page.goto('/designer/objects/deal');
    await page.getByRole('tab', { name: '表单逻辑' }).click();
    await page.getByRole('group', { name: '规则 1', exact: true }).waitFor();
    await page.getByRole('heading', { name: '查找筛选' }).waitFor();
    await screenshot(page, 'form-logic-designer-zh-cn-phone');
    expect(errors).toEqual([]);
  });
});
