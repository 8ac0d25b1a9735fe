import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, createRecord, type E2eApp, putMeta, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eobj' });
  await putMeta(app.tenant, '/api/meta/objects/account', ACCOUNT);
  await createRecord(app.tenant, 'account', { name: 'Initech', city: 'Austin' });
});
// A language chosen in the app is the user's on every browser (their profile's locale): each test
// starts from none, so the next one opens in the browser's language (English).
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

const dialog = (page: Page) => page.getByRole('dialog');

async function addField(page: Page, kind: string, label: string, more?: (d: Locator) => Promise<void>) {
  await page.getByRole('button', { name: 'Add field' }).click();
  const d = dialog(page);
  // The kind cards are labels around visually hidden radios: click the card as a user would.
  await d.locator('label.f-od-kind', { hasText: new RegExp(`^${kind}$`) }).click();
  expect(await d.getByRole('radio', { name: kind, exact: true }).isChecked()).toBe(true);
  await d.getByRole('textbox', { name: 'Label' }).fill(label);
  if (more) await more(d);
  await d.getByRole('button', { name: 'Add field' }).click();
  await d.waitFor({ state: 'detached' });
}

/** Opens the publish dialog, waits for the plan, optionally screenshots it, and applies it. */
async function publish(page: Page, shot?: string, opts: { revert?: boolean } = {}) {
  const d = dialog(page);
  await d.getByText(/Database steps/).waitFor();
  if (shot) await screenshot(page, shot, { fullPage: false });
  await d.getByRole('button', { name: opts.revert ? 'Revert' : 'Publish', exact: true }).click();
  await d.waitFor({ state: 'detached' });
}

