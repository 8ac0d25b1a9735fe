/**
 * Issue 21, lists: kanban board and calendar (moves through the update API, refusals shown on the
 * card), the list's state in the address (Back, shared links, broken addresses), and bulk actions
 * (update a field, owner handover, export selection) with their report of refused rows. English and
 * Chinese, desktop and phone.
 */
import fs from 'node:fs';
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

let app: E2eApp;
const ids: Record<string, string> = {};
let rep: { id: string; email: string; password: string };
let heir: { id: string };

const WON_NEEDS_DATE = {
  object: 'deal',
  event: 'validate',
  code: "if (record.stage === 'won' && !record.close_on) error('close_on', 'A won deal needs a close date');",
};

async function deal(name: string, values: Record<string, unknown>) {
  ids[name] = (await createRecord(app.tenant, 'deal', { name, amount: 1000, ...values })).id;
}

async function stored(name: string) {
  const r = await app.tenant.api.get(`/api/records/deal/${ids[name]}`);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

const column = (page: Page, title: string) =>
  page.locator('.f-kanban__column').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const card = (page: Page, name: string) => page.locator(`.f-kanban__card[data-record="${ids[name]}"]`);
async function toChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
}

const firstColumn = (page: Page) => page.locator('table.f-table tbody tr td:nth-child(2)').allTextContents();

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2elist' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/scripts/won_needs_date', WON_NEEDS_DATE);
  await putMeta(app.tenant, '/api/meta/workflows/review', {
    object: 'deal',
    label: 'Review',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'check',
        type: 'approval',
        position: { x: 0, y: 100 },
        data: { label: 'Check', approvers: [{ role: 'admin' }], mode: 'any' },
      },
      { id: 'yes', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
      { id: 'no', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'a', source: 'start', target: 'check' },
      { id: 'b', source: 'check', target: 'yes', data: { outcome: 'approved' } },
      { id: 'c', source: 'check', target: 'no', data: { outcome: 'rejected' } },
    ],
  });
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'own', update: 'own', delete: 'own' }, account: { read: 'all' } },
  });
  await deal('Alpha', { stage: 'new', close_on: '2026-12-03', amount: 1200 });
  await deal('Bravo', { stage: 'negotiation', close_on: '2026-12-10', amount: 2500 });
  await deal('Charlie', { stage: 'won', close_on: '2026-12-15', amount: 9000 });
  await deal('Delta', { stage: 'new', amount: 400 });
  await deal('Locked', { stage: 'new', close_on: '2026-12-22' });
  const submitted = await app.tenant.api.post(`/api/records/deal/${ids.Locked}/submit`, {});
  expect(submitted.status, submitted.text).toBe(201);
  const r = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rita Rep' });
  rep = r;
  heir = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Hugo Heir' });
  for (const name of ['Rita one', 'Rita two', 'Rita three']) {
    const c = await r.api.post('/api/records/deal', { name, amount: 10, stage: 'negotiation' });
    expect(c.status, c.text).toBe(201);
    ids[name] = c.body.id;
  }
});
afterAll(async () => {
  await app?.close();
});

