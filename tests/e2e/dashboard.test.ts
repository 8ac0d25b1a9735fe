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

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2edash' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/objects/invoice', {
    title: 'Invoice',
    type: 'object',
    'x-label-field': 'number',
    'x-i18n': { 'zh-CN': { title: '发票' } },
    properties: {
      number: { type: 'string', title: 'Number', maxLength: 40 },
      due_on: { type: 'string', title: 'Due on', format: 'date' },
      balance: { type: 'number', title: 'Balance', 'x-kind': 'currency' },
    },
  });
  for (const [name, amount, stage, close_on] of [
    ['Alpha', 10_000, 'new', '2026-01-15'],
    ['Bravo', 25_000, 'negotiation', '2026-02-10'],
    ['Charlie', 40_000, 'won', '2026-02-20'],
    ['Delta', 5_000, 'lost', '2026-03-05'],
  ] as const)
    await createRecord(app.tenant, 'deal', { name, amount, stage, close_on });
  for (const [number, due, balance] of [
    ['INV-1', daysAgo(-10), 1000],
    ['INV-2', daysAgo(15), 2500],
    ['INV-3', daysAgo(75), 800],
    ['INV-4', daysAgo(120), 4000],
  ] as const)
    await createRecord(app.tenant, 'invoice', { number, due_on: due, balance });
});
afterAll(async () => {
  await app?.close();
});

const chartTable = (page: Awaited<ReturnType<E2eApp['newPage']>>['page'], caption: RegExp) =>
  page.locator('figure.f-chart table', { has: page.locator('caption', { hasText: caption }) });

