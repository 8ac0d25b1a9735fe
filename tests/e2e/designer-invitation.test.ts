/**
 * An invitation by e-mail (issue 22) when the server sends e-mail: the admin invites from the users
 * screen, the e-mail's link opens a page where the new user chooses a password, then signs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2einv', server: { runtimeConfig: { mail: { enabled: true } } } });
});
afterAll(async () => {
  await app?.close();
});

describe('invitation by e-mail', { timeout: 180_000 }, () => {
  it('sends a link; the new user sets a password once and signs in', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/users');
    await page.getByRole('button', { name: 'Invite user' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    expect(await invite.getByLabel('How they get in').inputValue()).toBe('email');
    await invite.getByLabel('Name').fill('Ines Invited');
    await invite.getByLabel('E-mail').fill('ines@example.test');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to ines@example.test').first().waitFor();

    const mail = await app.server.runtime.db
      .withSchema(`t_${app.tenant.id}`)
      .from('_email_outbox')
      .where('to_address', 'ines@example.test')
      .first('body');
    const token = /\/invitation\?token=(\S+)/.exec(mail.body)?.[1];
    expect(token, mail.body).toBeTruthy();

    const visitor = (await app.newPage()).page;
    await visitor.goto(`/invitation?token=${token}`);
    await visitor.getByRole('heading', { name: 'Welcome to Forma' }).waitFor();
    await visitor.getByText('New password again').waitFor();
    await visitor.locator('input[type=password]').nth(0).fill('short');
    await visitor.locator('input[type=password]').nth(1).fill('short');
    await visitor.getByRole('button', { name: 'Set password' }).click();
    await visitor.getByText('Must be 8 to 200 characters').waitFor();
    await visitor.locator('input[type=password]').nth(0).fill('ines chose this');
    await visitor.locator('input[type=password]').nth(1).fill('ines chose this');
    await screenshot(visitor, 'invitation-set-password');
    await visitor.getByRole('button', { name: 'Set password' }).click();
    await visitor.waitForURL(/\/login\?tenant=/);
    await signIn(visitor, { tenant: app.tenant.id, email: 'ines@example.test', password: 'ines chose this' });

    // The link worked once.
    const again = await app.server.anon.post('/api/auth/invitation', {
      token: decodeURIComponent(token!),
      password: 'another password',
    });
    expect(again.status).toBe(401);
  });
});