describe('kanban, calendar and list state in the browser', { timeout: 180_000 }, () => {
  it('moves cards on a board through the update API and shows refusals on the card', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    await page.getByRole('button', { name: 'Board' }).click();
    await page.waitForURL(/type=kanban/);
    for (const title of ['New', 'Negotiation', 'Won', 'Lost']) await column(page, title).waitFor();
    await expect.poll(() => column(page, 'New').locator('.f-kanban__count [aria-hidden]').textContent()).toBe('3');
    await expect.poll(() => column(page, 'Negotiation').locator('.f-kanban__card').count()).toBe(4);

    // Drag Alpha to Won: saved through PATCH, the counts follow.
    await card(page, 'Alpha').dragTo(column(page, 'Won'));
    await column(page, 'Won').locator(`[data-record="${ids.Alpha}"]`).waitFor();
    await expect.poll(async () => (await stored('Alpha')).stage).toBe('won');
    await expect.poll(() => column(page, 'Won').locator('.f-kanban__count [aria-hidden]').textContent()).toBe('2');

    // Delta has no close date: the validation script refuses, the card goes back with the reason.
    await card(page, 'Delta').dragTo(column(page, 'Won'));
    await column(page, 'New')
      .locator(`[data-record="${ids.Delta}"]`)
      .getByRole('alert')
      .getByText('Close on: A won deal needs a close date')
      .waitFor();
    expect((await stored('Delta')).stage).toBe('new');

    // The keyboard / touch way: the card's menu. A record waiting for approval stays where it is.
    await page.getByRole('button', { name: 'Move Locked to…' }).click();
    await page.getByRole('menuitem', { name: 'Lost' }).click();
    await card(page, 'Locked').getByText('Waiting for approval').waitFor();
    expect((await stored('Locked')).stage).toBe('new');
    // Each card once: the saved move and the refetched column never show a record twice.
    await expect.poll(() => column(page, 'Won').locator('.f-kanban__card').count()).toBe(2);
    await screenshot(page, 'kanban-en', { fullPage: false });

    // The board is in the address: Back returns to the table.
    await page.goBack();
    await page.locator('table.f-table').waitFor();
    expect(page.url()).not.toContain('type=kanban');
    expect(errors).toEqual([]);
  });

  it('places records on a calendar by date and moves them by dragging', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal?type=calendar&at=2026-12-01');
    await page.getByRole('heading', { name: 'December 2026' }).waitFor();
    const day = (d: string) => page.locator(`.f-cal__day[data-day="${d}"]`);
    await day('2026-12-10').getByRole('link', { name: 'Bravo' }).waitFor();
    await page.locator(`.f-cal__chip[data-record="${ids.Bravo}"]`).dragTo(day('2026-12-17'));
    await day('2026-12-17').getByRole('link', { name: 'Bravo' }).waitFor();
    await expect.poll(async () => (await stored('Bravo')).close_on).toBe('2026-12-17');
    // A move the record's rules refuse is put back and explained.
    await page.locator(`.f-cal__chip[data-record="${ids.Locked}"]`).dragTo(day('2026-12-24'));
    await page.getByRole('alert').getByText('Locked could not move: Waiting for approval').waitFor();
    await day('2026-12-22').getByRole('link', { name: 'Locked' }).waitFor();
    await screenshot(page, 'calendar-en', { fullPage: false });

    await page.getByRole('button', { name: 'Week' }).click();
    await page.waitForURL(/cal=week/);
    await day('2026-12-03').waitFor();
    // The week may still be loading its records (the grid is drawn again when they come): wait for it.
    await expect.poll(() => page.locator('.f-cal__day').count()).toBe(7);
    await page.getByRole('button', { name: 'Next' }).click();
    await day('2026-12-10').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await day('2026-12-17').getByRole('link', { name: 'Bravo' }).waitFor();
    await screenshot(page, 'calendar-week-en', { fullPage: false });
    // Each step is in the address: Back goes one week back.
    await page.goBack();
    await day('2026-12-10').waitFor();
    expect(errors).toEqual([]);
  });

  it('keeps search, filters and sort in the address: Back restores them, links share them, bad parts are explained', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    await page.getByRole('searchbox', { name: 'Search Deal' }).fill('Charlie');
    await page.waitForURL(/q=Charlie/);
    await expect.poll(() => firstColumn(page)).toEqual(['Charlie']);
    await page.getByRole('link', { name: 'Charlie' }).click();
    await page.getByRole('heading', { name: 'Charlie', level: 1 }).waitFor();
    await page.goBack();
    await expect.poll(() => page.getByRole('searchbox', { name: 'Search Deal' }).inputValue()).toBe('Charlie');
    await expect.poll(() => firstColumn(page)).toEqual(['Charlie']);

    // A shared link: filters and sort as someone else left them.
    const f = encodeURIComponent(JSON.stringify([['stage', 'eq', 'new']]));
    await page.goto(`/o/deal?f=${f}&sort=amount`);
    await page.getByRole('button', { name: 'Filters (1)' }).waitFor();
    await expect.poll(() => firstColumn(page)).toEqual(['Delta', 'Locked']);

    // Two changes one task apart (a quick double action): the second must not drop the first while
    // the address is still catching up.
    await page.goto('/o/deal');
    await page.locator('table.f-table tbody tr').first().waitFor();
    const quick = [
      await page.locator('table.f-table thead').getByRole('button', { name: 'Amount' }).elementHandle(),
      await page.getByRole('button', { name: 'Board' }).elementHandle(),
    ];
    await page.evaluate(async ([sortHeader, kanban]) => {
      (sortHeader as HTMLButtonElement).click();
      await Promise.resolve();
      (kanban as HTMLButtonElement).click();
    }, quick);
    await expect.poll(() => new URL(page.url()).searchParams.get('type')).toBe('kanban');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('amount');
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('type')).toBe(null);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('amount');

    // A broken address: the list still works, the parts left out are named.
    await page.goto('/o/deal?type=gallery&f=oops&sort=-nope&at=2026-13-01');
    const alert = page.getByRole('alert').filter({ hasText: 'could not be used' });
    await alert.getByText('“gallery” is not a way to show a list.').waitFor();
    await alert.getByText('This list cannot be sorted by “-nope”.').waitFor();
    await alert.getByText('The filters in the address are not readable.').waitFor();
    await page.locator('table.f-table tbody tr').first().waitFor();
    await screenshot(page, 'list-bad-address');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});

