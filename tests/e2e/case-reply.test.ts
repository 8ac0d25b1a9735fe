import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * Replying to a customer from a service case (docs/email-to-case.md, "Screens"): an agent opens a
 * case that came in by e-mail, sends a reply from the box above its timeline, sees it in the
 * timeline, and the outbox row carries the headers that thread the customer's answer back. A case
 * without a customer address says so instead of offering a box; a refused send keeps the text. In
 * English on a laptop and in Chinese on a phone.
 */
let app: E2eApp;
let agent: { id: string; email: string; password: string };
let help: string;
const ann = 'ann.lee@customer.example';

const SUPPORT_ROLE = (update: 'all' | false) => ({
  objects: {
    service_case: { create: true, read: 'all', update },
    activity: { create: true, read: 'all', update: 'own' },
    contact: { read: 'all' },
  },
});

const outbox = () => app.server.runtime.db.withSchema(`t_${app.tenant.id}`).from('_email_outbox');

/** A customer's message received at the support address: a new case with its contact matched. */
async function caseByMail(subject: string, messageId: string): Promise<string> {
  const raw = Buffer.from(
    [
      `From: Ann Lee <${ann}>`,
      `To: ${help}`,
      `Subject: ${subject}`,
      `Message-ID: <${messageId}>`,
      'Date: Mon, 07 Dec 2026 08:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The printer in room 4 smells of smoke.',
      '',
    ].join('\r\n'),
  );
  const outcome = await app.server.runtime.inboundMail.receive(
    app.tenant.id,
    { address: help, object: 'service_case', owner: agent.id, acknowledge: false },
    raw,
    ann,
  );
  expect(outcome.kind).toBe('created');
  return (outcome as { id: string }).id;
}

async function useChinese(page: Page) {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
}

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2ereply' });
  const t = app.tenant;
  await putMeta(t, '/api/meta/objects/contact', {
    title: 'Contact',
    type: 'object',
    'x-label-field': 'last_name',
    'x-i18n': { 'zh-CN': { title: '联系人' } },
    properties: {
      last_name: { type: 'string', title: 'Last name', maxLength: 100 },
      email: { type: 'string', title: 'E-mail', format: 'email' },
    },
  });
  await putMeta(t, '/api/meta/objects/service_case', {
    title: 'Case',
    type: 'object',
    'x-label-field': 'number',
    'x-i18n': { 'zh-CN': { title: '工单' } },
    properties: {
      number: { type: 'string', title: 'Number', 'x-autonumber': 'CS-{YYYY}-{00000}' },
      subject: { type: 'string', title: 'Subject', maxLength: 200 },
      contact: { type: 'string', title: 'Contact', format: 'uuid', 'x-ref': 'contact' },
      channel: { type: 'string', title: 'Channel', enum: ['phone', 'email', 'web'] },
      description: { type: 'string', title: 'Description', 'x-kind': 'textarea', maxLength: 4000 },
    },
    required: ['subject'],
  });
  await putMeta(t, '/api/meta/objects/activity', {
    title: 'Activity',
    type: 'object',
    'x-label-field': 'subject',
    'x-timeline': true,
    'x-i18n': { 'zh-CN': { title: '活动' } },
    properties: {
      subject: { type: 'string', title: 'Subject', maxLength: 200 },
      notes: { type: 'string', title: 'Notes', 'x-kind': 'textarea', maxLength: 4000 },
      service_case: { type: 'string', title: 'Case', format: 'uuid', 'x-ref': 'service_case' },
    },
  });
  await putMeta(t, '/api/meta/roles/support', SUPPORT_ROLE('all'));
  agent = await t.addUser({ roles: ['support'], name: 'Sam Support' });
  const c = await t.api.post('/api/records/contact', { last_name: 'Lee', email: ann });
  expect(c.status, c.text).toBe(201);
  help = `help.${t.id}@mail.test`;
  const settings = await app.server.platform.put(`/api/tenants/${t.id}/inbound-email`, {
    addresses: [{ address: help, object: 'service_case', owner: agent.id }],
  });
  expect(settings.status, settings.text).toBe(200);
}, 300_000);

afterAll(async () => {
  await app?.close();
});

