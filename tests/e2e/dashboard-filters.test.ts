import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, VIEWPORTS, screenshot, signIn, startE2eApp } from './support';

/**
 * Dashboard filters (issue 22): on the home dashboard a viewer narrows every widget by a period,
 * the owner and a picklist; the choice is kept in the address (reload, share), each widget's run
 * carries it to the server (compared with the API's own answer), and a widget it does not apply to
 * says so. English at 1440x900, Chinese on a 390x844 phone.
 */
let app: E2eApp;
let adminId: string;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2edashfilt',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  adminId =
    (await app.tenant.api.get('/api/auth/me')).body.user?.id ?? (await app.tenant.api.get('/api/auth/me')).body.id;
});
afterAll(async () => {
  await app?.close();
});

const widget = (page: Page, title: string) => page.locator('.f-home__chart', { hasText: title });
/** The next run of `report` (whose body passes `when`: a run for an earlier choice may still be in flight). */
const runOf = (page: Page, report: string, when: (body: Record<string, any>) => boolean = () => true) =>
  page.waitForResponse(
    (r: Response) =>
      r.url().endsWith(`/api/reports/${report}/run`) &&
      r.request().method() === 'POST' &&
      when(r.request().postDataJSON() ?? {}),
  );

describe('dashboard filters', { timeout: 400_000 }, () => {
  it('narrow every widget, are kept in the address and say where they do not apply', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/');
    const bar = page.getByRole('region', { name: 'Dashboard filters' });
    await bar.waitFor();
    await widget(page, 'Sales funnel by stage').locator('.recharts-bar-rectangle').first().waitFor();
    const allStages = await widget(page, 'Sales funnel by stage').locator('.recharts-bar-rectangle').count();
    expect(allStages).toBeGreaterThan(1);

    // A picklist of the widgets' objects: Deal · Stage = Won.
    await bar.getByLabel('Filter by').selectOption({ label: 'Deal · Stage' });
    const funnelRun = runOf(page, 'sales_funnel');
    await bar.getByLabel('Stage is').selectOption({ label: 'Won' });
    const narrowed = await funnelRun;
    expect(narrowed.request().postDataJSON()).toEqual({ filter: { stage: { eq: 'won' } } });
    const rows = (await narrowed.json()).rows as Array<{ stage: string }>;
    expect(rows.map((r) => r.stage)).toEqual(['won']);
    await expect.poll(() => widget(page, 'Sales funnel by stage').locator('.recharts-bar-rectangle').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('pick')).toBe('deal.stage');
    expect(new URL(page.url()).searchParams.get('value')).toBe('won');
    // The campaign report is not on deals: it says the stage does not narrow it.
    await widget(page, 'Campaign ROI').getByText('Not filtered by Stage').waitFor();

    // Period and owner: every deal widget's run carries both; the answer is the API's own.
    const year = new Date().getFullYear();
    const wonRun = runOf(page, 'won_by_month');
    await bar.getByLabel('Period').selectOption({ label: 'This year' });
    await (await wonRun).finished();
    const ownerRun = runOf(page, 'won_by_month');
    await bar.getByLabel('Owner').selectOption({ label: 'Me' });
    const both = await ownerRun;
    const body = both.request().postDataJSON();
    expect(body).toEqual({
      filter: { and: [{ owner: { eq: adminId } }, { stage: { eq: 'won' } }] },
      period: { from: `${year}-01-01`, to: `${year}-12-31` },
    });
    const api = await app.tenant.api.post('/api/reports/won_by_month/run', body);
    expect((await both.json()).rows).toEqual(api.body.rows);
    expect(api.body.periodField).toBe('close_on');
    await widget(page, 'Won amount by month').getByText('Period by Expected close').waitFor();
    await widget(page, 'Sales funnel by stage').getByText('Period by Created').waitFor();
    await screenshot(page, 'dashboard-filters', { fullPage: true });

    // Reloading keeps the filters: they live in the address.
    const url = page.url();
    await page.reload();
    await bar.waitFor();
    expect(page.url()).toBe(url);
    expect(await bar.getByLabel('Period').inputValue()).toBe('this_year');
    expect(await bar.getByLabel('Owner').inputValue()).toBe('me');
    expect(await bar.getByLabel('Stage is').inputValue()).toBe('won');

    // My team: the server resolves it from the session (inMyTeam), never an id the browser names.
    // A run of the reloaded page (owner "me") may still arrive: wait for the team's.
    const teamRun = runOf(page, 'won_by_month', (b) => JSON.stringify(b.filter ?? {}).includes('inMyTeam'));
    await bar.getByLabel('Owner').selectOption({ label: 'My team' });
    const teamBody = (await teamRun).request().postDataJSON();
    expect(teamBody.filter).toEqual({ and: [{ owner: { inMyTeam: true } }, { stage: { eq: 'won' } }] });
    expect(new URL(page.url()).searchParams.get('owner')).toBe('team');
    // Someone else, picked by name: the options are people's names, never ids.
    const users = (await app.tenant.api.get('/api/users')).body.items as Array<{ id: string; name: string }>;
    const li = users.find((u) => u.name.startsWith('Li Wei'));
    expect(li).toBeTruthy();
    const names = await bar.getByLabel('Owner').locator('optgroup option').allTextContents();
    expect(names).toContain(li?.name);
    expect(names.some((n) => /^[0-9a-f-]{36}$/.test(n))).toBe(false);
    const liRun = runOf(page, 'won_by_month', (b) => JSON.stringify(b.filter ?? {}).includes(li?.id as string));
    await bar.getByLabel('Owner').selectOption({ label: li?.name as string });
    const liResponse = await liRun;
    const liBody = liResponse.request().postDataJSON();
    expect(liBody.filter).toEqual({ and: [{ owner: { eq: li?.id } }, { stage: { eq: 'won' } }] });
    const liApi = await app.tenant.api.post('/api/reports/won_by_month/run', liBody);
    expect((await liResponse.json()).rows).toEqual(liApi.body.rows);
    expect(new URL(page.url()).searchParams.get('owner')).toBe(li?.id);
    await screenshot(page, 'dashboard-filters-someone', { fullPage: true });
    await page.reload();
    await bar.waitFor();
    // The people list arrives after the page: until then the chosen user reads "Another user", never an id.
    await expect.poll(() => bar.getByLabel('Owner').locator('option:checked').textContent()).toBe(li?.name);

    // Custom dates, then clearing.
    await bar.getByLabel('Period').selectOption({ label: 'Custom dates' });
    // Both days typed in quick succession (one task apart, as a fast typist or autofill does): the
    // second must not drop the first while the address is still catching up.
    const customRun = runOf(page, 'sales_funnel', (b) => b.period?.to !== undefined);
    const dayInputs = [await bar.getByLabel('From').elementHandle(), await bar.getByLabel('To').elementHandle()];
    await page.evaluate(
      async ([from, to, first, last]) => {
        const type = (el: HTMLInputElement, v: string) => {
          Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(el, v);
          el.dispatchEvent(new Event('input', { bubbles: true }));
        };
        type(from as HTMLInputElement, first as string);
        await Promise.resolve();
        type(to as HTMLInputElement, last as string);
      },
      [...dayInputs, `${year - 10}-01-01`, `${year - 10}-12-31`] as const,
    );
    expect((await customRun).request().postDataJSON().period).toEqual({
      from: `${year - 10}-01-01`,
      to: `${year - 10}-12-31`,
    });
    expect(await bar.getByLabel('From').inputValue()).toBe(`${year - 10}-01-01`);
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(`${year - 10}-01-01`);
    await widget(page, 'Sales funnel by stage').getByText('No data yet.').waitFor();
    await bar.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await expect
      .poll(() => widget(page, 'Sales funnel by stage').locator('.recharts-bar-rectangle').count())
      .toBe(allStages);
    expect(errors).toEqual([]);
  });

  it('in Chinese on a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/?period=this_year&pick=deal.stage&value=won');
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    const bar = page.getByRole('region', { name: '仪表板筛选' });
    await bar.waitFor();
    expect(await bar.getByLabel('期间').inputValue()).toBe('this_year');
    expect(await bar.getByLabel('阶段为').locator('option:checked').textContent()).toBe('赢单');
    await page.getByText('未按阶段筛选').first().waitFor();
    await widget(page, '按阶段的销售漏斗').locator('.recharts-bar-rectangle').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Touch targets of the filters are at least 44 px tall.
    for (const h of await bar.locator('select').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height)))
      expect(h).toBeGreaterThanOrEqual(44);
    await screenshot(page, 'dashboard-filters-zh-cn-phone', { fullPage: true });
    // The owner choices in Chinese: my team, and other people by name.
    await bar.getByLabel('负责人').selectOption({ label: '我的团队' });
    await expect.poll(() => new URL(page.url()).searchParams.get('owner')).toBe('team');
    expect(await bar.getByLabel('负责人').locator('optgroup').getAttribute('label')).toBe('其他人');
    expect(errors).toEqual([]);
  });
});