describe('home dashboard', { timeout: 120_000 }, () => {
  it('charts the funnel by stage, amounts by month and receivables aging, in both languages', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.locator('.recharts-surface').first().waitFor();
    await expect.poll(() => page.locator('figure.f-chart').count()).toBe(3);
    const funnel = chartTable(page, /Sales funnel/);
    // In the order of the stage's enum, with the stage labels.
    expect(await funnel.locator('th').allTextContents()).toEqual(['New', 'Negotiation', 'Won', 'Lost']);
    expect(
      await chartTable(page, /Amounts by month/)
        .locator('th')
        .allTextContents(),
    ).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(
      await chartTable(page, /Receivables aging/)
        .locator('th')
        .allTextContents(),
    ).toEqual(['Not yet due', '1–30 days', '61–90 days', 'Over 90 days']);
    await screenshot(page, 'home-dashboard');

    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('heading', { name: '按阶段的销售漏斗 · 商机' }).waitFor();
    expect(
      await chartTable(page, /销售漏斗/)
        .locator('th')
        .allTextContents(),
    ).toEqual(['新建', '谈判', '赢单', '输单']);
    await screenshot(page, 'home-dashboard-zh-cn');

    // The list and the form speak Chinese too: object, field and enum labels from x-i18n.
    await page.goto('/o/deal');
    await page.getByRole('heading', { name: '商机', level: 1 }).waitFor();
    await page.getByRole('button', { name: '金额' }).waitFor();
    await page.getByRole('cell', { name: '赢单' }).waitFor();
    await screenshot(page, 'list-zh-cn');
    await page.getByRole('link', { name: 'Charlie' }).click();
    await page.getByText('名称').first().waitFor();
    await page.getByRole('tab', { name: '历史' }).waitFor();
    await screenshot(page, 'record-zh-cn');
    // The choice is the user's on every browser (their profile's locale): back to English for the
    // tests after this one.
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: 'English' }).click();
    await expect.poll(async () => (await app.tenant.api.get('/api/auth/me')).body.user.locale).toBe('en');
    expect(errors).toEqual([]);
  });

  it('renders the role dashboard from its reports; an admin adds a widget, reorders, saves, and it stays', async () => {
    await putMeta(app.tenant, '/api/meta/reports/deals_by_stage', {
      label: 'Deals by stage',
      object: 'deal',
      groupBy: [{ field: 'stage' }],
      aggregates: [{ fn: 'sum', field: 'amount', as: 'amount' }],
      chart: 'funnel',
    });
    await putMeta(app.tenant, '/api/meta/reports/won_by_month', {
      label: 'Won by month',
      object: 'deal',
      filter: { stage: { eq: 'won' } },
      groupBy: [{ field: 'close_on', bucket: 'month', as: 'month' }],
      aggregates: [{ fn: 'sum', field: 'amount', as: 'won' }],
      chart: 'line',
    });
    await putMeta(app.tenant, '/api/meta/reports/invoice_aging', {
      label: 'Invoice aging',
      object: 'invoice',
      groupBy: [{ field: 'due_on', bucket: 'aging', as: 'age' }],
      aggregates: [{ fn: 'sum', field: 'balance', as: 'balance' }],
      chart: 'pie',
    });
    await putMeta(app.tenant, '/api/meta/dashboards/admin_home', {
      label: 'Admin home',
      roles: ['admin'],
      widgets: [{ report: 'deals_by_stage', width: 'half' }, { report: 'invoice_aging' }],
    });
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await expect.poll(() => page.locator('figure.f-chart').count()).toBe(2);
    // The funnel keeps the stage enum order and labels.
    expect(
      await chartTable(page, /Deals by stage/)
        .locator('th')
        .allTextContents(),
    ).toEqual(['New', 'Negotiation', 'Won', 'Lost']);

    await page.getByRole('button', { name: 'Edit dashboard' }).click();
    const widgets = page.getByRole('list', { name: 'Widgets' });
    await widgets.waitFor();
    await page.getByLabel('Report', { exact: true }).selectOption({ label: 'Won by month' });
    await page.getByRole('button', { name: 'Add widget' }).click();
    await page.getByRole('button', { name: 'Move Won by month up' }).click();
    await page.getByRole('button', { name: 'Remove Invoice aging' }).click();
    expect(await widgets.locator('li').allTextContents()).toEqual(['Deals by stage', 'Won by month']);
    await screenshot(page, 'home-dashboard-editing');
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await page.getByText('Dashboard saved', { exact: true }).waitFor();
    // Let the refetched widgets settle before reloading, so no request is cut off mid-flight.
    await widgets.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('figure.f-chart').count()).toBe(2);
    await page.locator('.recharts-surface').nth(1).waitFor();

    await page.reload();
    await expect.poll(() => page.locator('figure.f-chart').count()).toBe(2);
    expect(await page.locator('.f-home__chart .f-card__title').allTextContents()).toEqual([
      'Deals by stage',
      'Won by month',
    ]);
    expect(
      await chartTable(page, /Won by month/)
        .locator('th')
        .allTextContents(),
    ).toEqual(['2026-02']);
    await screenshot(page, 'home-dashboard-reports');
    const saved = await app.tenant.api.get('/api/meta');
    expect(saved.body.dashboards.admin_home).toMatchObject({
      label: 'Admin home',
      roles: ['admin'],
      widgets: [
        { report: 'deals_by_stage', width: 'half' },
        { report: 'won_by_month', width: 'half' },
      ],
    });
    expect(errors).toEqual([]);
  });

  it('is usable on a tablet: list and form fit, and work from the keyboard', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.tablet });
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    await page.getByRole('link', { name: 'Charlie' }).waitFor();
    // Nothing spills sideways out of the page (the table scrolls inside its own frame).
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'list-tablet');

    // Keyboard only: search, then open the record from its link.
    await page.getByRole('searchbox', { name: 'Search Deal' }).focus();
    await page.keyboard.type('Bravo');
    await page.getByRole('link', { name: 'Bravo' }).waitFor();
    await expect.poll(() => page.locator('table.f-table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Bravo' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Bravo', level: 1 }).waitFor();
    // Tabs move with the arrow keys.
    await page.getByRole('tab', { name: 'Details' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Related', selected: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'record-tablet');
    expect(errors).toEqual([]);
  });
});
