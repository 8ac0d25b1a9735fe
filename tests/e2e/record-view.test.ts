import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/**
 * The record page as a rep reads it (issue 21): a read view with a highlights panel, the form's
 * sections, inline edit and a stage path guarded by validation; the activity timeline; the global
 * search palette. In English on a laptop and in Chinese on a phone.
 */
let app: E2eApp;
let acme: string;
let globex: string;

const ACTIVITY = {
  title: 'Activity',
  type: 'object',
  'x-label-field': 'subject',
  'x-timeline': true,
  'x-i18n': { 'zh-CN': { title: '活动' } },
  properties: {
    subject: { type: 'string', title: 'Subject', maxLength: 200 },
    deal: { type: 'string', title: 'Deal', format: 'uuid', 'x-ref': 'deal' },
    notes: { type: 'string', title: 'Notes', 'x-kind': 'textarea', maxLength: 2000 },
  },
};

const CONTACT = {
  title: 'Contact',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    account: { type: 'string', title: 'Account', format: 'uuid', 'x-ref': 'account' },
  },
};

/** A quote-like object: its deal brings the account; its contact is one of the account's. */
const OFFER = {
  title: 'Offer',
  type: 'object',
  'x-label-field': 'name',
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

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eread' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/objects/activity', ACTIVITY);
  // Winning needs a close date: the stage path must show the refusal and keep the stage.
  await putMeta(app.tenant, '/api/meta/scripts/won_needs_date', {
    object: 'deal',
    event: 'validate',
    code: "if (record.stage === 'won' && !record.close_on) error('stage', 'Set the close date before winning');",
  });
  await putMeta(app.tenant, '/api/meta/forms/deal', {
    object: 'deal',
    uiSchema: { 'ui:order': ['name', 'account', 'amount', 'stage', 'close_on', 'discount', 'number', 'notes', '*'] },
    layout: [
      { title: 'Deal', fields: ['name', 'account', 'amount', 'close_on'] },
      { title: 'Stage', fields: ['stage', 'discount', 'number', 'notes'] },
    ],
  });
  acme = (await createRecord(app.tenant, 'account', { name: 'Acme Corporation', city: 'Shanghai' })).id;
  globex = (await createRecord(app.tenant, 'account', { name: 'Globex Industries', city: 'Beijing' })).id;
  await putMeta(app.tenant, '/api/meta/objects/contact', CONTACT);
  await putMeta(app.tenant, '/api/meta/objects/offer', OFFER);
  await createRecord(app.tenant, 'contact', { name: 'Ada Acme', account: acme });
  await createRecord(app.tenant, 'contact', { name: 'Gus Globex', account: globex });
}, 240_000);

afterAll(async () => {
  await app?.close();
});

async function newDeal(name: string): Promise<string> {
  const deal = await createRecord(app.tenant, 'deal', { name, amount: 5000, stage: 'new', account: acme });
  const moved = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { account: globex, amount: 5200 });
  expect(moved.status, moved.text).toBe(200);
  const note = await app.tenant.api.post('/api/records/activity', {
    subject: 'Kick-off call',
    deal: deal.id,
    notes: 'They want a pilot in March.',
  });
  expect(note.status, note.text).toBe(201);
  return deal.id;
}

const server = (id: string) => app.tenant.api.get(`/api/records/deal/${id}`).then((r) => r.body);

async function chooseChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
}

