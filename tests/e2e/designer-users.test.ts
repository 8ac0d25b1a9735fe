/**
 * The designer's users screen in the browser (issue 22), in English and Chinese: invite a user
 * (one-time password shown once), set a manager by dragging in the org chart (a cycle is refused
 * with the server's words), hand a leaving user's records over, deactivate, and import a CSV whose
 * bad row is shown at its cell while nothing is created.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp, VIEWPORTS } from './support';

let app: E2eApp;
type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;
let leaver: User;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eusers' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Sales rep',
    'x-i18n': { 'zh-CN': { label: '销售代表' } },
    objects: { deal: { create: true, read: 'own', update: 'own', delete: false }, account: { read: 'all' } },
  });
  leaver = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Lars Leaving' });
  // A service account belongs on the Integrations screen, not among the people.
  const robot = await app.tenant.api.post('/api/admin/service-accounts', { name: 'Shop robot', roles: ['sales_rep'] });
  expect(robot.status, robot.text).toBe(201);
  for (const name of ['Lars deal one', 'Lars deal two']) {
    const r = await leaver.api.post('/api/records/deal', { name, amount: 100 });
    expect(r.status, r.text).toBe(201);
  }
});
afterAll(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
  await app?.close();
});

/** Signed in as the admin; Chinese is chosen in the app's language switch, as a user does. */
async function usersPage(chinese = false): Promise<Page> {
  const { page } = await app.newPage();
  await signIn(page, app.admin);
  if (chinese) {
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
  }
  await page.goto('/designer');
  return page;
}

const userByName = async (name: string) =>
  (
    (await app.tenant.api.get('/api/users')).body.items as Array<{
      id: string;
      name: string;
      manager: string | null;
      active: boolean;
    }>
  ).find((u) => u.name === name);

