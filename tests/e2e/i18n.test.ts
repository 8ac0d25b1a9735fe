import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2ei18n' });
});
afterAll(async () => {
  await app?.close();
});

async function chooseLanguage(page: Page, name: 'English' | '中文（简体）') {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitemradio', { name }).click();
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);

describe('language switch', { timeout: 90_000 }, () => {
  it('switches the shell to Chinese and back, and remembers the choice across reloads', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    expect(await h1(page)).toMatch(/^Good /);

    await chooseLanguage(page, '中文（简体）');
    await expect(h1(page)).resolves.toMatch(/^(早上好|下午好|晚上好)，Admin$/);
    expect(await htmlLang(page)).toBe('zh-CN');
    await page.getByText('还没有对象').waitFor();
    await page.getByRole('link', { name: '首页' }).waitFor();
    await screenshot(page, 'shell-home-zh-cn');

    await page.reload();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    expect(await h1(page)).toMatch(/^(早上好|下午好|晚上好)/);

    await chooseLanguage(page, 'English');
    await expect(h1(page)).resolves.toMatch(/^Good /);
    expect(await htmlLang(page)).toBe('en');
    await page.getByRole('link', { name: 'Home' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('offers the switch on the login page, and errors are translated too', async () => {
    const { page } = await app.newPage();
    await page.goto('/login');
    await chooseLanguage(page, '中文（简体）');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.getByRole('textbox', { name: '工作区' }).fill(app.tenant.id);
    await page.getByRole('textbox', { name: '邮箱' }).fill(app.admin.email);
    await page.getByRole('textbox', { name: '密码' }).fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toBe('工作区、邮箱或密码不正确。');
    await screenshot(page, 'login-zh-cn-error');
  });

  it('remembers the language per user on a shared browser', async () => {
    const rep = await app.tenant.addUser({ name: 'Li Lei' });
    const repLogin = { tenant: app.tenant.id, email: rep.email, password: rep.password };
    const { page } = await app.newPage();

    await signIn(page, app.admin);
    await chooseLanguage(page, '中文（简体）');
    await page.getByText('还没有对象').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL('**/login');

    // The rep picks English on the same browser...
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: 'English' }).click();
    await signIn(page, repLogin);
    expect(await h1(page)).toMatch(/^Good .*, Li$/);
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');

    // ...and the admin still gets Chinese after signing in again.
    await page.getByRole('textbox', { name: 'Workspace' }).fill(app.tenant.id);
    await page.getByRole('textbox', { name: 'E-mail' }).fill(app.admin.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(app.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    expect(await h1(page)).toMatch(/^(早上好|下午好|晚上好)，Admin$/);
  });
});