describe('bulk actions in the browser', { timeout: 180_000 }, () => {
  it('updates a field on a selection and reports the rows refused, with names and reasons', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal?sort=name');
    await page.getByRole('checkbox', { name: 'Select Delta' }).check();
    await page.getByRole('checkbox', { name: 'Select Locked' }).check();
    await page.getByRole('checkbox', { name: 'Select Charlie' }).check();
    await page.getByRole('button', { name: 'Update a field…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Update 3 records' });
    await dialog.getByRole('combobox', { name: 'Field' }).selectOption({ label: 'Stage' });
    await dialog.getByRole('combobox', { name: 'New value' }).selectOption({ label: 'Lost' });
    await screenshot(page, 'bulk-update-en', { fullPage: false });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    const report = page.getByRole('dialog', { name: 'Done: 2 changed, 1 refused' });
    await report.getByText('Locked').waitFor();
    await report.getByText('The record is pending approval and cannot be edited').waitFor();
    await screenshot(page, 'bulk-report-en', { fullPage: false });
    await report.getByRole('button', { name: 'Close' }).first().click();
    expect((await stored('Delta')).stage).toBe('lost');
    expect((await stored('Charlie')).stage).toBe('lost');
    const history = (await app.tenant.api.get(`/api/records/deal/${ids.Delta}/history`)).body.items;
    expect(history[0]).toMatchObject({ cause: { kind: 'bulk' } });
    expect(errors).toEqual([]);
  });

  it('hands all of a rep’s records to another in one step, and exports only the selection', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal?sort=name');
    await page.getByRole('checkbox', { name: 'Select Alpha' }).check();
    await page.getByRole('checkbox', { name: 'Select Bravo' }).check();

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export selection' }).click();
    await page.getByRole('menuitem', { name: 'CSV file' }).click();
    const file = fs.readFileSync((await (await download).path())!, 'utf8');
    expect(file).toContain('Alpha');
    expect(file).toContain('Bravo');
    expect(file).not.toContain('Charlie');

    await page.getByRole('button', { name: 'Change owner…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the owner' });
    await dialog.getByRole('combobox', { name: 'New owner' }).selectOption({ label: 'Hugo Heir' });
    await dialog.getByRole('combobox', { name: 'All records of' }).selectOption({ label: 'Rita Rep' });
    await screenshot(page, 'bulk-owner-en', { fullPage: false });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('3 records changed.').first().waitFor();
    for (const name of ['Rita one', 'Rita two', 'Rita three']) expect((await stored(name)).owner).toBe(heir.id);
    expect((await stored('Alpha')).owner).toBe(app.tenant.admin.id);
    const theirs = await app.tenant.login(rep.email, rep.password);
    expect((await theirs.get('/api/records/deal')).body.items).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('in Chinese, on a phone', { timeout: 180_000 }, () => {
  it('shows the board, the calendar and the bulk bar in Chinese', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await toChinese(page);
    await page.goto('/o/deal?type=kanban');
    for (const title of ['新建', '谈判', '赢单', '输单']) await column(page, title).waitFor();
    await page.getByRole('button', { name: '将“Bravo”移动到…' }).click();
    await page.getByRole('menuitem', { name: '赢单' }).click();
    await column(page, '赢单').locator(`[data-record="${ids.Bravo}"]`).waitFor();
    await expect.poll(async () => (await stored('Bravo')).stage).toBe('won');
    await screenshot(page, 'kanban-zh-cn-phone', { fullPage: false });

    await page.goto('/o/deal?type=calendar&at=2026-12-01');
    await page.getByRole('heading', { name: '2026年12月' }).waitFor();
    await page.getByRole('button', { name: '周' }).waitFor();
    await screenshot(page, 'calendar-zh-cn-phone', { fullPage: false });

    await page.goto('/o/deal?sort=name');
    await page.getByRole('checkbox', { name: /Alpha/ }).check();
    await page.getByRole('button', { name: '更改负责人…' }).waitFor();
    await page.getByRole('button', { name: '导出所选记录' }).waitFor();
    await screenshot(page, 'bulk-bar-zh-cn-phone', { fullPage: false });
    expect(errors).toEqual([]);
  });

  it('shows the board and calendar in Chinese on a desktop, and a broken address in Chinese', async () => {
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, app.admin);
    await toChinese(page);
    await page.goto('/o/deal?type=kanban');
    await column(page, '新建').waitFor();
    await screenshot(page, 'kanban-zh-cn', { fullPage: false });
    await page.goto('/o/deal?type=calendar&at=2026-12-01');
    await page.getByRole('heading', { name: '2026年12月' }).waitFor();
    await screenshot(page, 'calendar-zh-cn', { fullPage: false });
    await page.goto('/o/deal?type=gallery');
    await page.getByText('“gallery”不是列表的显示方式。').waitFor();

    // A large column loads a page of cards at a time; its count is the column's real total.
    for (let i = 0; i < 26; i += 1)
      await createRecord(app.tenant, 'deal', { name: `Bulk lost ${i}`, amount: 1, stage: 'lost' });
    await page.goto('/o/deal?type=kanban');
    const lost = column(page, '输单');
    await expect.poll(() => lost.locator('.f-kanban__count [aria-hidden]').textContent()).toBe('28');
    await expect.poll(() => lost.locator('.f-kanban__card').count()).toBe(25);
    await lost.getByRole('button', { name: '加载更多' }).click();
    await expect.poll(() => lost.locator('.f-kanban__card').count()).toBe(28);
    expect(errors).toEqual([]);
  });
});
