import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp, submitLogin } from './support';

let app: E2eApp;

beforeAll(async () => {
  // A low per-account limit so the 429 message can be reached with a few attempts.
  app = await startE2eApp({ prefix: 'e2elogin', server: { runtimeConfig: { login: { maxFailuresPerAccount: 3 } } } });
});
afterAll(async () => {
  await app?.close();
});

describe('login', { timeout: 90_000 }, () => {
  it('shows an inline error for a wrong password and stays on the login page', async () => {
    const { page, errors } = await app.newPage();
    await page.goto('/');
    await page.waitForURL('**/login');
    await submitLogin(page, { ...app.admin, password: 'not the password' });
    const alert = page.getByTestId('login-error');
    await expect(alert.textContent()).resolves.toContain('e-mail or password is not correct');
    expect(new URL(page.url()).pathname).toBe('/login');
    // The e-mail is kept so the user only retypes the password.
    expect(await page.getByRole('textbox', { name: 'E-mail' }).inputValue()).toBe(app.admin.email);
    await screenshot(page, 'login-wrong-password');
    expect(errors).toEqual([]);
  });

  it('marks missing fields without calling the server', async () => {
    const { page } = await app.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('textbox', { name: 'Workspace' }).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await page.getByText('Required').count()).toBe(3);
    // Focus goes to the first field to fix.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('tenant');
  });

  it('signs in with the right password and lands in the tenant-branded shell', async () => {
    const { page, errors } = await app.newPage();
    await page.goto('/login');
    await screenshot(page, 'login-page');
    await signIn(page, app.admin);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.getByTestId('tenant-name').textContent()).resolves.toBe(app.tenant.id);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(
      /^Good (morning|afternoon|evening), Admin$/,
    );
    // No objects yet: the navigation says so and points the admin to the designer.
    await page.getByText('No objects yet').waitFor();
    await expect(page.getByRole('link', { name: 'Open the designer' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'shell-home-laptop');
    expect(errors).toEqual([]);
  });

  it('brings a deep link back after signing in, and keeps the designer for admins', async () => {
    const { page } = await app.newPage();
    await page.goto('/designer');
    await page.waitForURL('**/login?next=%2Fdesigner');
    await submitLogin(page, app.admin);
    await page.waitForURL('**/designer');
    await page.getByRole('heading', { name: 'Designer', level: 1 }).waitFor();
    await screenshot(page, 'designer-home');
  });

  it('refuses a crafted next= that points to another site', async () => {
    const { page } = await app.newPage();
    await page.goto('/login?next=//evil.test/phish');
    await submitLogin(page, app.admin);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(page.url()).toBe(`${app.server.url}/`);
  });

  it('hides the designer from non-admins and explains when they open it anyway', async () => {
    const user = await app.tenant.addUser({ name: 'Rita Rep', roles: [] });
    const { page } = await app.newPage();
    await signIn(page, { tenant: app.tenant.id, email: user.email, password: user.password });
    await page.getByText('Nothing has been shared with you yet.').waitFor();
    expect(await page.getByRole('link', { name: 'Designer' }).count()).toBe(0);
    await page.goto('/designer');
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  });

  it('signs out from the user menu, and the session is gone', async () => {
    const { page, context } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect((await context.cookies()).find((c) => c.name === 'forma_session')).toBeUndefined();
    // Going back into the app asks to sign in again.
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('explains the sign-in pause after too many failures (429)', async () => {
    const { page } = await app.newPage();
    await page.goto('/login');
    const probe = { tenant: app.tenant.id, email: 'nobody@e2e.test', password: 'guess' };
    for (let i = 0; i < 4; i++) {
      await submitLogin(page, probe);
      await page.getByTestId('login-error').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).isEnabled();
    }
    await page.getByText('Too many failed sign-in attempts').waitFor();
    await expect(page.getByTestId('login-error').textContent()).resolves.toMatch(/try again in \d+ minutes/);
    await screenshot(page, 'login-rate-limited');
  });
});
