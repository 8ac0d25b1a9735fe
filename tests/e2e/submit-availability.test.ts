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
      data: { label: 'Manager review', approvers: [{ role: 'admin' }], mode: 'any' },
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

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2esubmit' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/workflows/deal_approval', DEAL_APPROVAL);
  await putMeta(app.tenant, '/api/meta/objects/note', {
    title: 'Note',
    type: 'object',
    properties: { title: { type: 'string', title: 'Title', maxLength: 100 } },
  });
  small = await createRecord(app.tenant, 'deal', { name: 'Small deal', amount: 500 });
  big = await createRecord(app.tenant, 'deal', { name: 'Big deal', amount: 5000 });
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
});
