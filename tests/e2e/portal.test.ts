/**
 * The customer portal in a browser (docs/portal.md): a contact asks for a sign-in link, follows it
 * from the e-mail outbox, sees their account's cases, opens a case and adds a comment — in English
 * and Chinese, on a phone (390×844) and a desktop (1440×900).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, startE2eApp } from './support';

let app: E2eApp;
const EMAIL = 'mia@harbour.test';

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2eportal',
    server: { plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }] },
    tenant: { template: 'core-crm' },
  });
  const api = app.tenant.api;
  const account = await api.post('/api/records/account', { name: 'Harbour Foods', portal_access: true });
  expect(account.status, account.text).toBe(201);
  const contact = await api.post('/api/records/contact', {
    first_name: 'Mia',
    last_name: 'Chen',
    email: EMAIL,
    account: account.body.id,
  });
  expect(contact.status, contact.text).toBe(201);
  const kase = await api.post('/api/records/service_case', {
    subject: 'Cold room alarm',
    account: account.body.id,
    contact: contact.body.id,
    priority: 'high',
  });
  expect(kase.status, kase.text).toBe(201);
  const order = await api.post('/api/records/order', { account: account.body.id, amount: 1280, status: 'confirmed' });
  expect(order.status, order.text).toBe(201);
}, 300_000);

afterAll(async () => {
  await app?.close();
});

const TEXT = {
  en: { send: 'Send me a sign-in link', sent: 'Check your inbox', hello: 'Hello, Mia Chen', open: 'Open a case' },
  zh: { send: '发送登录链接', sent: '请查收邮件', hello: '您好，Mia Chen', open: '提交工单' },
} as const;
const COPY = {
  en: { subject: 'Subject', submit: 'Open the case', message: 'Your message', send: 'Send', you: 'You' },
  zh: { subject: '主题', submit: '提交', message: '您的留言', send: '发送', you: '您' },
} as const;

async function latestLink(): Promise<string> {
  const row = await app.server.runtime.db
    .withSchema(`t_${app.tenant.id}`)
    .from('_email_outbox')
    .where('to_address', EMAIL)
    .orderBy('created_at', 'desc')
    .first('body');
  const m = /(\/portal\/\S+#token=\S+)/.exec(String(row?.body ?? ''));
  if (!m?.[1]) throw new Error('no sign-in link in the outbox');
  return m[1];
}

describe('customer portal', { timeout: 180_000 }, () => {
  for (const [lang, locale] of [
    ['en', 'en-US'],
    ['zh', 'zh-CN'],
  ] as const)
    for (const [size, viewport] of [
      ['phone', { width: 390, height: 844 }],
      ['desktop', { width: 1440, height: 900 }],
    ] as const)
      it(`signs in by link, opens a case and comments (${lang}, ${size})`, async () => {
        const { page, errors } = await app.newPage({ viewport, locale });
        const text = TEXT[lang];
        const copy = COPY[lang];
        await page.goto(`/portal/${app.tenant.id}`);
        await page.waitForURL(`**/portal/${app.tenant.id}/login`);
        await page.getByRole('textbox').fill(EMAIL);
        await page.getByRole('button', { name: text.send }).click();
        await page.getByRole('status').filter({ hasText: text.sent }).waitFor();
        await screenshot(page, `portal-sign-in-${lang}-${size}`);

        const before = await latestLink();
        await page.goto(before);
        await page.getByRole('heading', { name: text.hello }).waitFor();
        // The token left the address bar once spent.
        expect(page.url()).not.toContain('token=');
        await page.getByText('Cold room alarm').first().waitFor();
        await screenshot(page, `portal-home-${lang}-${size}`);

        await page.getByRole('link', { name: text.open }).click();
        const subject = `Door sensor ${lang} ${size}`;
        await page.getByRole('textbox', { name: copy.subject }).fill(subject);
        await screenshot(page, `portal-new-case-${lang}-${size}`);
        await page.getByRole('button', { name: copy.submit }).click();
        await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
        // The case's name is its number (the object's label field); the subject is among its details.
        await page.getByRole('heading', { name: /^CS-/ }).waitFor();
        await page.getByText(subject).waitFor();

        const message = lang === 'zh' ? '传感器一直报警' : 'The sensor keeps beeping';
        await page.getByRole('textbox', { name: copy.message }).fill(message);
        await page.getByRole('button', { name: copy.send, exact: true }).click();
        await page.locator('.f-portal__comment--mine').filter({ hasText: message }).waitFor();
        const fileName = `sensor-log-${lang}-${size}.txt`;
        await page
          .locator('input[type="file"]')
          .setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from('door sensor log') });
        await page.getByRole('link', { name: fileName }).waitFor();
        await screenshot(page, `portal-case-${lang}-${size}`, { fullPage: true });

        // The case and comment reached the CRM with the contact's account.
        const cases = await app.tenant.api.get('/api/records/service_case', {
          query: { filter: JSON.stringify({ subject: { eq: subject } }) },
        });
        expect(cases.body.items).toHaveLength(1);
        expect(cases.body.items[0].account).toBeTruthy();
        // Phone: nothing wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(errors).toEqual([]);
      });

  it('signs in although the page’s first “who am I” answers after the link did (a slow server)', async () => {
    const { page } = await app.newPage();
    await page.goto(`/portal/${app.tenant.id}/login`);
    await page.getByRole('textbox').fill(EMAIL);
    await page.getByRole('button', { name: TEXT.en.send }).click();
    await page.getByRole('status').filter({ hasText: TEXT.en.sent }).waitFor();
    const link = await latestLink();
    // The landing page asks who is signed in (401: nobody yet) while it spends the link. Here the
    // server answers that question before the sign-in, and the answer reaches the page after it.
    let meAnswered!: () => void;
    const meAtServer = new Promise<void>((resolve) => {
      meAnswered = resolve;
    });
    let signedIn!: () => void;
    const redeemed = new Promise<void>((resolve) => {
      signedIn = resolve;
    });
    let held = false;
    await page.route('**/api/portal/*/me', async (route) => {
      if (held) return route.continue();
      held = true;
      const answer = await route.fetch();
      meAnswered();
      await redeemed;
      await new Promise((r) => setTimeout(r, 300));
      await route.fulfill({ response: answer });
    });
    await page.route('**/api/portal/*/session', async (route) => {
      await meAtServer;
      await route.continue();
    });
    page.on('response', (r) => {
      if (r.url().endsWith('/session') && r.request().method() === 'POST') signedIn();
    });
    await page.goto(link);
    await page.getByRole('heading', { name: TEXT.en.hello }).waitFor();
    await page.waitForTimeout(1_000);
    expect(page.url()).not.toContain('/login');
    await page.getByRole('heading', { name: TEXT.en.hello }).waitFor();
  });

  it('refuses a link that was already used', async () => {
    const { page } = await app.newPage();
    await page.goto(await latestLink());
    await page.getByRole('alert').filter({ hasText: 'not valid any more' }).waitFor();
    await screenshot(page, 'portal-link-used-en-desktop');
  });
});