describe('users and org chart in the browser', { timeout: 240_000 }, () => {
  it('invites a user, sets managers by drag, refuses a cycle, hands over and deactivates (English)', async () => {
    const page = await usersPage();
    // The home page's "get started" step leads straight here.
    await page.goto('/');
    await page.getByRole('link', { name: 'Invite your team and give them roles' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Lars Leaving' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Shop robot' }).count()).toBe(0);

    // Invite: no e-mail on this server, so a one-time password is shown once.
    await page.getByRole('button', { name: 'Invite user' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    await invite.getByText('E-mail is not set up on this server').waitFor();
    await invite.getByRole('button', { name: 'Create user' }).click();
    // Bad input: the server's words at the fields, nothing created.
    await invite.getByText('Must be a valid e-mail address').waitFor();
    await invite.getByLabel('Name').fill('Nora New');
    await invite.getByLabel('E-mail').fill('nora@example.test');
    await invite.getByLabel('Sales rep').check();
    await invite.getByRole('button', { name: 'Create user' }).click();
    const otp = page.getByRole('dialog', { name: 'One-time password for Nora New' });
    const password = (await otp.getByLabel('One-time password').textContent())?.trim() ?? '';
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await screenshot(page, 'designer-users-otp');
    await otp.getByRole('button', { name: 'I have copied it' }).click();
    const login = await app.server.anon.post('/api/auth/login', {
      tenant: app.tenant.id,
      email: 'nora@example.test',
      password,
    });
    expect(login.status).toBe(200);
    await page.getByRole('cell', { name: 'Nora New' }).waitFor();
    await page.getByRole('cell', { name: 'Never' }).first().waitFor();
    await screenshot(page, 'designer-users-list');

    // Org chart: drag Nora onto Admin, then Lars onto Nora.
    await page.getByRole('button', { name: 'Org chart' }).click();
    const node = (name: string) => page.locator(`.f-org__node[data-user="${name}"]`);
    await node('Nora New').dragTo(node('Admin'));
    await page.getByText('Admin now manages Nora New').first().waitFor();
    await node('Lars Leaving').dragTo(node('Nora New'));
    await page.getByText('Nora New now manages Lars Leaving').first().waitFor();
    const admin = await userByName('Admin');
    const nora = await userByName('Nora New');
    expect(nora?.manager).toBe(admin?.id);
    expect((await userByName('Lars Leaving'))?.manager).toBe(nora?.id);
    // Admin under Lars would be a circle: refused in the server's words, nothing changes.
    await node('Admin').dragTo(node('Lars Leaving'));
    await page.getByText('This would make a reporting cycle').first().waitFor();
    expect((await userByName('Admin'))?.manager).toBeNull();
    await screenshot(page, 'designer-users-org-chart');

    // Handover: Lars's two deals go to Nora through the records engine.
    await page.getByRole('button', { name: 'Lars Leaving' }).click();
    const dialog = page.getByRole('dialog', { name: 'Lars Leaving' });
    await dialog.getByText('Signed in').first().waitFor();
    await dialog.getByRole('button', { name: 'Hand over records' }).click();
    const handover = page.getByRole('dialog', { name: 'Hand over the records of Lars Leaving' });
    await handover.getByLabel('New owner').selectOption({ label: 'Nora New' });
    await handover.getByRole('button', { name: 'Hand over' }).click();
    await handover.getByText('2 records handed over.').waitFor();
    await screenshot(page, 'designer-users-handover');
    await handover.getByRole('button', { name: 'Close' }).last().click();
    const deals = await app.tenant.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ owner: { eq: nora?.id } }) },
    });
    expect(deals.body.items.map((d: { name: string }) => d.name).sort()).toEqual(['Lars deal one', 'Lars deal two']);
    const history = await app.tenant.api.get(`/api/records/deal/${deals.body.items[0].id}/history`);
    expect(JSON.stringify(history.body)).toContain('owner');

    // Deactivate Lars: his session ends at once.
    await page.getByRole('button', { name: 'Lars Leaving' }).click();
    await page.getByRole('dialog', { name: 'Lars Leaving' }).getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Lars Leaving deactivated').first().waitFor();
    expect((await leaver.api.get('/api/auth/me')).status).toBe(401);
    await page.getByRole('button', { name: 'List' }).click();
    await page.getByRole('row', { name: /Lars Leaving.*Deactivated/ }).waitFor();

    // The last admin cannot deactivate themselves: the server's words in the dialog.
    await page.getByRole('button', { name: 'Admin', exact: true }).click();
    const self = page.getByRole('dialog', { name: 'Admin' });
    await self.getByRole('button', { name: 'Deactivate myself' }).click();
    await self.getByText('A tenant must keep at least one active admin').waitFor();
  });

  it('imports users from CSV: a bad row is shown at its cell and nothing is created (English, phone)', async () => {
    const { page } = await app.newPage({ viewport: VIEWPORTS.phone });
    await signIn(page, app.admin);
    await page.goto('/designer/users');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import users from CSV' });
    const csv = [
      'name,email,roles,manager',
      'Ivy Import,ivy@example.test,sales_rep,nora@example.test',
      'Bad Row,not-an-email,sales_rep,',
      'Ken Import,ken@example.test,,ivy@example.test',
    ].join('\n');
    await dialog
      .getByLabel('CSV file')
      .setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByText('3 rows').waitFor();
    await dialog.getByRole('button', { name: 'Import 3 users' }).click();
    await dialog.getByText('1 of 3 rows have errors: nothing was imported').waitFor();
    await dialog.getByRole('cell', { name: /not-an-email.*Must be a valid e-mail address/ }).waitFor();
    await screenshot(page, 'designer-users-import-errors-phone');
    expect(await userByName('Ivy Import')).toBeUndefined();

    const fixed = csv.replace('not-an-email', 'bad.row@example.test');
    await dialog
      .getByLabel('CSV file')
      .setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
    await dialog.getByRole('button', { name: 'Import 3 users' }).click();
    const done = page.getByRole('dialog', { name: '3 users created' });
    await done.getByRole('cell', { name: 'ken@example.test' }).waitFor();
    const ken = await userByName('Ken Import');
    const ivy = await userByName('Ivy Import');
    expect(ken?.manager).toBe(ivy?.id);
  });

  it('works in Chinese: invite, deactivate, import with a bad row', async () => {
    const page = await usersPage(true);
    await page.getByRole('link', { name: '用户与组织架构' }).click();
    await page.getByRole('heading', { name: '用户', level: 1 }).waitFor();
    await page.getByRole('button', { name: '邀请用户' }).click();
    const invite = page.getByRole('dialog', { name: '邀请用户' });
    await invite.getByLabel('姓名').fill('王小明');
    await invite.getByLabel('邮箱').fill('wang@example.test');
    await invite.getByLabel('销售代表').check();
    await invite.getByRole('button', { name: '创建用户' }).click();
    const otp = page.getByRole('dialog', { name: '王小明 的一次性密码' });
    await otp.getByRole('button', { name: '我已复制' }).click();
    await page.getByRole('row', { name: /王小明.*销售代表/ }).waitFor();
    await screenshot(page, 'designer-users-list-zh-cn');

    await page.getByRole('button', { name: '王小明' }).click();
    await page.getByRole('dialog', { name: '王小明' }).getByRole('button', { name: '停用', exact: true }).click();
    await page.getByText('已停用 王小明').first().waitFor();
    await page.getByRole('row', { name: /王小明.*已停用/ }).waitFor();

    await page.getByRole('button', { name: '组织架构图' }).click();
    await page.getByText('把一个人拖到其新经理上').waitFor();
    await screenshot(page, 'designer-users-org-chart-zh-cn');

    await page.getByRole('button', { name: '导入 CSV' }).click();
    const dialog = page.getByRole('dialog', { name: '从 CSV 导入用户' });
    const csv = ['姓名,邮箱,角色', '李四,li@example.test,sales_rep', '张三,zhang@example.test,ghost'].join('\n');
    await dialog
      .getByLabel('CSV 文件')
      .setInputFiles({ name: 'u.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByRole('button', { name: '导入 2 个用户' }).click();
    await dialog.getByRole('cell', { name: /Unknown roles: ghost/ }).waitFor();
    expect(await userByName('李四')).toBeUndefined();
  });
});
