/**
 * The public web form page (`/f/:tenant/:form`, docs/public-forms.md) in a browser without any
 * session: core-crm's "Contact us" in English and Chinese, on a desktop and a phone. The browser
 * solves the ALTCHA proof of work itself, the visitor fills the form and reads the thank-you text;
 * the page may be framed by other sites and breaks no Content-Security-Policy rule.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2epf',
    server: {
      plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
      // Lighter than production so four solves fit a busy CI machine; the same check all the same.
      runtimeConfig: { webForms: { powCost: 100, powCounterMin: 200, powCounterMax: 600 } },
    },
    tenant: { template: 'core-crm' },
  });
}, 240_000);

afterAll(async () => {
  await app?.close();
});

const CASES = [
  {
    name: 'en-desktop',
    lang: 'en',
    viewport: { width: 1440, height: 900 },
    title: 'Contact us',
    contactLabel: 'Contact name',
    thanks: 'Thank you! Our team will get back to you within one working day.',
  },
  {
    name: 'en-phone',
    lang: 'en',
    viewport: { width: 390, height: 844 },
    title: 'Contact us',
    contactLabel: 'Contact name',
    thanks: 'Thank you! Our team will get back to you within one working day.',
  },
  {
    name: 'zh-desktop',
    lang: 'zh-CN',
    viewport: { width: 1440, height: 900 },
    title: '联系我们',
    contactLabel: '联系人姓名',
    thanks: '谢谢！我们的团队会在一个工作日内与您联系。',
  },
  {
    name: 'zh-phone',
    lang: 'zh-CN',
    viewport: { width: 390, height: 844 },
    title: '联系我们',
    contactLabel: '联系人姓名',
    thanks: '谢谢！我们的团队会在一个工作日内与您联系。',
  },
] as const;

describe('public form page', () => {
  for (const c of CASES)
    it(`${c.name}: opens without a session, solves the challenge, sends, thanks`, async () => {
      const { page, errors } = await app.newPage({ viewport: c.viewport, locale: c.lang === 'en' ? 'en-US' : 'zh-CN' });
      const refused: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && /Refused|Content.Security/i.test(m.text())) refused.push(m.text());
      });
      const response = await page.goto(`/f/${app.tenant.id}/contact_us?lang=${c.lang}`);
      // Other sites may frame it: no X-Frame-Options, frame-ancestors open.
      expect(response?.headers()['x-frame-options']).toBeUndefined();
      expect(response?.headers()['content-security-policy']).toContain('frame-ancestors *');

      await expect.poll(() => page.locator('h1').textContent()).toBe(c.title);
      expect(await page.getByTestId('public-form-brand').textContent()).toMatch(/^Test e2epf_/);
      expect(await page.locator('label[for="root_contact_name"]').textContent()).toContain(c.contactLabel);
      // The hidden value and other fields of the lead never reach the page.
      expect(await page.locator('#root_source').count()).toBe(0);
      expect(await page.locator('#root_converted_account').count()).toBe(0);
      await screenshot(page, `public-form-${c.name}`);

      const company = `Browser ${c.name} Ltd`;
      await page.fill('#root_contact_name', c.lang === 'en' ? 'Grace Visitor' : '王小明');
      await page.fill('#root_company', company);
      await page.fill('#root_email', `visitor.${c.name}@example.test`);
      await page.fill('#root_notes', c.lang === 'en' ? 'Please call me back.' : '请给我回电话。');
      // The widget solved its challenge: its hidden input carries the payload.
      await expect
        .poll(
          () =>
            page
              .locator('input[name="altcha"]')
              .inputValue()
              .catch(() => ''),
          { timeout: 120_000 },
        )
        .not.toBe('');
      await page.getByTestId('public-form-submit').click();
      const thanks = page.getByTestId('public-form-thanks');
      await thanks.waitFor();
      expect(await thanks.textContent()).toContain(c.thanks);
      await screenshot(page, `public-form-${c.name}-sent`);

      const leads = await app.tenant.api.get('/api/records/lead', {
        query: { filter: JSON.stringify({ company: { eq: company } }) },
      });
      expect(leads.status, leads.text).toBe(200);
      expect(leads.body.items).toHaveLength(1);
      expect(leads.body.items[0]).toMatchObject({ source: 'web', owner: app.tenant.admin.id });
      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    }, 180_000);

  it('a plain HTML form on another site, with the widget script served by Forma, solves and sends', async () => {
    const forma = app.server.url;
    const action = `${forma}/api/public/forms/${app.tenant.id}/contact_us?lang=en`;
    // The customer's own site: another origin on the loopback, serving the documented snippet.
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Acme</title>
<script type="module" src="${forma}/api/public/forms/widget.js"></script></head><body>
<form action="${action}" method="post">
  <label>Name <input name="contact_name" required></label>
  <label>Company <input name="company"></label>
  <label>E-mail <input name="email" type="email" required></label>
  <input name="website_url" tabindex="-1" autocomplete="off" style="position:absolute;left:-10000px">
  <altcha-widget challenge="${forma}/api/public/forms/${app.tenant.id}/contact_us/challenge" auto="onload"></altcha-widget>
  <button>Send</button>
</form></body></html>`;
    const site: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const { page } = await app.newPage();
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      await page.fill('input[name="contact_name"]', 'Pat Plain');
      await page.fill('input[name="company"]', 'Plain HTML Ltd');
      await page.fill('input[name="email"]', 'pat.plain@example.test');
      await expect
        .poll(
          () =>
            page
              .locator('input[name="altcha"]')
              .inputValue()
              .catch(() => ''),
          { timeout: 120_000 },
        )
        .not.toBe('');
      await screenshot(page, 'public-form-plain-html-solved');
      await Promise.all([page.waitForURL(`${forma}/**`), page.getByRole('button', { name: 'Send' }).click()]);
      await page.getByText('Thank you! Our team will get back to you within one working day.').waitFor();
      await screenshot(page, 'public-form-plain-html-sent');
      const leads = await app.tenant.api.get('/api/records/lead', {
        query: { filter: JSON.stringify({ company: { eq: 'Plain HTML Ltd' } }) },
      });
      expect(leads.body.items).toHaveLength(1);
      expect(leads.body.items[0]).toMatchObject({ contact_name: 'Pat Plain', source: 'web' });
    } finally {
      await new Promise<void>((resolve) => site.close(() => resolve()));
    }
  }, 180_000);

  it('an unknown form says so, in the visitor language', async () => {
    const { page } = await app.newPage({ locale: 'zh-CN' });
    await page.goto(`/f/${app.tenant.id}/no_such_form`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('此表单不存在或已关闭。');
  });
});