describe('record read view, timeline and global search', { timeout: 240_000 }, () => {
  it('reads a record, edits fields in place, moves its stage and shows its timeline (English, laptop)', async () => {
    const id = await newDeal('Zeta rollout');
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await signIn(page, app.admin);
    await page.goto(`/o/deal/${id}`);
    await page.getByRole('heading', { name: 'Zeta rollout', level: 1 }).waitFor();

    // Highlights: the key fields, lookups by name.
    const highlights = page.getByRole('region', { name: 'Key fields' });
    await highlights.getByRole('link', { name: 'Globex Industries' }).waitFor();
    await highlights.getByText('5,200.00').waitFor();
    await page.getByRole('region', { name: 'Stage' }).waitFor();
    await page.getByRole('button', { name: 'New (current stage)' }).waitFor();
    await screenshot(page, 'record-read-view');

    // Inline edit: a bad value is refused at the field, Escape puts the old value back.
    await highlights.getByRole('button', { name: 'Edit Amount' }).click();
    const amount = highlights.getByRole('spinbutton', { name: 'Amount' });
    await amount.fill('-5');
    await amount.press('Enter');
    await highlights.getByRole('alert').waitFor();
    await screenshot(page, 'record-inline-error', { fullPage: false });
    await amount.press('Escape');
    await highlights.getByRole('button', { name: 'Edit Amount' }).getByText('5,200.00').waitFor();
    expect(await highlights.getByRole('alert').count()).toBe(0);
    expect((await server(id)).amount).toBe(5200);
    // Enter saves through the records API.
    await highlights.getByRole('button', { name: 'Edit Amount' }).click();
    await highlights.getByRole('spinbutton', { name: 'Amount' }).fill('7500');
    await highlights.getByRole('spinbutton', { name: 'Amount' }).press('Enter');
    await highlights.getByRole('button', { name: 'Edit Amount' }).getByText('7,500.00').waitFor();
    expect((await server(id)).amount).toBe(7500);

    // Stage path: the validation rule refuses "Won" without a close date; nothing is lost.
    await page.getByRole('button', { name: 'Move to Won' }).click();
    await page.getByRole('alert').filter({ hasText: 'Set the close date before winning' }).waitFor();
    await screenshot(page, 'record-stage-refused', { fullPage: false });
    expect((await server(id)).stage).toBe('new');
    // With a close date (edited in place, saved when the field is left), the move goes through.
    await page.getByRole('button', { name: 'Edit Close on' }).first().click();
    await page.getByLabel('Close on', { exact: true }).first().fill('2026-12-31');
    await page.getByLabel('Close on', { exact: true }).first().blur();
    await expect.poll(async () => (await server(id)).close_on).toBe('2026-12-31');
    await page.getByRole('button', { name: 'Move to Won' }).click();
    await page.getByRole('button', { name: 'Won (current stage)' }).waitFor();
    expect((await server(id)).stage).toBe('won');

    // The full form is still one click away.
    await page.getByRole('button', { name: 'Edit all fields' }).click();
    await expect.poll(() => page.locator('#root_amount').inputValue()).toMatch(/^7,?500/);
    await page.getByRole('button', { name: 'Back to the record' }).click();
    await page.getByRole('region', { name: 'Key fields' }).waitFor();

    // Timeline: changes with names, the activity logged against the deal.
    await page.getByRole('tab', { name: 'Activity' }).click();
    const timeline = page.getByRole('list', { name: 'Activity' });
    await timeline.getByRole('link', { name: 'Kick-off call' }).waitFor();
    await timeline.getByText('They want a pilot in March.').waitFor();
    await timeline.getByText('Acme Corporation').first().waitFor();
    await timeline.getByText('Globex Industries').first().waitFor();
    expect(await timeline.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await screenshot(page, 'record-timeline');
    expect(errors).toEqual([]);
  });

  it('finds records from anywhere with Ctrl-K, by keyboard (English, laptop)', async () => {
    await newDeal('Acme renewal');
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await signIn(page, app.admin);
    await page.keyboard.press('Control+k');
    const input = page.getByRole('combobox', { name: 'Search records' });
    await input.waitFor();
    await input.fill('acme');
    const list = page.getByRole('listbox', { name: 'Results' });
    await list.getByRole('group', { name: 'Account' }).getByRole('option', { name: 'Acme Corporation' }).waitFor();
    await list.getByRole('group', { name: 'Deal' }).getByRole('option', { name: 'Acme renewal' }).waitFor();
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    await screenshot(page, 'global-search', { fullPage: false });
    // The first result is highlighted; ↓ moves to the deal, Enter opens it.
    expect(await list.getByRole('option', { selected: true }).textContent()).toContain('Acme Corporation');
    await input.press('ArrowDown');
    expect(await list.getByRole('option', { selected: true }).textContent()).toContain('Acme renewal');
    await input.press('Enter');
    await page.getByRole('heading', { name: 'Acme renewal', level: 1 }).waitFor();
    // Search by a searchable field; Escape closes and nothing opens.
    await page.keyboard.press('Control+k');
    await page.getByRole('combobox', { name: 'Search records' }).fill('shanghai');
    await page
      .getByRole('option', { name: /Acme Corporation/ })
      .getByText('City: Shanghai')
      .waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('combobox', { name: 'Search records' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Acme renewal', level: 1 }).waitFor();
    expect(errors).toEqual([]);
  });

  it("helps fill a form: a deal brings its account, the contact picker offers that account's contacts", async () => {
    await createRecord(app.tenant, 'deal', { name: 'Helios upgrade', amount: 100, account: globex });
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await signIn(page, app.admin);
    await page.goto('/o/offer/new');
    await page.locator('#root_name').fill('Helios offer');
    const deal = page.locator('#root_deal');
    await deal.click();
    await deal.fill('Helios');
    await page.getByRole('option', { name: 'Helios upgrade' }).click();
    // The deal's account arrives before saving.
    await expect.poll(() => page.locator('#root_account').inputValue()).toBe('Globex Industries');
    const contact = page.locator('#root_contact');
    await contact.click();
    await page.getByRole('option', { name: 'Gus Globex' }).waitFor();
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    expect(await page.getByRole('option', { name: 'Ada Acme' }).count()).toBe(0);
    await screenshot(page, 'form-lookup-filter', { fullPage: false });
    await page.getByRole('option', { name: 'Gus Globex' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Helios offer', level: 1 }).waitFor();
    const id = /\/o\/offer\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
    const saved = (await app.tenant.api.get(`/api/records/offer/${id}`)).body;
    expect(saved.account).toBe(globex);
    expect(errors).toEqual([]);
  });

  it('works in Chinese on a phone: read view, stage path, timeline and search', async () => {
    const id = await newDeal('Omega pilot');
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await chooseChinese(page);
    await page.goto(`/o/deal/${id}`);
    await page.getByRole('heading', { name: 'Omega pilot', level: 1 }).waitFor();
    const highlights = page.getByRole('region', { name: '关键信息' });
    await highlights.getByRole('link', { name: 'Globex Industries' }).waitFor();
    await page.getByRole('button', { name: '新建（当前阶段）' }).waitFor();
    await screenshot(page, 'record-read-view-zh-cn-phone');
    await page.getByRole('button', { name: '推进到 谈判' }).click();
    await page.getByRole('button', { name: '谈判（当前阶段）' }).waitFor();
    await highlights.getByRole('button', { name: '编辑金额' }).click();
    await highlights.getByRole('spinbutton', { name: '金额' }).fill('9000');
    await highlights.getByRole('spinbutton', { name: '金额' }).press('Enter');
    await highlights.getByText('9,000.00').waitFor();

    await page.getByRole('tab', { name: '动态' }).click();
    const timeline = page.getByRole('list', { name: '动态' });
    await timeline.getByRole('link', { name: 'Kick-off call' }).waitFor();
    await timeline.getByText('修改了').first().waitFor();
    await screenshot(page, 'record-timeline-zh-cn-phone');

    await page.getByRole('button', { name: '搜索记录' }).click();
    await page.getByRole('combobox', { name: '搜索记录' }).fill('omega');
    await page.getByRole('group', { name: '商机' }).getByRole('option', { name: 'Omega pilot' }).waitFor();
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    await screenshot(page, 'global-search-zh-cn-phone', { fullPage: false });
    await page.getByRole('combobox', { name: '搜索记录' }).press('Enter');
    await expect.poll(() => page.getByRole('combobox', { name: '搜索记录' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
