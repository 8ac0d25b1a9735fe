import type { Page } from 'playwright-core';
import type { TemplateDefinition } from '@forma/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp, VIEWPORTS } from './support';

type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

let app: E2eApp;
let rep: User;
let other: User;
let othersDeal: string;
let undoTemplate: (() => void) | undefined;

const SUPPORT_TEMPLATE = {
  name: 'e2e_support_desk',
  label: 'Support desk',
  version: '1.0.0',
  description: 'Tickets with a priority, for a help desk.',
  document: {
    objects: {
      ticket: {
        type: 'object',
        title: 'Ticket',
        properties: { subject: { type: 'string', title: 'Subject' }, priority: { type: 'integer', title: 'Priority' } },
      },
    },
    roles: {
      agent: {
        label: 'Support agent',
        'x-i18n': { 'zh-CN': { label: '客服专员' } },
        objects: { ticket: { create: true, read: 'own', update: 'own' } },
      },
    },
  },
  sampleData: {
    users: [
      { _key: 'ada', email: 'ada.agent@support.test', name: 'Ada Agent', password: 'Try-Support-1', roles: ['agent'] },
    ],
    ticket: [
      { _owner: '@ada', subject: 'Printer jams', priority: 2 },
      { _owner: '@ada', subject: 'VPN drops', priority: 1 },
    ],
  },
};

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eperm' });
  undoTemplate = app.server.runtime.templates.register(SUPPORT_TEMPLATE as unknown as TemplateDefinition);
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Sales rep',
    objects: { deal: { create: true, read: 'all', update: 'own', delete: false }, account: { read: 'all' } },
  });
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep' });
  other = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Olga Other' });
  const mine = await rep.api.post('/api/records/deal', { name: 'Robs renewal', amount: 1200 });
  expect(mine.status, mine.text).toBe(201);
  const theirs = await other.api.post('/api/records/deal', { name: 'Olgas expansion', amount: 9000 });
  expect(theirs.status, theirs.text).toBe(201);
  othersDeal = theirs.body.id;
});
// A language chosen in the app is the user's on every browser (their profile's locale): each test
// starts from none, so the next one opens in the browser's language (English).
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  undoTemplate?.();
  await app?.close();
});

const creds = (u: User) => ({ tenant: app.tenant.id, email: u.email, password: u.password });

async function openAsAdmin(path: string): Promise<Page> {
  const { page } = await app.newPage();
  await signIn(page, app.admin);
  await page.goto(path);
  return page;
}

