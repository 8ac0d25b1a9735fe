import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Approvals that hold (issue 23), in the browser, on the core CRM's own workflows: an approved
 * quote whose discount is raised goes back to pending (`afterApproval: reapprove`), and an approved
 * contract refuses an edit with a clear message that an admin may unlock it, which the admin does
 * with a reason (`afterApproval: lock`). In English and Chinese.
 */
type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

let app: E2eApp;
let manager: User;
let rep: User;
let account: string;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ehold',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm' },
  });
  manager = await app.tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager' });
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
  const acme = await rep.api.post('/api/records/account', { name: 'Acme Manufacturing' });
  expect(acme.status, acme.text).toBe(201);
  account = acme.body.id;
}, 300_000);
afterAll(async () => {
  await app?.close();
});

async function approve(object: string, id: string) {
  const s = await rep.api.post(`/api/records/${object}/${id}/submit`, {});
  expect(s.status, s.text).toBe(201);
  const inbox = await manager.api.get('/api/approvals/inbox');
  const task = inbox.body.items.find((i: { record: string }) => i.record === id)?.task;
  expect(task).toBeTruthy();
  const a = await manager.api.post(`/api/approvals/tasks/${task}/approve`, {});
  expect(a.status, a.text).toBe(200);
  expect((await rep.api.get(`/api/records/${object}/${id}`)).body.approval_status).toBe('approved');
}