describe('reply by e-mail from a case', () => {
  it('sends a threaded reply that shows in the timeline; refusals keep the text (English, laptop)', async () => {
    const caseId = await caseByMail('Printer on fire', `first.${app.tenant.id}@customer.example`);
    const { page, errors } = await app.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, { tenant: app.tenant.id, email: agent.email, password: agent.password });
    await page.goto(`/o/service_case/${caseId}?tab=timeline`);
    const box = page.getByRole('form', { name: 'Reply by e-mail' });
    await box.waitFor();
    await expect.poll(() => box.textContent()).toContain(`To ${ann}`);

    // An empty reply: the server's refusal at the field, nothing queued.
    await box.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => box.getByRole('alert').textContent()).toBe('Write the reply before sending it.');
    expect(await outbox().where({ record_id: caseId })).toHaveLength(0);

    const text = 'We are sending a technician this afternoon.';
    const area = box.getByRole('textbox', { name: 'Reply by e-mail' });
    await area.fill(text);
    await box.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => box.getByRole('status').textContent()).toContain(`Sent to ${ann}`);
    expect(await area.inputValue()).toBe('');
    expect(await box.getByRole('alert').count()).toBe(0);

    // In the timeline, by the agent's name and the threaded subject.
    const entry = page.locator('.f-tl__item--email').first();
    await expect.poll(() => entry.textContent()).toContain('Sam Support');
    const [row] = await outbox().where({ record_id: caseId });
    expect(await entry.textContent()).toContain(row.subject);
    expect(row.subject).toMatch(/^Re: Printer on fire \[CS-\d{4}-\d{5}\]$/);
    expect(row).toMatchObject({ to_address: ann, object: 'service_case', created_by: agent.id, body: text });
    const threading = typeof row.threading === 'string' ? JSON.parse(row.threading) : row.threading;
    expect(threading.messageId).toMatch(/^<forma\.[0-9a-f-]+@mail\.test>$/);
    expect(threading.inReplyTo).toBe(`<first.${app.tenant.id}@customer.example>`);
    expect(threading.references).toContain(`<first.${app.tenant.id}@customer.example>`);
    expect(threading.replyTo).toBe(help);
    await screenshot(page, 'case-reply-en-desktop');

    // The agent loses the right to change cases while typing: 403, said plainly, the text stays.
    const draft = 'Could you send a photo of the label?';
    await area.fill(draft);
    await putMeta(app.tenant, '/api/meta/roles/support', SUPPORT_ROLE(false));
    try {
      await box.getByRole('button', { name: 'Send reply' }).click();
      await expect
        .poll(() => box.getByRole('alert').textContent())
        .toBe('You may not reply on this case: replying needs the right to change it. Your text is kept.');
      expect(await area.inputValue()).toBe(draft);
      expect(await area.getAttribute('aria-invalid')).toBe('true');
      expect(await outbox().where({ record_id: caseId })).toHaveLength(1);
      await screenshot(page, 'case-reply-en-refused');
      // Opened afresh, the case offers no box to someone who may not reply.
      await page.reload();
      await page.locator('.f-tl__list').waitFor();
      expect(await page.getByRole('form', { name: 'Reply by e-mail' }).count()).toBe(0);
    } finally {
      await putMeta(app.tenant, '/api/meta/roles/support', SUPPORT_ROLE('all'));
    }
    expect(errors).toEqual([]);
  });

  it('works in Chinese on a phone; a case without a customer address says so (Chinese, phone)', async () => {
    const caseId = await caseByMail('打印机冒烟', `zh.${app.tenant.id}@customer.example`);
    const phoned = await app.tenant.api.post('/api/records/service_case', { subject: 'Phoned in' });
    expect(phoned.status, phoned.text).toBe(201);
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, { tenant: app.tenant.id, email: agent.email, password: agent.password });
    await useChinese(page);
    await page.goto(`/o/service_case/${caseId}?tab=timeline`);
    const box = page.getByRole('form', { name: '邮件回复' });
    await box.waitFor();
    await expect.poll(() => box.textContent()).toContain(`收件人：${ann}`);
    await box.getByRole('textbox', { name: '邮件回复' }).fill('技术人员今天下午到。');
    await box.getByRole('button', { name: '发送回复' }).click();
    await expect.poll(() => box.getByRole('status').textContent()).toContain(`已发送至 ${ann}`);
    const entry = page.locator('.f-tl__item--email').first();
    await expect.poll(() => entry.textContent()).toContain('Re: 打印机冒烟');
    const [row] = await outbox().where({ record_id: caseId });
    const threading = typeof row.threading === 'string' ? JSON.parse(row.threading) : row.threading;
    expect(threading.inReplyTo).toBe(`<zh.${app.tenant.id}@customer.example>`);
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'case-reply-zh-phone');

    await page.goto(`/o/service_case/${phoned.body.id}?tab=timeline`);
    const none = page.getByRole('note').filter({ hasText: '此工单没有客户邮箱' });
    await none.waitFor();
    expect(await page.getByRole('form', { name: '邮件回复' }).count()).toBe(0);
    await screenshot(page, 'case-reply-zh-phone-no-address');
    expect(errors).toEqual([]);
  });
});
