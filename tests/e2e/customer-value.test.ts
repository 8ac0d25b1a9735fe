import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * The Customer value dashboard (issue 24) of a core-crm tenant, opened from the home page's
 * dashboard links: top customers by margin with their names and cumulative share, RFM segments by
 * name, retention cohorts, churn risk, and the stored segments' sizes and movement (two refreshes, 30
 * days apart) — in English and Chinese, at desktop and phone size.
 */
let app: E2eApp;
const DESKTOP = { width: 1440, height: 900 };
const SEGMENT_KEYS = /\b(champions|potential_loyalists|need_attention|about_to_sleep|at_risk|cant_lose|hibernating)\b/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ecval',
    server: { plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }] },
    tenant: { template: 'core-crm' },
  });
  const customers = [
    ['Acme Trading', 'France', [400, 300, 200, 120, 60, 20]],
    ['Blue River Foods', 'China', [380, 250, 90]],
    ['Cedar Logistics', 'Germany', [200]],
    ['Delta Retail', 'China', [330, 300, 270, 240]],
    ['Evergreen Labs', 'France', [45]],
    ['Fjord Systems', 'Germany', [150, 100]],
  ] as const;
  let first = '';
  for (const [i, [name, country, ages]] of customers.entries()) {
    const account = await createRecord(app.tenant, 'account', { name, country, type: 'customer' });
    first ||= account.id;
    for (const [j, age] of ages.entries())
      await createRecord(app.tenant, 'order', {
        account: account.id,
        ordered_on: daysAgo(age),
        status: 'delivered',
        amount: 1000 * (i + 1) + 100 * j,
        cost: 600 * (i + 1),
      });
  }
  const product = await createRecord(app.tenant, 'product', {
    name: 'Sensor kit',
    code: 'SK-1',
    category: 'hardware',
    list_price: 120,
    cost: 70,
  });
  const quote = await createRecord(app.tenant, 'quote', { name: 'Kits', account: first, status: 'accepted' });
  await createRecord(app.tenant, 'quote_line', { quote: quote.id, product: product.id, quantity: 10, unit_price: 120 });
  // The stored RFM segments as of 30 days ago and today, as the nightly job would have left them.
  for (const asOf of [daysAgo(30), daysAgo(0)]) {
    const r = await app.tenant.api.post('/api/plugins/core-crm/rfm/refresh', { asOf });
    expect(r.status, r.text).toBe(200);
  }
}, 600_000);
afterAll(async () => {
  await app?.close();
});

describe('the Customer value dashboard', { timeout: 600_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const)
    for (const size of ['desktop', 'phone'] as const)
      it(`${lang} at ${size} size: opened from home, every widget named in the reader’s language`, async () => {
        const me = await app.tenant.api.patch('/api/auth/me', { locale: lang });
        expect(me.status, me.text).toBe(200);
        const { page, errors } = await app.newPage({
          viewport: size === 'desktop' ? DESKTOP : VIEWPORTS.phone,
        });
        // Signed in from an English browser: the app then speaks the user's own language.
        await signIn(page, app.admin);
        const zh = lang === 'zh-CN';
        await page.getByRole('link', { name: zh ? '客户价值' : 'Customer value', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: zh ? '客户价值' : 'Customer value' }).waitFor();
        const titles = zh
          ? ['毛利贡献最高的客户', 'RFM 客户分群', '按首单月份的客户留存', '有流失风险的客户', 'RFM 客户分群规模与迁移']
          : [
              'Top customers by margin',
              'Customers by RFM segment',
              'Customer retention by first-order month',
              'Customers at risk of churning',
              'RFM segment sizes and movement',
            ];
        for (const t of titles) await page.getByText(t, { exact: true }).first().waitFor();
        const top = page.locator('.f-report-table').first();
        // Customers by name (Delta Retail brings the most margin), with the Pareto columns.
        await expect.poll(() => top.textContent()).toContain('Delta Retail');
        expect(await top.textContent()).toContain(zh ? '累计占比 %' : 'Cumulative share %');
        await expect.poll(() => page.locator('.recharts-surface').count()).toBeGreaterThan(0);
        await page.waitForLoadState('networkidle');
        const text = (await page.locator('main#main').textContent()) ?? '';
        expect(text).not.toMatch(UUID);
        expect(text).not.toMatch(SEGMENT_KEYS);
        // Segment movement: segments by name in the reader's language, with both days' columns.
        const movement = page.locator('.f-report-table', {
          has: page.locator('caption', { hasText: zh ? 'RFM 客户分群规模与迁移' : 'RFM segment sizes and movement' }),
        });
        await expect
          .poll(() => movement.textContent())
          .toMatch(
            zh
              ? /30 天前的分群[\s\S]*(重要价值客户|忠诚客户|潜力客户|新客户|有前景客户|需关注客户|即将沉睡客户|流失风险客户|不能失去的客户|沉睡客户)/
              : /Segment 30 days ago[\s\S]*(Champions|Loyal customers|Potential loyalists|New customers|Promising|Need attention|About to sleep|At risk|Can't lose them|Hibernating)/,
          );
        // Retention columns in the reader's language.
        expect(text).toContain(zh ? '第 1 个月（%）' : 'Month 1 (%)');
        if (size === 'phone') {
          // Nothing wider than the phone: tables scroll inside their card.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow).toBeLessThanOrEqual(0);
        }
        await screenshot(page, `customer-value-${zh ? 'zh-cn' : 'en'}-${size}`);
        expect(errors).toEqual([]);
      });
});
