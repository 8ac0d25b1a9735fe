import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecord,
  type E2eApp,
  putMeta,
  screenshot,
  seedSalesModel,
  signIn,
  startE2eApp,
  VIEWPORTS,
} from './support';

type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

let app: E2eApp;
let manager: User;
let rep: User;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eauto' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'own', update: 'own', delete: false }, account: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/roles/sales_manager', {
    label: 'Manager',
    objects: { deal: { read: 'subordinates' }, account: { read: 'all' } },
  });
  manager = await app.tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager' });
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
});

afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

/** The words of each language the flow clicks and reads (the app's own strings). */
const WORDS = {
  en: {
    area: 'Automation rules',
    empty: 'No automation rules yet',
    newRule: 'New rule',
    name: 'Name',
    apiName: 'API name',
    object: 'Object',
    create: 'Create',
    when: 'When',
    watch: 'Only when this field changes',
    changedTo: 'Changed to',
    addCondition: 'Add condition',
    field: 'Field',
    operator: 'Comparison',
    value: 'Value',
    notify: 'Notify (and e-mail)',
    title: 'Title',
    owner: 'Record owner',
    managerOfOwner: "Owner's manager",
    publish: 'Publish',
    required: 'Required',
    fixProblems: 'Some fields need attention',
    testRecord: 'Record',
    runTest: 'Run test',
    wouldNotify: 'would notify Mia Manager',
    wouldRun: 'The actions would run',
    confirm: 'Publish',
    planLine: (label: string) => `Automation ${label}: added`,
    published: 'Rule published',
    moveToWon: 'Move to Won',
    wonCurrent: 'Won (current stage)',
    refresh: 'Refresh',
    succeeded: 'Succeeded',
    runLog: 'Run log',
  },
  zh: {
    area: '自动化规则',
    empty: '还没有自动化规则',
    newRule: '新建规则',
    name: '名称',
    apiName: 'API 名称',
    object: '对象',
    create: '创建',
    when: '何时运行',
    watch: '仅当此字段变化时',
    changedTo: '变为',
    addCondition: '添加条件',
    field: '字段',
    operator: '比较方式',
    value: '值',
    notify: '通知（并发邮件）',
    title: '标题',
    owner: '记录负责人',
    managerOfOwner: '负责人的上级',
    publish: '发布',
    required: '必填',
    fixProblems: '有字段需要修改',
    testRecord: '记录',
    runTest: '试运行',
    wouldNotify: '将通知 Mia Manager',
    wouldRun: '将执行以下操作',
    confirm: '发布',
    planLine: (label: string) => `自动化规则“${label}”：已新增`,
    published: '规则已发布',
    moveToWon: '推进到 赢单',
    wonCurrent: '赢单（当前阶段）',
    refresh: '刷新',
    succeeded: '成功',
    runLog: '运行记录',
  },
} as const;

/**
 * The admin's whole path in one language: a rule "stage changed to won, amount at least 1000 →
 * notify the owner's manager", a refusal at the field, a test run, publishing through the plan, a
 * record edit that triggers it, and the run in the rule's log.
 */
