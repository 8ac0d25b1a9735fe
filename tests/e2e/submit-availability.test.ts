import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

/** "Submit for approval" only where an active workflow's trigger applies (deals over 1,000 here). */
const DEAL_APPROVAL = {
  object: 'deal',
  label: 'Deal approval',
  trigger: { on: 'submit', condition: 'record.amount > 1000' },
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'mgr',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: {
        label: 'Manager review',
        approvers: [{ role: 'deal_approver' }],
        mode: 'any',
        show: ['amount', 'discount'],
      },
    },
    { id: 'won', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
    { id: 'no', type: 'end', position: { x: 200, y: 200 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'won', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
  ],
};

let app: E2eApp;
let small: { id: string };
let big: { id: string };
let mia: Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2esubmit' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/deal_approver', {
    label: 'Deal approver',
    objects: { deal: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/workflows/deal_approval', DEAL_APPROVAL);
  mia = await app.tenant.addUser({ roles: ['deal_approver'], name: 'Mia Manager' });
  await putMeta(app.tenant, '/api/meta/objects/note', {
    title: 'Note',
    type: 'object',
    properties: { title: { type: 'string', title: 'Title', maxLength: 100 } },
  });
  small = await createRecord(app.tenant, 'deal', { name: 'Small deal', amount: 500 });
  big = await createRecord(app.tenant, 'deal', { name: 'Big deal', amount: 5000 });
  await createRecord(app.tenant, 'deal', { name: 'Discounted deal', amount: 8000, discount: 12 });
});
afterAll(async () => {
  await app?.close();
});

async function signInAs(page: Page, lang: 'en' | 'zh-CN') {
  await signIn(page, app.admin);
  if (lang === 'en') return;
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.getByRole('link', { name: '首页', exact: true }).waitFor();
}

describe('submit for approval only where a workflow applies', { timeout: 240_000 }, () => {
  it("the record's approvals answer says whether a submit would start a workflow", async () => {
    const get = (object: string, id: string) => app.tenant.api.get(`/api/records/${object}/${id}/approvals`);
    expect((await get('deal', small.id)).body.submit).toEqual({ available: false });
    expect((await get('deal', big.id)).body.submit).toEqual({ available: true, workflow: 'deal_approval' });
    const note = await createRecord(app.tenant, 'note', { title: 'No workflow at all' });
    expect((await get('note', note.id)).body.submit).toEqual({ available: false });
    // Unknown or malformed records are still 404 / 400, nothing about triggers leaks.
    expect((await get('deal', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('deal', 'not-a-uuid')).status).toBe(400);
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`the button shows only on records the trigger applies to (${lang})`, async () => {
      const tx =
        lang === 'en'
          ? { tab: 'Approvals', submit: 'Submit for approval', none: 'No approval applies to this record.' }
          : { tab: '审批', submit: '提交审批', none: '此记录不适用任何审批流程。' };
      const { page, errors } = await app.newPage();
      await signInAs(page, lang);
      await page.goto(`/o/deal/${small.id}?tab=approvals`);
      await page.getByText(tx.none).waitFor();
      expect(await page.getByRole('button', { name: tx.submit }).count()).toBe(0);
      await screenshot(page, `submit-hidden-${lang === 'en' ? 'en' : 'zh-cn'}`);
      await page.goto(`/o/deal/${big.id}?tab=approvals`);
      await page.getByRole('button', { name: tx.submit }).waitFor();
      expect(await page.getByText(tx.none).count()).toBe(0);
      expect(errors).toEqual([]);
    });
  }

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`the approver's card shows the step's fields, the comment and the step's name; the trail names steps (${lang})`, async () => {
      const list = await app.tenant.api.get('/api/records/deal', {
        query: { filter: JSON.stringify({ name: { eq: 'Discounted deal' } }) },
      });
      const id = list.body.items[0].id as string;
      const pending = await app.tenant.api.get(`/api/records/deal/${id}/approvals`);
      if (pending.body.submit.available) {
        const sub = await app.tenant.api.post(`/api/records/deal/${id}/submit`, {
          comment: 'Customer asks for 12 %, please check',
        });
        expect(sub.status, sub.text).toBe(201);
      }
      const tx =
        lang === 'en'
          ? { amount: 'Amount', discount: 'Discount', money: '8,000.00', pct: '12%' }
          : { amount: '金额', discount: 'Discount', money: '8,000.00', pct: '12%' };
      const { page, errors } = await app.newPage();
      await signIn(page, { tenant: app.tenant.id, email: mia.email, password: mia.password });
      if (lang === 'zh-CN') {
        await page.getByTestId('language-switch').click();
        await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
        await page.getByRole('link', { name: '首页', exact: true }).waitFor();
      }
      await page.goto('/approvals');
      const card = page.locator('.f-inbox__item', { has: page.getByRole('link', { name: 'Discounted deal' }) });
      await card.waitFor();
      const fields = card.locator('.f-inbox__fields');
      await fields.getByText(tx.amount, { exact: true }).waitFor();
      expect(await fields.locator('dd').allTextContents()).toEqual([tx.money, tx.pct]);
      expect(await fields.locator('dt').allTextContents()).toEqual([tx.amount, tx.discount]);
      await card.getByText('Customer asks for 12 %, please check').waitFor();
      await card.getByText(/Manager review/).waitFor();
      await screenshot(page, `inbox-card-${lang === 'en' ? 'en' : 'zh-cn'}`);

      // The record's trail, as the admin: the step by name, never the node id or engine events.
      const admin = await app.newPage();
      await signInAs(admin.page, lang);
      await admin.page.goto(`/o/deal/${id}?tab=approvals`);
      const trail = admin.page.locator('.f-approval').first();
      await trail
        .getByText(/Manager review/)
        .first()
        .waitFor();
      const text = (await trail.textContent()) ?? '';
      expect(text).not.toMatch(/\bmgr\b/);
      expect(text).not.toMatch(/branch/i);
      expect(errors).toEqual([]);
    });
  }
});