async function useLanguage(page: Page, lang: 'en' | 'zh-CN') {
  if (lang === 'en') return;
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

const TEXT = {
  en: {
    save: 'Save',
    pending: 'Waiting for approval',
    sentBack: 'Saved. The change needs a new approval: the record went back to its approvers.',
    locked: 'Approved and locked',
    lockedBody: 'An admin may unlock it with a reason.',
    unlock: 'Unlock…',
    editAll: 'Edit all fields',
    editValue: 'Edit Value',
    reason: 'Why is it unlocked? (kept in its history)',
    unlocked: 'Unlocked: submit it again to have the changes approved',
    settings: 'Workflow settings',
    after: 'After the final approval',
    fields: 'Fields that send it back',
    discount: 'Discount',
  },
  'zh-CN': {
    save: '保存',
    pending: '等待审批',
    sentBack: '已保存。此修改需要重新审批：记录已退回审批人。',
    locked: '已审批并锁定',
    lockedBody: '管理员可填写原因解锁。',
    unlock: '解锁…',
    editAll: '编辑全部字段',
    editValue: '编辑合同金额',
    reason: '解锁原因（记入历史）',
    unlocked: '已解锁：修改后请重新提交审批',
    settings: '流程设置',
    after: '最终审批通过后',
    fields: '会触发重新审批的字段',
    discount: '整单折扣',
  },
} as const;

describe('approvals that hold, in the browser', { timeout: 360_000 }, () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    const tx = TEXT[lang];
    const tag = lang === 'en' ? 'en' : 'zh-cn';

    it(`the workflow designer shows what happens after the final approval (${lang})`, async () => {
      const { page, errors } = await app.newPage();
      await signIn(page, app.admin);
      await useLanguage(page, lang);
      await page.goto('/designer/workflows/quote_discount_approval');
      await page.getByRole('heading', { name: tx.settings }).waitFor();
      expect(await page.getByLabel(tx.after).inputValue()).toBe('reapprove');
      const fields = page.getByRole('group', { name: tx.fields });
      expect(await fields.getByLabel(tx.discount, { exact: true }).isChecked()).toBe(true);
      await fields.scrollIntoViewIfNeeded();
      await screenshot(page, `workflow-after-approval-${tag}`, { fullPage: false });
      expect(errors).toEqual([]);
    });

    it(`raising an approved quote's discount sends it back for approval (${lang})`, async () => {
      const quote = await rep.api.post('/api/records/quote', {
        name: `Pumps for Acme (${lang})`,
        account,
        discount: 20,
        lines: [{ description: 'Pump', quantity: 2, unit_price: 1420 }],
      });
      expect(quote.status, quote.text).toBe(201);
      await approve('quote', quote.body.id);

      const { page, errors } = await app.newPage();
      await signIn(page, { tenant: app.tenant.id, email: rep.email, password: rep.password });
      await useLanguage(page, lang);
      await page.goto(`/o/quote/${quote.body.id}?edit=1`);
      await page.locator('#root_discount').fill('45');
      await page.getByRole('button', { name: tx.save, exact: true }).click();
      await page.getByText(tx.sentBack).first().waitFor();
      await page.getByText(tx.pending, { exact: true }).first().waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `quote-reapprove-${tag}`, { fullPage: false });
      const now = (await rep.api.get(`/api/records/quote/${quote.body.id}`)).body;
      expect(now).toMatchObject({ discount: 45, approval_status: 'pending' });
      const inbox = await manager.api.get('/api/approvals/inbox');
      expect(inbox.body.items.some((i: { record: string }) => i.record === quote.body.id)).toBe(true);
      expect(errors).toEqual([]);
    });

    it(`an approved contract shows as locked up front: no edit, the banner, and the admin's Unlock (${lang})`, async () => {
      const contract = await rep.api.post('/api/records/contract', {
        name: `Framework 2027 (${lang})`,
        account,
        value: 60000,
      });
      expect(contract.status, contract.text).toBe(201);
      await approve('contract', contract.body.id);

      const { page, errors } = await app.newPage();
      await signIn(page, { tenant: app.tenant.id, email: rep.email, password: rep.password });
      await useLanguage(page, lang);
      await page.goto(`/o/contract/${contract.body.id}`);
      // Before any save: the banner, the full form and the inline edit are closed, no Unlock for a rep.
      await page.getByText(tx.locked, { exact: true }).waitFor();
      await page.getByText(tx.lockedBody, { exact: false }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: tx.editAll }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: tx.editValue }).count()).toBe(0);
      expect(await page.getByRole('button', { name: tx.unlock }).count()).toBe(0);
      await screenshot(page, `contract-locked-upfront-${tag}`, { fullPage: false });
      // On a phone the banner fits the width too.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByText(tx.locked, { exact: true }).waitFor();
      // The phone layout follows the resize event (a re-render): wait for it, then it must fit.
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, `contract-locked-upfront-phone-${tag}`, { fullPage: false });
      expect(errors).toEqual([]);

      const admin = await app.newPage();
      await signIn(admin.page, app.admin);
      await useLanguage(admin.page, lang);
      await admin.page.goto(`/o/contract/${contract.body.id}`);
      await admin.page.getByText(tx.locked, { exact: true }).waitFor();
      expect(await admin.page.getByRole('button', { name: tx.editAll }).isDisabled()).toBe(true);
      await admin.page.getByRole('button', { name: tx.unlock }).click();
      const dialog = admin.page.getByRole('dialog', { name: tx.unlock });
      await dialog.getByLabel(tx.reason).fill('Framework renegotiated');
      await dialog.getByRole('button', { name: tx.unlock }).click();
      await admin.page.getByText(tx.unlocked).first().waitFor();
      // Unlocked: the banner goes and the record can be edited again, without reloading the page.
      await expect.poll(() => admin.page.getByRole('button', { name: tx.editAll }).isEnabled()).toBe(true);
      expect(await admin.page.getByText(tx.locked, { exact: true }).count()).toBe(0);
      // The inline edit the rep did not get is offered again.
      await expect.poll(() => admin.page.getByRole('button', { name: tx.editValue }).count()).toBeGreaterThan(0);
      await screenshot(admin.page, `contract-unlocked-upfront-${tag}`, { fullPage: false });
      expect(admin.errors).toEqual([]);
    });

    it(`an approved contract opened in its form is closed with a clear message; an admin unlocks it with a reason (${lang})`, async () => {
      const contract = await rep.api.post('/api/records/contract', {
        name: `Supply 2027 (${lang})`,
        account,
        value: 80000,
      });
      expect(contract.status, contract.text).toBe(201);
      await approve('contract', contract.body.id);

      const { page, errors } = await app.newPage();
      await signIn(page, { tenant: app.tenant.id, email: rep.email, password: rep.password });
      await useLanguage(page, lang);
      await page.goto(`/o/contract/${contract.body.id}?edit=1`);
      // Even straight into the form: the lock is said before anyone types, and nothing can be saved.
      await page.getByText(tx.locked, { exact: true }).waitFor();
      await page.getByText(tx.lockedBody, { exact: false }).waitFor();
      await expect.poll(() => page.locator('#root_value').isEditable()).toBe(false);
      expect(await page.getByRole('button', { name: tx.save, exact: true }).isDisabled()).toBe(true);
      // Reps cannot unlock.
      expect(await page.getByRole('button', { name: tx.unlock }).count()).toBe(0);
      await screenshot(page, `contract-locked-${tag}`, { fullPage: false });
      expect((await rep.api.get(`/api/records/contract/${contract.body.id}`)).body.value).toBe(80000);
      expect(errors).toEqual([]);

      const admin = await app.newPage();
      await signIn(admin.page, app.admin);
      await useLanguage(admin.page, lang);
      await admin.page.goto(`/o/contract/${contract.body.id}?edit=1`);
      await admin.page.getByRole('button', { name: tx.unlock }).click();
      const dialog = admin.page.getByRole('dialog', { name: tx.unlock });
      await dialog.getByLabel(tx.reason).fill('Value corrected after signature');
      await screenshot(admin.page, `contract-unlock-${tag}`, { fullPage: false });
      await dialog.getByRole('button', { name: tx.unlock }).click();
      await admin.page.getByText(tx.unlocked).first().waitFor();
      // Unlocked: the form opens and the change saves.
      await expect.poll(() => admin.page.locator('#root_value').isEditable()).toBe(true);
      await admin.page.locator('#root_value').fill('95000');
      await admin.page.getByRole('button', { name: tx.save, exact: true }).click();
      await expect
        .poll(async () => (await app.tenant.api.get(`/api/records/contract/${contract.body.id}`)).body.value)
        .toBe(95000);
      const after = (await app.tenant.api.get(`/api/records/contract/${contract.body.id}`)).body;
      expect(after.approval_status).toBe('none');
      const history = (await app.tenant.api.get(`/api/records/contract/${contract.body.id}/history`)).body.items;
      expect(JSON.stringify(history)).toContain('Value corrected after signature');
      expect(admin.errors).toEqual([]);
    });
  }
});
