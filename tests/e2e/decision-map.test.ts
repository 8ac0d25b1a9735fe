import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * The decision map of a project-sales deal (issue 23): the deal page's Related tab lists the deal's
 * contact roles grouped by role (`x-related-group` of deal_contact_role), in the order of the role
 * picklist, contacts by name — as the account manager sees it, in English on a laptop and in
 * Chinese on a phone.
 */
let app: E2eApp;
let dealId: string;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2edmap',
    server: { plugins: 'discover' },
    tenant: { template: 'project-sales', sampleData: true },
  });
  const deals = await app.tenant.api.get('/api/records/deal');
  dealId = deals.body.items.find((d: { name: string }) => d.name === 'Core banking modernisation').id;
  // A role with no contact set yet lands in its own "not set" group, last.
  const cio = (await app.tenant.api.get('/api/records/contact')).body.items.find(
    (c: { job_title: string }) => c.job_title === 'CIO',
  );
  const am = await app.tenant.login('am@b2b.test', 'forma-demo');
  const extra = await am.post('/api/records/deal_contact_role', { deal: dealId, contact: cio.id, role: 'blocker' });
  expect(extra.status, extra.text).toBe(201);
}, 600_000);
afterAll(async () => {
  await app?.close();
});

async function openMap(page: Page, lang: 'en' | 'zh-CN') {
  await signIn(page, { tenant: app.tenant.id, email: 'am@b2b.test', password: 'forma-demo' });
  if (lang === 'zh-CN') {
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  }
  await page.goto(`/o/deal/${dealId}?tab=related`);
}

const groupTitles = (page: Page) =>
  page
    .locator('.f-related__group-title')
    .evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));

describe('decision map on the deal page', { timeout: 300_000 }, () => {
  it('lists the buying centre grouped by role, in role order, contacts named (English, laptop)', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.laptop });
    await openMap(page, 'en');
    await expect
      .poll(() => groupTitles(page))
      .toEqual(['Decision maker 1', 'Influencer 1', 'Technical buyer 1', 'Blocker 1']);
    const decision = page.getByRole('region', { name: 'Decision maker (1)' });
    await decision.getByRole('link', { name: 'Lin Hua' }).waitFor();
    const technical = page.getByRole('region', { name: 'Technical buyer (1)' });
    await technical.getByText('Opponent').waitFor();
    // The CIO appears twice: influencer and, since today, blocker.
    await page.getByRole('region', { name: 'Blocker (1)' }).getByRole('link', { name: 'Xu Ming' }).waitFor();
    // Names, never ids.
    const text = (await page.locator('.f-related__groups').textContent()) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await page.locator('.f-related__groups').scrollIntoViewIfNeeded();
    await screenshot(page, 'decision-map-en-laptop', { fullPage: false });
    expect(errors).toEqual([]);
  });

  it('in Chinese on a phone', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await openMap(page, 'zh-CN');
    await expect.poll(() => groupTitles(page)).toEqual(['决策者 1', '影响者 1', '技术评估者 1', '阻碍者 1']);
    await page.getByRole('region', { name: '决策者 (1)' }).getByRole('link', { name: 'Lin Hua' }).waitFor();
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('.f-related__groups').scrollIntoViewIfNeeded();
    await screenshot(page, 'decision-map-zh-phone', { fullPage: false });
    expect(errors).toEqual([]);
  });
});
