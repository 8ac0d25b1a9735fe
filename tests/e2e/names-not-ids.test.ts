import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

/** People see names, never ids: history, related lists and lists name the records lookups point at. */
let app: E2eApp;
let deal: { id: string };
let acme: { id: string };
let globex: { id: string };
let initech: { id: string };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2enames' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/objects/contact', {
    title: 'Contact',
    type: 'object',
    'x-label-field': 'name',
    'x-i18n': { 'zh-CN': { title: '联系人' } },
    properties: {
      name: { type: 'string', title: 'Name', maxLength: 200 },
      account: { type: 'string', title: 'Account', format: 'uuid', 'x-ref': 'account' },
    },
  });
  await putMeta(app.tenant, '/api/meta/objects/quote', {
    title: 'Quote',
    type: 'object',
    'x-label-field': 'name',
    'x-i18n': { 'zh-CN': { title: '报价' } },
    properties: {
      name: { type: 'string', title: 'Name', maxLength: 200 },
      deal: { type: 'string', title: 'Deal', format: 'uuid', 'x-ref': 'deal' },
      account: { type: 'string', title: 'Account', format: 'uuid', 'x-ref': 'account' },
      contact: { type: 'string', title: 'Contact', format: 'uuid', 'x-ref': 'contact' },
    },
  });
  acme = await createRecord(app.tenant, 'account', { name: 'Acme Corporation' });
  globex = await createRecord(app.tenant, 'account', { name: 'Globex' });
  initech = await createRecord(app.tenant, 'account', { name: 'Initech' });
  const jane = await createRecord(app.tenant, 'contact', { name: 'Jane Buyer', account: acme.id });
  deal = await createRecord(app.tenant, 'deal', { name: 'Named deal', amount: 100, account: acme.id });
  await createRecord(app.tenant, 'quote', { name: 'Q-1', deal: deal.id, account: acme.id, contact: jane.id });
  // Acme → Globex → Initech, then Initech goes to the recycle bin: its name must not show.
  for (const account of [globex.id, initech.id]) {
    const cur = await app.tenant.api.get(`/api/records/deal/${deal.id}`);
    const r = await app.tenant.api.patch(
      `/api/records/deal/${deal.id}`,
      { account },
      {
        headers: { 'if-match': String(cur.body.version) },
      },
    );
    expect(r.status, r.text).toBe(200);
  }
  const del = await app.tenant.api.delete(`/api/records/account/${initech.id}`);
  expect(del.status, del.text).toBe(204);
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

describe('names, not ids', { timeout: 240_000 }, () => {
  it('the history API names lookup values, and says "hidden" for a record the reader cannot see', async () => {
    const h = await app.tenant.api.get(`/api/records/deal/${deal.id}/history`);
    expect(h.status, h.text).toBe(200);
    expect(h.body.labels[acme.id]).toEqual({ object: 'account', label: 'Acme Corporation' });
    expect(h.body.labels[globex.id]).toEqual({ object: 'account', label: 'Globex' });
    // Deleted: hidden, and its label is nowhere in the answer.
    expect(h.body.labels[initech.id]).toEqual({ object: 'account', hidden: true });
    expect(h.text).not.toContain('Initech');
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`history, related lists and lists show labels linked to their records (${lang})`, async () => {
      const hidden = lang === 'en' ? 'Hidden record' : '隐藏的记录';
      const { page, errors } = await app.newPage();
      await signInAs(page, lang);
      await page.goto(`/o/deal/${deal.id}?tab=history`);
      const history = page.locator('.f-history');
      await history.getByRole('link', { name: 'Globex' }).first().waitFor();
      await history.getByRole('link', { name: 'Acme Corporation' }).first().waitFor();
      await history.getByText(hidden).first().waitFor();
      expect(await history.getByRole('link', { name: 'Globex' }).first().getAttribute('href')).toBe(
        `/o/account/${globex.id}`,
      );
      const historyText = (await history.textContent()) ?? '';
      expect(historyText).not.toMatch(UUID);
      expect(historyText).not.toContain('Initech');
      await screenshot(page, `history-names-${lang === 'en' ? 'en' : 'zh-cn'}`);

      // The deal's related quotes name their account and contact.
      await page.goto(`/o/deal/${deal.id}?tab=related`);
      const related = page.locator('.f-record__related');
      await related.getByRole('link', { name: 'Jane Buyer' }).waitFor();
      await related.getByRole('link', { name: 'Acme Corporation' }).waitFor();
      expect((await related.textContent()) ?? '').not.toMatch(UUID);
      await screenshot(page, `related-names-${lang === 'en' ? 'en' : 'zh-cn'}`);

      // A list with a lookup column: names, linked; none of the ids.
      await page.goto('/o/quote');
      await page.locator('table.f-table tbody tr').first().waitFor();
      await page.locator('table.f-table').getByRole('link', { name: 'Jane Buyer' }).waitFor();
      expect((await page.locator('table.f-table').textContent()) ?? '').not.toMatch(UUID);
      expect(errors).toEqual([]);
    });
  }
});