describe('object designer in the browser', { timeout: 240_000 }, () => {
  it('creates an object with five kinds of fields, publishes it and a user creates a record', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer');
    await page.getByRole('link', { name: 'Objects and fields' }).click();
    await page.getByRole('heading', { name: 'Objects and fields', level: 1 }).waitFor();
    await page.locator('#main').getByRole('link', { name: 'Account' }).waitFor();
    await screenshot(page, 'designer-objects-list');

    // The name follows the server's identifier rule before anything is sent.
    await page.getByRole('button', { name: 'New object' }).click();
    await dialog(page).getByRole('textbox', { name: 'API name' }).fill('Bad Name');
    await dialog(page)
      .getByText(/lower-case letters, digits and _, starting/)
      .waitFor();
    await dialog(page).getByRole('textbox', { name: 'API name' }).fill('project');
    await dialog(page).getByRole('textbox', { name: 'Label' }).fill('Project');
    await dialog(page).getByRole('button', { name: 'Create and edit' }).click();
    await page.getByRole('heading', { name: 'Project', level: 1 }).waitFor();
    await page.getByText('Not published yet').waitFor();

    await addField(page, 'Currency', 'Budget');
    await page.getByRole('spinbutton', { name: 'Minimum' }).fill('0');
    await addField(page, 'Date', 'Start date');
    await addField(page, 'Picklist', 'Status');
    await page.getByRole('textbox', { name: 'Value of option 1' }).fill('planned');
    await page.getByRole('textbox', { name: 'Label of option 1' }).fill('Planned');
    await page.getByRole('textbox', { name: 'Option 1 in Chinese' }).fill('计划中');
    await page.getByRole('button', { name: 'Add option' }).click();
    await page.getByRole('textbox', { name: 'Value of option 2' }).fill('active');
    await page.getByRole('textbox', { name: 'Label of option 2' }).fill('Active');
    await addField(page, 'Lookup', 'Client', async (d) => {
      await d.getByRole('combobox', { name: 'Points to' }).selectOption('account');
    });
    // Keyboard reordering: Alt+↑/↓ on a focused field moves it, focus staying on it.
    const order = () => page.locator('.f-od-field-list code').allTextContents();
    await page.locator('#f-od-field-client').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(order).toEqual(['name', 'budget', 'start_date', 'client', 'status']);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(order).toEqual(['name', 'budget', 'start_date', 'status', 'client']);

    await page.getByRole('textbox', { name: 'Label (Chinese)' }).fill('客户');

    // Undo and redo walk the draft back and forth.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Label (Chinese)' }).inputValue()).toBe('');
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Label (Chinese)' }).inputValue()).toBe('客户');

    // The preview is the end-user form: the new fields are there and validate as typed.
    const preview = page.locator('.f-od-fields__preview');
    await preview.locator('#root_budget').fill('-5');
    await preview.getByText(/Must be at least 0/).waitFor();
    await screenshot(page, 'designer-object-editor');

    await page.getByRole('button', { name: 'Publish…' }).click();
    await dialog(page).getByText('create table', { exact: false }).first().waitFor();
    await publish(page, 'designer-publish-plan');
    await page
      .getByText(/Published version \d+/)
      .first()
      .waitFor();
    await page.getByRole('link', { name: 'Open in app' }).waitFor();
    expect(await page.getByText('Not published yet').count()).toBe(0);

    // A user of the app creates a record of the new object.
    await page.goto('/o/project/new');
    await page.getByRole('heading', { name: 'New Project', level: 1 }).waitFor();
    await page.locator('#root_name').fill('Apollo');
    await page.locator('#root_budget').fill('125000');
    await page.locator('#root_start_date').fill('2026-12-01');
    await page.locator('#root_status').selectOption({ label: 'Active' });
    await page.locator('#root_client').fill('Init');
    await page.getByRole('option', { name: /Initech/ }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Apollo', level: 1 }).waitFor();
    await screenshot(page, 'designer-object-record');
    const list = await app.tenant.api.get('/api/records/project');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: 'Apollo', budget: 125000, start_date: '2026-12-01', status: 'active' }),
    ]);
    // The option's Chinese label was published beside the English one.
    const meta = await app.tenant.api.get('/api/meta');
    expect(meta.body.objects.project.properties.status['x-i18n']).toEqual({ 'zh-CN': { enum: { planned: '计划中' } } });
    expect(errors).toEqual([]);
  });

  it('changes the form layout, which the end-user form follows, then reverts a version', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    const before = (await app.tenant.api.get('/api/meta')).body.version as number;
    await page.goto('/designer/objects/project');
    await page.getByRole('tab', { name: 'Form layout' }).click();

    await page.getByRole('textbox', { name: 'Section title' }).fill('Basics');
    await page.getByRole('combobox', { name: 'Columns' }).selectOption('2');
    await page.getByRole('button', { name: 'Add section' }).click();
    await page.getByRole('textbox', { name: 'Section title' }).nth(1).fill('Planning');
    // Past the end of a section, a field moves into the next one.
    await page.getByRole('button', { name: 'Move Client down' }).click();
    await page.getByRole('button', { name: 'Move Status down' }).click();
    await page.getByRole('button', { name: 'Move Start date down' }).click();
    await page.getByRole('button', { name: 'Start date', exact: true }).click();
    await page.getByRole('textbox', { name: 'Help text' }).fill('When the work begins');
    await page.getByRole('combobox', { name: 'Shown' }).selectOption({ label: 'Status' });
    await page.getByRole('button', { name: 'Status', exact: true }).click();
    await page.getByRole('combobox', { name: 'Widget' }).selectOption('radio');
    await screenshot(page, 'designer-form-layout');

    // Layout changes are no database steps, but still go through the plan.
    await page.getByRole('button', { name: 'Publish…' }).click();
    await dialog(page).getByText('No database changes').waitFor();
    await publish(page, 'designer-form-layout-plan');
    await page
      .getByText(/Published version \d+/)
      .first()
      .waitFor();

    await page.goto('/o/project/new');
    await page.getByRole('heading', { name: 'Planning', level: 2 }).waitFor();
    await page.getByRole('heading', { name: 'Basics', level: 2 }).waitFor();
    // Start date waits for a status; the status is now radio buttons.
    expect(await page.locator('#root_start_date').count()).toBe(0);
    await page.getByRole('radio', { name: 'Planned' }).check();
    await page.locator('#root_start_date').waitFor();
    await page.getByText('When the work begins').waitFor();
    await screenshot(page, 'designer-form-layout-in-app');

    // Revert the layout: the version before it is made current again, its plan shown first.
    await page.goto('/designer/history');
    await page.getByRole('heading', { name: 'Version history', level: 1 }).waitFor();
    await screenshot(page, 'designer-history');
    await page
      .getByRole('listitem', { name: `Version ${before}`, exact: true })
      .getByRole('button', { name: 'Revert to this version…' })
      .click();
    await publish(page, 'designer-revert-plan', { revert: true });
    await page
      .getByText(new RegExp(`Reverted to version ${before}`))
      .first()
      .waitFor();
    await page.getByText(`Revert to ${before}`).first().waitFor();

    await page.goto('/o/project/new');
    await page.getByRole('heading', { name: 'New Project', level: 1 }).waitFor();
    await page.locator('#root_start_date').waitFor();
    expect(await page.getByRole('heading', { name: 'Planning' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('defines a list view (columns, sort, filter) that the app opens by default', async () => {
    await createRecord(app.tenant, 'project', { name: 'Borealis', budget: 9000, status: 'planned' });
    await createRecord(app.tenant, 'project', { name: 'Cygnus', budget: 40000, status: 'active' });
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/objects/project');
    await page.getByRole('tab', { name: 'List views' }).click();
    await page.getByRole('button', { name: 'New view' }).click();
    await dialog(page).getByRole('textbox', { name: 'Label' }).fill('Active projects');
    await dialog(page).getByRole('button', { name: 'Create view' }).click();
    await dialog(page).waitFor({ state: 'detached' });

    const settings = page.getByRole('region', { name: 'View settings' });
    await settings.getByRole('textbox', { name: 'View name (Chinese)' }).fill('进行中的项目');
    await settings.getByRole('checkbox', { name: 'Default view' }).check();
    await settings.getByRole('checkbox', { name: 'Start date' }).uncheck();
    await settings.getByRole('button', { name: 'Move Client up' }).click();
    await settings.getByRole('combobox', { name: 'Sort by' }).selectOption({ label: 'Budget' });
    await settings.getByRole('combobox', { name: 'Direction' }).selectOption('desc');
    await settings.getByRole('button', { name: 'Add filter' }).click();
    await settings.getByRole('combobox', { name: 'Field' }).selectOption({ label: 'Status' });
    await settings.getByRole('combobox', { name: 'Value' }).selectOption({ label: 'Active' });
    await settings.getByRole('button', { name: 'Apply' }).click();
    await screenshot(page, 'designer-list-view');

    await page.getByRole('button', { name: 'Publish…' }).click();
    await publish(page);
    await page
      .getByText(/Published version \d+/)
      .first()
      .waitFor();

    await page.goto('/o/project');
    await page.getByRole('button', { name: 'Views: Active projects' }).waitFor();
    const rows = page.locator('table.f-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    // Largest budget first, only active projects, the client before the status.
    expect(await page.locator('table.f-table tbody tr td:nth-child(2)').allTextContents()).toEqual([
      'Apollo',
      'Cygnus',
    ]);
    const headers = await page.locator('table.f-table thead th').allTextContents();
    expect(headers.join('|')).toMatch(/Budget\|Client\|Status/);
    expect(headers.join('|')).not.toMatch(/Start date/);
    await screenshot(page, 'designer-list-view-in-app');
    const views = Object.values((await app.tenant.api.get('/api/meta')).body.views) as Array<Record<string, unknown>>;
    expect(views.find((v) => v.label === 'Active projects')?.['x-i18n']).toEqual({
      'zh-CN': { title: '进行中的项目' },
    });
    expect(errors).toEqual([]);
  });

  it('guards unpublished changes and reports what the server refuses', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/objects/project');
    await page.getByRole('tab', { name: 'Fields' }).waitFor();
    // Someone else publishes meanwhile: this editor's change is not applied over theirs.
    await putMeta(app.tenant, '/api/meta/views/all_projects', { object: 'project', label: 'All', columns: ['name'] });
    await page.getByRole('button', { name: /^Budget/ }).click();
    await page.getByRole('textbox', { name: 'Label (Chinese)' }).fill('预算');
    await page.getByRole('button', { name: 'Publish…' }).click();
    await dialog(page)
      .getByText(/Someone else published a change after you opened this editor/)
      .waitFor();
    expect(await dialog(page).getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'designer-publish-stale', { fullPage: false });
    // Reviewing it against the newest version shows the plan; the admin still decides.
    await dialog(page).getByRole('button', { name: 'Review against the newest version' }).click();
    await dialog(page)
      .getByText(/Database steps/)
      .waitFor();
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    expect((await app.tenant.api.get('/api/meta')).body.objects.project.properties.budget['x-i18n']).toBeUndefined();

    // A repeated picklist value: flagged while typing, and the server's refusal names its JSON path.
    await page.getByRole('button', { name: /^Status/ }).click();
    await page.getByRole('textbox', { name: 'Value of option 2' }).fill('planned');
    await page.getByText('Option values must be unique').waitFor();
    await page.getByRole('button', { name: 'Publish…' }).click();
    await dialog(page).getByText('The change is not valid.').waitFor();
    await dialog(page).locator('code', { hasText: '/objects/project/properties/status' }).first().waitFor();
    await screenshot(page, 'designer-publish-invalid', { fullPage: false });
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Value of option 2' }).inputValue()).toBe('active');

    await addField(page, 'Formula', 'Net');
    await page.getByRole('textbox', { name: 'Formula' }).fill('record.nope * 2');
    await page.getByRole('button', { name: 'Check formula' }).click();
    await page.getByText(/nope/).first().waitFor();
    await page.getByRole('textbox', { name: 'Formula' }).fill('record.budget * 0.9');
    await page.getByRole('button', { name: 'Check formula' }).click();
    await page.getByText('The formula is valid.').waitFor();

    // Removing a published field is destructive: publishing needs an explicit tick.
    await page.getByRole('button', { name: /^Start date/ }).click();
    await page.getByRole('button', { name: 'Remove field' }).click();
    await page.getByRole('button', { name: 'Publish…' }).click();
    // This editor still holds the older version: it says so again before any plan.
    await dialog(page).getByRole('button', { name: 'Review against the newest version' }).click();
    await dialog(page).getByText('Deletes data').first().waitFor();
    const confirm = dialog(page).getByRole('button', { name: 'Publish', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await screenshot(page, 'designer-publish-destructive', { fullPage: false });
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();

    // Leaving with unpublished changes asks first.
    await page.getByRole('link', { name: 'All objects' }).click();
    await dialog(page).getByText('Leave without publishing?').waitFor();
    await dialog(page).getByRole('button', { name: 'Keep editing' }).click();
    expect(new URL(page.url()).pathname).toBe('/designer/objects/project');
    await page.getByRole('link', { name: 'All objects' }).click();
    await dialog(page).getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Objects and fields', level: 1 }).waitFor();

    // The same editor on a tablet, in Chinese.
    const zh = await app.newPage({ viewport: VIEWPORTS.tablet });
    await signIn(zh.page, app.admin);
    await zh.page.goto('/designer/objects/project');
    await zh.page.getByRole('tab', { name: 'Fields' }).waitFor();
    await zh.page.getByTestId('language-switch').click();
    await zh.page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await zh.page.getByRole('tab', { name: '字段' }).waitFor();
    await zh.page.getByRole('button', { name: /^客户/ }).click();
    await zh.page.getByRole('textbox', { name: '中文名称' }).waitFor();
    await screenshot(zh.page, 'designer-object-editor-tablet-zh');
    expect(zh.errors).toEqual([]);
  });
});