describe('permissions, scripts and templates designer in the browser', { timeout: 240_000 }, () => {
  it("narrows a rep's deal read from all to own, publishes, and the rep's list and view-as follow", async () => {
    // Before: the rep reads every deal.
    expect((await rep.api.get('/api/records/deal')).body.items).toHaveLength(2);

    const page = await openAsAdmin('/designer');
    await page.getByRole('link', { name: 'Permissions' }).click();
    await page.getByRole('heading', { name: 'Permissions', level: 1 }).waitFor();
    await page.getByRole('button', { name: /Sales rep/ }).click();
    const read = page.getByRole('combobox', { name: 'Deal: Read' });
    expect(await read.inputValue()).toBe('all');
    await read.selectOption('own');
    await page.getByText('1 role changed, not published yet').waitFor();
    // Undo and redo through the keyboard, as in every designer editor.
    await page.getByRole('heading', { name: 'Sales rep', level: 2 }).click();
    await page.keyboard.press('Control+z');
    expect(await read.inputValue()).toBe('all');
    await page.keyboard.press('Control+Shift+z');
    expect(await read.inputValue()).toBe('own');

    // Field security on the same role: discount becomes read-only.
    await page.getByRole('tab', { name: 'Fields' }).click();
    await page.getByRole('combobox', { name: 'Object' }).selectOption('deal');
    await page.getByRole('radio', { name: 'Discount: Read only' }).check();
    await page.getByRole('tab', { name: 'Objects' }).click();
    await screenshot(page, 'designer-permissions-matrix');

    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish role changes' });
    // The plan in business words, by labels (issue 22).
    await dialog
      .getByText(
        'Role Sales rep: may now see own Deal records (before: all); may only see Deal Discount, not edit it',
        { exact: true },
      )
      .waitFor();
    await screenshot(page, 'designer-permissions-publish');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('All changes published').waitFor();
    const role = (await app.tenant.api.get('/api/meta')).body.roles.sales_rep;
    expect(role.objects.deal).toMatchObject({ read: 'own', fields: { discount: 'read' } });

    // The rep now sees only their own deal in the list.
    const asRep = await app.newPage();
    await signIn(asRep.page, creds(rep));
    await asRep.page.goto('/o/deal');
    await asRep.page.getByText('Robs renewal').waitFor();
    expect(await asRep.page.getByText('Olgas expansion').count()).toBe(0);
    await screenshot(asRep.page, 'designer-permissions-rep-list');

    // View as: the same matrix, read-only, and the explainer for the other rep's deal.
    await page.getByRole('tab', { name: 'View as user' }).click();
    await page.getByRole('combobox', { name: 'User' }).selectOption({ label: `Rob Rep <${rep.email}>` });
    const cell = page.locator('.f-perm-matrix__value[data-object="deal"][data-op="read"]');
    await expect.poll(() => cell.textContent()).toBe('Own');
    await page.getByRole('button', { name: 'Deal', exact: true }).click();
    await page.getByRole('heading', { name: 'Fields of Deal' }).waitFor();
    // Picking Deal in the matrix points the explainer at deals too.
    expect(await page.getByRole('combobox', { name: 'Object' }).last().inputValue()).toBe('deal');
    await page.getByRole('textbox', { name: 'Record ID' }).fill(othersDeal);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('Read: Denied').waitFor();
    await page.getByText('Read: Denied').scrollIntoViewIfNeeded();
    await screenshot(page, 'designer-permissions-view-as');
  });

  it('works in Chinese on a tablet: the matrix and the script editor', async () => {
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.tablet });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.goto('/designer/permissions');
    await page.getByRole('heading', { name: '权限', level: 1 }).waitFor();
    const read = page.getByRole('combobox', { name: '商机：读取' });
    await read.focus();
    expect(['all', 'own']).toContain(await read.inputValue());
    await screenshot(page, 'designer-permissions-tablet-zh-cn');
    await page.goto('/designer/scripts');
    await page.getByRole('heading', { name: '脚本', level: 1 }).waitFor();
    await page.getByRole('button', { name: /discount_rule/ }).click();
    await page.getByRole('button', { name: '运行测试' }).waitFor();
    await screenshot(page, 'designer-scripts-tablet-zh-cn');
    expect(errors).toEqual([]);
  });

  it('creates a role with a sharing rule, refuses bad names, publishes it and deletes it again', async () => {
    const page = await openAsAdmin('/designer/permissions');
    await page.getByRole('button', { name: 'New role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('admin');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('admin is built in and cannot be defined.').waitFor();
    await dialog.getByRole('textbox', { name: 'Name' }).fill("x'; drop table");
    await dialog.getByText(/Use lower-case letters/).waitFor();
    await dialog.getByRole('textbox', { name: 'Label' }).fill('Auditor');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('auditor');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Auditor', level: 2 }).waitFor();
    await page.getByText('1 role changed, not published yet').waitFor();

    // A sharing rule built with the filter builder: won deals are readable by auditors.
    await page.getByRole('tab', { name: 'Sharing rules' }).click();
    await page.getByRole('button', { name: 'Add sharing rule' }).click();
    const rule = page.getByRole('group', { name: 'Rule 1' });
    await rule.getByRole('combobox', { name: 'Object' }).selectOption('deal');
    await rule.getByRole('textbox', { name: 'Label' }).fill('Won deals');
    await rule.getByRole('button', { name: 'Add filter' }).click();
    await rule.getByRole('combobox', { name: 'Field' }).selectOption('stage');
    await rule.getByRole('combobox', { name: 'Condition' }).selectOption('eq');
    await rule.getByRole('combobox', { name: 'Value' }).selectOption('won');
    await rule.getByRole('button', { name: 'Apply', exact: true }).click();
    await screenshot(page, 'designer-permissions-sharing');
    await page.getByRole('button', { name: 'Publish…' }).click();
    const publish = page.getByRole('dialog', { name: 'Publish role changes' });
    await publish.getByText('auditor').first().waitFor();
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.waitFor({ state: 'detached' });
    await page.getByText('All changes published').waitFor();
    const roles = (await app.tenant.api.get('/api/meta')).body.roles;
    expect(roles.auditor).toMatchObject({
      label: 'Auditor',
      sharing: [{ object: 'deal', access: 'read', label: 'Won deals', filter: { stage: { eq: 'won' } } }],
    });

    // Deleting it is a change like any other: published through the plan.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the role auditor?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('auditor (deleted)').waitFor();
    await page.getByRole('button', { name: 'Publish…' }).click();
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.waitFor({ state: 'detached' });
    await page.getByText('All changes published').waitFor();
    expect((await app.tenant.api.get('/api/meta')).body.roles.auditor).toBeUndefined();
  });

  it('shows a refused script at its line, publishes the fix through the plan and runs a test', async () => {
    const page = await openAsAdmin('/designer');
    await page.getByRole('link', { name: 'Scripts' }).click();
    await page.getByRole('heading', { name: 'Scripts', level: 1 }).waitFor();
    await page.getByRole('button', { name: /discount_rule/ }).click();
    const code = page.locator('.cm-content');
    await code.getByText("error('discount'").waitFor();

    await code.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(
      "log('checking', record.name);\nif (record.discount > 20 {\n  error('discount', 'Too much');\n}\n",
    );
    await page.getByText('Not published', { exact: true }).first().waitFor();
    await page.getByText('1 script changed, not published yet').waitFor();
    // The plan is refused: the dialog gives way to the problem at its line in the editor.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const problems = page.getByTestId('script-problems');
    await problems.getByRole('button', { name: /^Line 2, column \d+$/ }).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('.cm-lint-marker-error').first().waitFor();
    await page.locator('.cm-lintRange-error').first().waitFor();
    await screenshot(page, 'designer-scripts-error');

    // Nothing was published and nothing typed was lost.
    expect((await app.tenant.api.get('/api/meta')).body.scripts.discount_rule.code).toContain('> 20)');
    await code.getByText('Too much').waitFor();

    await code.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(
      "log('checking', record.name);\nif (record.discount > 15) {\n  error('discount', 'Discounts above 15% need a manager');\n}\n",
    );
    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish script changes' });
    await dialog.getByText('Script discount_rule: code changed; runs on validate of Deal', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/^Published as version \d+$/).waitFor();
    await expect.poll(() => problems.count()).toBe(0);
    // The editor keeps the published code: the refreshed metadata must not briefly bring back the old one.
    await page.getByText('All changes published').waitFor();
    await expect.poll(() => page.getByText('Not published', { exact: true }).count()).toBe(0);
    await code.getByText('Discounts above 15% need a manager').waitFor();
    expect((await app.tenant.api.get('/api/meta')).body.scripts.discount_rule.code).toContain('> 15)');

    await page
      .getByRole('textbox', { name: 'Sample record (JSON)' })
      .fill('{"name": "Try", "amount": 10, "discount": 18}');
    await page.getByRole('button', { name: 'Run test' }).click();
    const result = page.getByTestId('script-test-result');
    await result.getByText('Discounts above 15% need a manager').waitFor();
    await result.getByText('[discount_rule] checking Try').waitFor();
    await result.getByText(/\d+(\.\d)? ms/).waitFor();
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, 'designer-scripts-test');

    // A sample that is not JSON is caught before anything is sent.
    await page.getByRole('textbox', { name: 'Sample record (JSON)' }).fill('{"name": ');
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.getByText(/Sample record \(JSON\) is not valid JSON/).waitFor();
    await expect.poll(() => result.count()).toBe(0);
  });

  it('applies a template with its plan shown first, and exports the configuration', async () => {
    const page = await openAsAdmin('/designer');
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    await screenshot(page, 'designer-templates-gallery');
    await page.getByRole('button', { name: 'Apply… Support desk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply “Support desk”' });
    // The plan reads by object (its fields with it), then by section, in labels; sample data first.
    const plan = dialog.getByTestId('template-plan-summary');
    await plan.getByRole('region', { name: 'Ticket' }).getByText('Object Ticket: added').waitFor();
    await plan.getByText('Role Support agent: added').waitFor();
    await dialog.getByText(/\d+ database steps?/).waitFor();
    const sample = dialog.getByRole('checkbox', { name: 'Also insert the sample records (1 user, 2 records)' });
    expect(await sample.isChecked()).toBe(false);
    await screenshot(page, 'designer-templates-plan');
    expect((await app.tenant.api.get('/api/meta')).body.objects.ticket).toBeUndefined();
    await sample.check();
    await dialog.getByRole('button', { name: 'Apply template' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Applied Support desk: version 1.0.0').first().waitFor();
    expect((await app.tenant.api.get('/api/meta')).body.objects.ticket).toBeDefined();
    // The sample users it created, with their sign-ins and role labels, shown once.
    const users = page.getByRole('dialog', { name: 'Sample users created' });
    const ada = users.getByRole('row', { name: /Ada Agent/ });
    await ada.getByText('Try-Support-1').waitFor();
    await ada.getByText('Support agent').waitFor();
    await users.getByText(/brought 2 records/).waitFor();
    await screenshot(page, 'designer-templates-sample-users');
    await users.getByRole('button', { name: 'Close' }).last().click();
    await users.waitFor({ state: 'detached' });
    // The gallery marks it applied; applying the same version again is offered, not pushed.
    const card = page.getByRole('article').filter({ hasText: 'Support desk' });
    await card.getByText('Applied · version 1.0.0').waitFor();
    await card.getByRole('button', { name: 'Apply again… Support desk' }).waitFor();

    // In Chinese, on a phone: the same marks and the plan grouped under the object's label.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await card.getByText('已应用 · 版本 1.0.0').waitFor();
    await card.getByRole('button', { name: '再次应用… Support desk' }).click();
    const zhDialog = page.getByRole('dialog', { name: '应用“Support desk”' });
    await zhDialog.getByText('你的配置已包含此模板：不会有任何修改。').waitFor();
    await screenshot(page, 'designer-templates-applied-zh-phone');
    await zhDialog.getByRole('button', { name: '取消' }).click();
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: 'English' }).click();
    await page.setViewportSize(VIEWPORTS.laptop);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download template' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^${app.tenant.id}-configuration-\\d{4}-\\d{2}-\\d{2}\\.json$`),
    );
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    const exported = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(exported.document.objects)).toEqual(expect.arrayContaining(['deal', 'ticket']));
  });
});