async function buildRule(page: Page, lang: 'en' | 'zh', rule: { label: string; name: string; deal: string }) {
  const w = WORDS[lang];
  await page.goto('/designer');
  await page.getByRole('link', { name: w.area }).click();
  await page.getByRole('heading', { name: w.area, level: 1 }).waitFor();
  await page.getByRole('button', { name: w.newRule }).first().click();
  const dialog = page.getByRole('dialog', { name: w.newRule });
  await dialog.getByRole('textbox', { name: w.name, exact: true }).fill(rule.label);
  await dialog.getByRole('textbox', { name: w.apiName }).fill(rule.name);
  await dialog.getByRole('combobox', { name: w.object }).selectOption('deal');
  await dialog.getByRole('button', { name: w.create }).click();
  await page.getByRole('heading', { name: rule.label, level: 1 }).waitFor();

  // Trigger: stage changed to won.
  await page.getByRole('combobox', { name: w.when, exact: true }).selectOption('update');
  await page.getByRole('combobox', { name: w.watch }).selectOption('stage');
  await page.getByRole('combobox', { name: w.changedTo }).selectOption('won');

  // Condition: amount at least 1000, picked from the object's fields by label.
  await page.getByRole('button', { name: w.addCondition, exact: true }).click();
  const row = page.locator('.f-cond__row').first();
  await row.getByRole('combobox', { name: w.field }).selectOption('amount');
  await row.getByRole('combobox', { name: w.operator }).selectOption('gte');
  await row.getByRole('spinbutton', { name: w.value }).fill('1000');

  // Action: notify, with the title forgotten: publishing says so at the field.
  await page.getByRole('button', { name: w.notify }).click();
  await page.getByRole('checkbox', { name: w.owner }).uncheck();
  await page.getByRole('checkbox', { name: w.managerOfOwner }).check();
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const title = page.getByRole('textbox', { name: w.title });
  await page.locator('.f-field--invalid').filter({ has: title }).getByText(w.required).waitFor();
  expect(await title.getAttribute('aria-invalid')).toBe('true');
  await page.getByText(w.fixProblems).first().waitFor();

  // A placeholder naming no field: the server's check, shown at the same field.
  await title.fill('{{record.nope}}');
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  await page.locator('.f-field--invalid').filter({ has: title }).getByText('nope').waitFor();
  await title.scrollIntoViewIfNeeded();
  await screenshot(page, `designer-automation-refused-${lang}`, { fullPage: false });
  await title.fill('Deal {{record.name}} won');

  // Test run on a record: what would happen, nothing saved.
  const side = page.locator('.f-auto-side');
  await side.getByRole('combobox', { name: w.testRecord }).selectOption({ label: rule.deal });
  await side.getByRole('button', { name: w.runTest }).click();
  await side.getByText(w.wouldNotify).waitFor();
  await side.getByText(w.wouldRun).waitFor();
  await screenshot(page, `designer-automation-editor-${lang}`);

  // Publish through the plan, which names the rule by its label.
  await page.getByRole('button', { name: w.publish, exact: true }).click();
  const plan = page.getByRole('dialog');
  await plan.getByText(w.planLine(rule.label), { exact: true }).waitFor();
  await screenshot(page, `designer-automation-plan-${lang}`, { fullPage: false });
  await plan.getByRole('button', { name: w.confirm, exact: true }).click();
  await page.getByText(w.published).first().waitFor();
}

async function triggerAndSeeRun(page: Page, lang: 'en' | 'zh', rule: { name: string; deal: string; id: string }) {
  const w = WORDS[lang];
  // The record's stage path, as a user moves a deal on.
  await page.goto(`/o/deal/${rule.id}`);
  await page.getByRole('heading', { name: rule.deal, level: 1 }).waitFor();
  await page.getByRole('button', { name: w.moveToWon }).click();
  await page.getByRole('button', { name: w.wonCurrent }).waitFor();
  await app.server.runtime.outbox.drain();

  await page.goto(`/designer/automations/${rule.name}`);
  const run = page.locator('.f-auto-runs tr', { hasText: rule.deal });
  // The rule runs after the save's commit; a busy machine may take a while, so wait on the row itself.
  const deadline = Date.now() + 90_000;
  while (!(await run.count()) && Date.now() < deadline) {
    await app.server.runtime.outbox.drain();
    await page.getByRole('button', { name: w.refresh }).click();
    await page.waitForTimeout(250);
  }
  await run.getByText(w.succeeded).waitFor();
  await page.getByRole('heading', { name: w.runLog }).waitFor();
  await screenshot(page, `designer-automation-runlog-${lang}`);
  const notes = await manager.api.get('/api/notifications');
  expect(notes.body.items.map((n: { title: string }) => n.title)).toContain(`Deal ${rule.deal} won`);
}

describe('automation rules designer', { timeout: 300_000 }, () => {
  it('in English: builds, refuses at the field, test-runs, publishes; an edit runs it and the log shows it', async () => {
    const deal = await createRecord(app.tenant, 'deal', { name: 'Big deal', amount: 5000, stage: 'negotiation' });
    // Owned by the rep, whose manager is notified.
    const own = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { owner: rep.id, version: deal.version });
    expect(own.status, own.text).toBe(200);
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/designer/automations');
    await page.getByText(WORDS.en.empty).waitFor();
    await buildRule(page, 'en', { label: 'Deal won → notify manager', name: 'deal_won_notify', deal: 'Big deal' });
    await triggerAndSeeRun(page, 'en', { name: 'deal_won_notify', deal: 'Big deal', id: deal.id });
    expect(errors).toEqual([]);
  });

  it('in Chinese: the same path, with messages and labels in Chinese', async () => {
    const deal = await createRecord(app.tenant, 'deal', { name: '大单', amount: 8000, stage: 'new' });
    const own = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { owner: rep.id, version: deal.version });
    expect(own.status, own.text).toBe(200);
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await buildRule(page, 'zh', { label: '赢单通知经理', name: 'won_zh', deal: '大单' });
    await triggerAndSeeRun(page, 'zh', { name: 'won_zh', deal: '大单', id: deal.id });
    expect(errors).toEqual([]);
  });

  it('on a phone the editor stacks and stays usable', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/designer/automations/deal_won_notify');
    await page.getByRole('heading', { name: 'Deal won → notify manager', level: 1 }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'designer-automation-phone');
  });
});
