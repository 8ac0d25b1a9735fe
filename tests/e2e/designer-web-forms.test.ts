/**
 * The web forms designer screen (`/designer/web-forms`, docs/designer.md): an admin builds a lead
 * form from labels (two fields, a hidden source), the server's refusal (a required field of the
 * object left off) is shown at the fields without losing anything, the plan is published, the embed
 * snippets are shown, and the public page draws exactly the chosen fields. English on a desktop,
 * Chinese on a phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;
let fiona: { id: string };

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ewfd',
    server: {
      plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
      runtimeConfig: { webForms: { powCost: 100, powCounterMin: 200, powCounterMax: 600 } },
    },
    tenant: { template: 'core-crm' },
  });
  // Finance may not create leads: as a form's owner, the server refuses her.
  fiona = await app.tenant.addUser({ roles: ['finance'], name: 'Fiona Finance' });
}, 240_000);

afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

const WORDS = {
  en: {
    area: 'Web forms',
    newForm: 'New web form',
    name: 'Name',
    apiName: 'API name',
    object: 'Object',
    create: 'Create',
    addField: 'Add a field',
    contactName: 'Contact name',
    email: 'E-mail',
    company: 'Company',
    addHidden: 'Add a hidden value',
    field: 'Field',
    source: 'Source',
    sourceValue: 'Value of Source',
    publish: 'Publish',
    refused: '“Company” is required by the object',
    ownerRefused: 'Fiona Finance may not create Lead',
    fixProblems: 'Some fields need attention',
    removeEmail: 'Remove E-mail from the form',
    moveUp: 'Move Company up',
    owner: 'Owner of new records',
    planLine: (label: string) => `Web form ${label}: added`,
    published: 'Web form published',
    iframe: 'Inside your page (iframe)',
    copy: 'Copy',
    copied: 'Copied',
    active: 'Active',
  },
  zh: {
    area: '网页表单',
    newForm: '新建网页表单',
    name: '名称',
    apiName: 'API 名称',
    object: '对象',
    create: '创建',
    addField: '添加字段',
    contactName: '联系人姓名',
    email: '邮箱',
    company: '公司名称',
    addHidden: '添加隐藏值',
    field: '字段',
    source: '来源',
    sourceValue: '来源的值',
    publish: '发布',
    refused: '对象要求“公司名称”必填',
    ownerRefused: 'Fiona Finance may not create Lead',
    fixProblems: '有些字段需要处理',
    removeEmail: '从表单移除 邮箱',
    moveUp: '上移 公司名称',
    owner: '新记录的负责人',
    planLine: (label: string) => `网页表单“${label}”`,
    published: '网页表单已发布',
    iframe: '嵌入页面（iframe）',
    copy: '复制',
    copied: '已复制',
    active: '已启用',
  },
} as const;

async function buildForm(page: Page, lang: 'en' | 'zh', form: { label: string; name: string; shot: string }) {
  const w = WORDS[lang];
  await page.goto('/designer');
  await page.getByRole('link', { name: w.area }).click();
  await page.getByRole('heading', { name: w.area, level: 1 }).waitFor();
  // core-crm's own forms are listed by label, with their object's label.
  await page.getByRole('link', { name: lang === 'en' ? 'Contact us' : '联系我们', exact: true }).waitFor();
  await screenshot(page, `${form.shot}-list`);

  await page.getByRole('button', { name: w.newForm }).first().click();
  const dialog = page.getByRole('dialog', { name: w.newForm });
  await dialog.getByRole('textbox', { name: w.name, exact: true }).fill(form.label);
  await dialog.getByRole('textbox', { name: w.apiName }).fill(form.name);
  await dialog.getByRole('combobox', { name: w.object }).selectOption('lead');
  await dialog.getByRole('button', { name: w.create }).click();
  await page.getByRole('heading', { name: form.label, level: 1 }).waitFor();

  // Fields picked by label; a hidden source.
  const add = page.getByRole('combobox', { name: w.addField });
  await add.selectOption({ label: w.contactName });
  await add.selectOption({ label: w.email });
  await page.getByRole('button', { name: w.addHidden }).click();
  await page.getByRole('combobox', { name: w.field, exact: true }).selectOption({ label: w.source });
  const sourceValue = page.getByRole('combobox', { name: w.sourceValue });
  await sourceValue.selectOption('web');
  // The owner is picked by name, never by id.
  const owner = page.getByRole('combobox', { name: w.owner });
  await owner.selectOption({ label: 'Fiona Finance' });

  // Company is required by the lead and is neither shown nor hidden: said at the fields, in words.
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const fieldsError = page.locator('.f-wf-fields-error');
  await fieldsError.getByText(w.refused).waitFor();
  await page.getByText(w.fixProblems).first().waitFor();
  expect(await page.getByRole('dialog').count()).toBe(0);
  // Above the toasts at the bottom of a phone's screen.
  await fieldsError.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await screenshot(page, `${form.shot}-refused`, { fullPage: false });
  // Nothing was lost: both fields, the hidden value and the owner are still there.
  const rows = page.locator('.f-wf-rows').first().locator('li');
  expect(await rows.locator('.f-wf-row__name').allTextContents()).toEqual([w.contactName, w.email]);
  expect(await sourceValue.inputValue()).toBe('web');
  expect(await owner.inputValue()).toBe(fiona.id);

  // Swap E-mail for Company and put Company first.
  await page.getByRole('button', { name: w.removeEmail }).click();
  await add.selectOption({ label: w.company });
  await page.getByRole('button', { name: w.moveUp }).click();
  expect(await rows.locator('.f-wf-row__name').allTextContents()).toEqual([
    expect.stringContaining(w.company),
    w.contactName,
  ]);
  expect(await fieldsError.count()).toBe(0);

  // The server's own check: an owner who may not create leads, refused at the owner.
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const ownerField = page.locator('.f-wf-at', { has: owner });
  await ownerField.locator('.f-field__error').getByText(w.ownerRefused).waitFor();
  expect(await page.getByRole('dialog').count()).toBe(0);
  await owner.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await screenshot(page, `${form.shot}-refused-owner`, { fullPage: false });
  expect(await rows.locator('.f-wf-row__name').allTextContents()).toHaveLength(2);
  await owner.selectOption({ label: 'Admin' });

  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const plan = page.getByRole('dialog');
  await plan.getByText(w.planLine(form.label)).first().waitFor();
  await screenshot(page, `${form.shot}-plan`, { fullPage: false });
  await plan.getByRole('button', { name: w.publish, exact: true }).click();
  await page.getByText(w.published).first().waitFor();

  // The embed snippets of the published form, with a copy button.
  const iframe = page.getByRole('region', { name: w.iframe });
  await iframe.getByText(`/f/${app.tenant.id}/${form.name}?lang=`).waitFor();
  await iframe.getByRole('button', { name: w.copy }).click();
  await page.getByText(w.copied).first().waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain(`<iframe src="${app.server.url}/f/${app.tenant.id}/${form.name}?lang=`);
  await screenshot(page, `${form.shot}-editor`);

  const def = await app.tenant.api.get(`/api/meta`);
  expect(def.status).toBe(200);
  expect(def.body.webForms[form.name]).toMatchObject({
    object: 'lead',
    fields: [{ field: 'company' }, { field: 'contact_name' }],
    hidden: { source: 'web' },
    owner: app.tenant.admin.id,
    active: true,
    proofOfWork: true,
  });

  // Back in the list, the form and its public page.
  await page.goto('/designer/web-forms');
  const row = page.locator('tr', { has: page.getByRole('link', { name: form.label, exact: true }) });
  await row.getByText(w.active).waitFor();
  expect(await row.locator('a.f-wf-open').getAttribute('href')).toContain(`/f/${app.tenant.id}/${form.name}?lang=`);
}

async function seePublicPage(page: Page, lang: 'en' | 'zh', name: string, shot: string) {
  const w = WORDS[lang];
  await page.goto(`/f/${app.tenant.id}/${name}?lang=${lang === 'en' ? 'en' : 'zh-CN'}`);
  await page.locator('label[for="root_company"]').getByText(w.company).waitFor();
  await page.locator('label[for="root_contact_name"]').getByText(w.contactName).waitFor();
  // Only the chosen fields: the hidden source and the left-off e-mail never reach the page.
  expect(await page.locator('#root_source').count()).toBe(0);
  expect(await page.locator('#root_email').count()).toBe(0);
  await screenshot(page, shot);
}

describe('web forms designer', () => {
  it('in English at 1440x900: builds, is refused, fixes, publishes, embeds, and the public page shows the fields', async () => {
    const { page, context, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
    await signIn(page, app.admin);
    await buildForm(page, 'en', { label: 'Website leads', name: 'website_leads', shot: 'designer-web-forms-en' });
    await seePublicPage(page, 'en', 'website_leads', 'designer-web-forms-en-public');
    expect(errors).toEqual([]);
  }, 180_000);

  it('in Chinese at 390x844: the same path on a phone', async () => {
    const { page, context, errors } = await app.newPage({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await buildForm(page, 'zh', { label: '官网线索', name: 'site_leads_zh', shot: 'designer-web-forms-zh-phone' });
    await seePublicPage(page, 'zh', 'site_leads_zh', 'designer-web-forms-zh-phone-public');
    // Nothing wider than the phone.
    await page.goto('/designer/web-forms/site_leads_zh');
    await page.getByRole('heading', { name: '官网线索', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  }, 180_000);
});
