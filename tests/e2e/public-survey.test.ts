/**
 * The public satisfaction survey page (`/s/:token`, docs/surveys.md): a customer answers without
 * signing in, on a phone (390×844) and a desktop (1440×900), in English and in Chinese; a used link
 * says it was answered, a broken one says so too. Screenshots land in tests/e2e/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, startE2eApp, VIEWPORTS } from './support';

let app: E2eApp;
let contact: string;
const DESKTOP = { width: 1440, height: 900 };

/** Closes a new case and returns the path of the survey link its contact was e-mailed. */
async function surveyLink(subject: string): Promise<string> {
  const api = app.tenant.api;
  const c = await api.post('/api/records/service_case', { subject, contact, type: 'problem', status: 'in_progress' });
  expect(c.status, c.text).toBe(201);
  const closed = await api.patch(
    `/api/records/service_case/${c.body.id}`,
    { status: 'closed' },
    { headers: { 'if-match': String(c.body.version) } },
  );
  expect(closed.status, closed.text).toBe(200);
  const outbox = () =>
    app.server.runtime.db
      .withSchema(`t_${app.tenant.id}`)
      .from('_email_outbox')
      .where({ object: 'service_case', record_id: c.body.id })
      .first('body');
  const end = Date.now() + 30_000;
  let row = await outbox();
  while (!row && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    row = await outbox();
  }
  const path = /\/s\/[A-Za-z0-9_.-]+/.exec(row?.body ?? '')?.[0];
  expect(path, 'a survey link in the e-mail').toBeTruthy();
  return path!;
}

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2esurvey',
    server: { plugins: 'discover', runtimeConfig: { surveys: { publicPerMinute: 1000, maxBodyBytes: 32 * 1024 } } },
    tenant: { template: 'core-crm' },
  });
  const r = await app.tenant.api.post('/api/records/contact', {
    last_name: 'Li',
    first_name: 'Na',
    email: 'li.na@customer.test',
  });
  expect(r.status, r.text).toBe(201);
  contact = r.body.id;
}, 300_000);

afterAll(async () => {
  await app?.close();
});

describe('public survey page', { timeout: 120_000 }, () => {
  it('is answered on a phone in English without signing in, once', async () => {
    const link = await surveyLink('Phone survey');
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(link);
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    // Nobody asked to sign in.
    expect(new URL(page.url()).pathname).toBe(link);
    await screenshot(page, 'survey-phone-en');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);

    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('alert').filter({ hasText: 'Some answers need a change.' }).waitFor();
    expect(await page.getByText('Required', { exact: true }).count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'survey-phone-en-required');

    await page.getByRole('radio', { name: '2 of 5' }).click();
    await page.getByRole('radio', { name: '5', exact: true }).click();
    await page.getByRole('radio', { name: 'Speed' }).check();
    await page.getByRole('textbox').fill('It took a week to fix.');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByTestId('survey-thanks').waitFor();
    await expect(page.getByTestId('survey-thanks').textContent()).resolves.toContain('Thank you!');
    await screenshot(page, 'survey-phone-en-thanks');

    await page.reload();
    await page.getByTestId('survey-answered').waitFor();
    await expect(page.getByTestId('survey-answered').textContent()).resolves.toContain('already been answered');
    expect(errors).toEqual([]);
  });

  it('is answered on a desktop in Chinese', async () => {
    const link = await surveyLink('Desktop survey');
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await page.goto(link);
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    await screenshot(page, 'survey-desktop-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '我们的服务怎么样？' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await page.getByRole('button', { name: '提交回答' }).click();
    await page.getByRole('alert').filter({ hasText: '有些回答需要修改。' }).waitFor();
    await screenshot(page, 'survey-desktop-zh-required');
    await page.getByRole('radio', { name: '5 星（满分 5 星）' }).click();
    await page.getByRole('radio', { name: '10', exact: true }).click();
    await page.getByRole('radio', { name: '专业' }).check();
    // Answering clears the "needs a change" sentence along with the marks.
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'survey-desktop-zh');
    await page.getByRole('button', { name: '提交回答' }).click();
    await page.getByTestId('survey-thanks').waitFor();
    await expect(page.getByTestId('survey-thanks').textContent()).resolves.toContain(
      '谢谢！您的反馈帮助我们做得更好。',
    );
    await screenshot(page, 'survey-desktop-zh-thanks');
    expect(errors).toEqual([]);
  });

  it('shows the Chinese survey on a phone, and says plainly when a link is broken', async () => {
    const link = await surveyLink('Phone zh survey');
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.phone, locale: 'zh-CN' });
    await page.goto(link);
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '我们的服务怎么样？' }).waitFor();
    await page.getByRole('radio', { name: '8', exact: true }).click();
    await screenshot(page, 'survey-phone-zh');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.goto(`${link.slice(0, -3)}xyz`);
    await page.getByTestId('survey-invalid').waitFor();
    // Before any survey says otherwise, the page speaks the browser's language.
    await expect(page.getByTestId('survey-invalid').textContent()).resolves.toContain('链接无效');
    await screenshot(page, 'survey-phone-zh-invalid');
    expect(errors).toEqual([]);
  });
});
