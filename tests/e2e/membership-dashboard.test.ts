import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, type TestTenant } from '../support';
import { type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * A membership tenant created with sample data: the membership manager's home dashboard shows the
 * template's four reports with real figures and tier names (never ids), in English and Chinese, on
 * a laptop and a phone (issue 23).
 */
let app: E2eApp;
let club: TestTenant;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2emember',
    server: { plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }] },
  });
  club = await createTestTenant(app.server, { prefix: 'e2eclub', template: 'membership', sampleData: true });
}, 300_000);
afterAll(async () => {
  await app?.server.platform.delete(`/api/tenants/${club?.id}`, { query: { confirm: club?.id } });
  await app?.close();
});

const manager = () => ({ tenant: club.id, email: 'members@club.test', password: 'forma-demo' });

describe('membership dashboard', { timeout: 180_000 }, () => {
  it("shows the manager's membership figures in both languages, on a laptop and a phone", async () => {
    for (const [viewport, name] of [
      [VIEWPORTS.laptop, 'laptop'],
      [VIEWPORTS.phone, 'phone'],
    ] as const) {
      const { page, errors } = await app.newPage({ viewport });
      await signIn(page, manager());
      await page.locator('.recharts-surface').first().waitFor();
      await expect.poll(() => page.locator('figure.f-chart').count()).toBe(4);
      const captions = await page.locator('figure.f-chart table caption').allTextContents();
      for (const title of [
        'Member spend by tier',
        'New members by month',
        'Points issued vs redeemed by month',
        'Dormant members by tier',
      ])
        expect(
          captions.some((c) => c.includes(title)),
          `${title} in ${captions.join(' | ')}`,
        ).toBe(true);
      const spend = page.locator('figure.f-chart table', {
        has: page.locator('caption', { hasText: /Member spend by tier/ }),
      });
      // Tier labels, not codes or ids; the sample's gold member and the dormant bronze one.
      expect(await spend.locator('th').allTextContents()).toEqual(expect.arrayContaining(['Gold', 'Bronze']));
      await screenshot(page, `membership-dashboard-${name}`, { fullPage: true });

      await page.getByTestId('language-switch').click();
      await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
      await expect
        .poll(async () => (await page.locator('figure.f-chart table caption').allTextContents()).join(' | '))
        .toContain('各等级会员消费');
      const spendZh = page.locator('figure.f-chart table', {
        has: page.locator('caption', { hasText: /各等级会员消费/ }),
      });
      expect(await spendZh.locator('th').allTextContents()).toEqual(expect.arrayContaining(['黄金', '青铜']));
      await screenshot(page, `membership-dashboard-${name}-zh-cn`, { fullPage: true });
      // Back to English for the next viewport (the language is the user's profile setting).
      await page.getByTestId('language-switch').click();
      await page.getByRole('menuitemradio', { name: 'English' }).click();
      await expect
        .poll(async () => (await club.login('members@club.test', 'forma-demo')).get('/api/auth/me'))
        .toSatisfy((r: any) => r.body.user.locale === 'en');
      if (name === 'laptop') {
        // The member's page: roll-ups as figures, the purchases and ledger named, never ids.
        const [han] = (
          await club.api.get('/api/records/member', { query: { filter: JSON.stringify({ name: { eq: 'Han Mei' } }) } })
        ).body.items;
        await page.goto(`/o/member/${han.id}`);
        await page.getByText('Han Mei').first().waitFor();
        await page.getByText('Lifetime spend').first().waitFor();
        expect(await page.locator('main').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
        await screenshot(page, 'membership-member-record', { fullPage: true });
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
