/**
 * The publish dialog says a role change as business changes, by labels (issue 22): "Role Sales rep:
 * may now delete own Deal records; Deal Amount hidden from Sales rep", in English and in Chinese,
 * not "Changed Role sales_rep".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp, VIEWPORTS } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eplanw' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Sales rep',
    'x-i18n': { 'zh-CN': { label: '销售代表' } },
    objects: { deal: { create: true, read: 'all', update: 'own', delete: false }, account: { read: 'all' } },
  });
});
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

describe('publish dialog in business words', { timeout: 240_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`says a role change by labels (${lang})`, async () => {
      const zh = lang === 'zh-CN';
      const { page, errors } = await app.newPage({ viewport: zh ? VIEWPORTS.phone : { width: 1440, height: 900 } });
      await signIn(page, app.admin);
      if (zh) {
        await page.getByTestId('language-switch').click();
        await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
      }
      await page.goto('/designer/permissions');
      await page.getByRole('heading', { name: zh ? '权限' : 'Permissions', level: 1 }).waitFor();
      // The role list shows the role's own label (its translation is for sentences like the plan's).
      await page
        .getByRole('button', { name: /Sales rep/ })
        .first()
        .click();
      await page.getByRole('combobox', { name: zh ? '商机：删除' : 'Deal: Delete' }).selectOption('own');
      await page.getByRole('tab', { name: zh ? '字段' : 'Fields' }).click();
      await page.getByRole('combobox', { name: zh ? '对象' : 'Object' }).selectOption('deal');
      await page.getByRole('radio', { name: zh ? '金额: 隐藏' : 'Amount: Hidden' }).check();

      await page
        .getByRole('button', { name: zh ? /发布/ : 'Publish…' })
        .first()
        .click();
      const dialog = page.getByRole('dialog');
      const sentence = zh
        ? '角色“销售代表”：现在可以删除自己的商机记录；销售代表看不到商机的金额'
        : 'Role Sales rep: may now delete own Deal records; Deal Amount hidden from Sales rep';
      await dialog.getByText(sentence, { exact: true }).waitFor();
      // People read labels, never the role's name.
      expect(await dialog.getByText('sales_rep').count()).toBe(0);
      await screenshot(page, `designer-plan-changes-role-${zh ? 'phone-zh-cn' : 'en'}`, { fullPage: false });
      await dialog.getByRole('button', { name: zh ? '取消' : 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      // Nothing was published.
      expect((await app.tenant.api.get('/api/meta')).body.roles.sales_rep.objects.deal.delete).toBe(false);
      expect(errors).toEqual([]);
    });
  }
});
