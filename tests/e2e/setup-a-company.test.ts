import { readFile } from 'node:fs/promises';
import { PDFParse } from 'pdf-parse';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * Issue 22's "done when": an admin with no API access sets up a company in the browser, from an
 * empty workspace: custom objects with conditional logic and a lookup filter, a role, users with a
 * manager, an approval workflow, an automation rule on a schedule, a report on a dashboard, a print
 * template printed from a record and a mail merge. The API is used only to look at what the screens did, and for the sales
 * rep's submission that proves the workflow reaches the manager set in the org chart.
 */
let app: E2eApp;
const DESKTOP = { width: 1440, height: 900 };

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2esetup' });
}, 300_000);
afterAll(async () => {
  await app?.close();
});

const meta = async () => (await app.tenant.api.get('/api/meta')).body;

async function newObject(page: Page, name: string, label: string) {
  await page.goto('/designer/objects');
  await page.getByRole('button', { name: 'New object' }).first().click();
  const d = page.getByRole('dialog');
  await d.getByRole('textbox', { name: 'API name' }).fill(name);
  await d.getByRole('textbox', { name: 'Label' }).fill(label);
  await d.getByRole('button', { name: 'Create and edit' }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

async function addField(page: Page, kind: string, label: string, more?: (d: Locator) => Promise<unknown>) {
  await page.getByRole('button', { name: 'Add field' }).click();
  const d = page.getByRole('dialog');
  await d.locator('label.f-od-kind', { hasText: new RegExp(`^${kind}$`) }).click();
  await d.getByRole('textbox', { name: 'Label' }).fill(label);
  if (more) await more(d);
  await d.getByRole('button', { name: 'Add field' }).click();
  await d.waitFor({ state: 'detached' });
}

async function publishObject(page: Page) {
  await page.getByRole('button', { name: 'Publish…' }).click();
  const d = page.getByRole('dialog');
  await d.getByText(/Database steps/).waitFor();
  await d.getByRole('button', { name: 'Publish', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  await page
    .getByText(/Published version \d+/)
    .first()
    .waitFor();
}

async function newRecord(page: Page, object: string, fill: (page: Page) => Promise<void>, heading: string) {
  await page.goto(`/o/${object}/new`);
  await page.locator('#root_name').waitFor();
  await fill(page);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  return /\/o\/[a-z_]+\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
}

async function pickLookup(page: Page, field: string, typed: string, option: string) {
  const input = page.locator(`#root_${field}`);
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: option }).click();
}

describe('setting up a company in the browser', { timeout: 900_000 }, () => {
  it('builds objects, logic, a role, users, a workflow, a schedule, a report, a template and a merge, all in the browser', async () => {
    const { page, errors } = await app.newPage({ viewport: DESKTOP });
    await signIn(page, app.admin);

    // 1. Objects: clients with an e-mail, contacts of a client, projects.
    await newObject(page, 'client', 'Client');
    await addField(page, 'E-mail', 'E-mail');
    await publishObject(page);
    const clientFields = (await meta()).objects.client.properties as Record<string, { format?: string }>;
    const emailField = Object.keys(clientFields).find((n) => clientFields[n]?.format === 'email');
    await newObject(page, 'contact', 'Contact');
    await addField(page, 'Lookup', 'Client', (d) =>
      d.getByRole('combobox', { name: 'Points to' }).selectOption('client'),
    );
    await publishObject(page);
    await newObject(page, 'project', 'Project');
    await addField(page, 'Currency', 'Budget');
    await addField(page, 'Date', 'Due date');
    await addField(page, 'Picklist', 'Stage');
    await page.getByRole('textbox', { name: 'Value of option 1' }).fill('planned');
    await page.getByRole('textbox', { name: 'Label of option 1' }).fill('Planned');
    await page.getByRole('button', { name: 'Add option' }).click();
    await page.getByRole('textbox', { name: 'Value of option 2' }).fill('lost');
    await page.getByRole('textbox', { name: 'Label of option 2' }).fill('Lost');
    await addField(page, 'Long text', 'Lost reason');
    await addField(page, 'Lookup', 'Client', (d) =>
      d.getByRole('combobox', { name: 'Points to' }).selectOption('client'),
    );
    await addField(page, 'Lookup', 'Contact', (d) =>
      d.getByRole('combobox', { name: 'Points to' }).selectOption('contact'),
    );

    // Conditional logic: a lost project shows and requires its reason; contacts follow the client.
    await page.getByRole('tab', { name: 'Form logic' }).click();
    for (const [n, effect] of [
      [1, 'Show only when'],
      [2, 'Require when'],
    ] as const) {
      await page.getByRole('button', { name: 'Add rule' }).click();
      const rule = page.getByRole('group', { name: `Rule ${n}`, exact: true });
      await rule.getByLabel('Effect').selectOption({ label: effect });
      await rule.getByRole('checkbox', { name: 'Lost reason' }).check();
      const cond = rule.getByRole('group', { name: `Condition of rule ${n}` });
      await cond.getByRole('combobox', { name: 'Field' }).first().selectOption({ label: 'Stage' });
      await cond.getByRole('combobox', { name: 'Value' }).first().selectOption({ label: 'Lost' });
    }
    const contactFilter = page.locator('.f-od-logic__lookup', { hasText: 'Contact → Contact' });
    await contactFilter
      .getByRole('combobox', { name: 'Offer Contact records whose' })
      .selectOption({ label: 'Client' });
    await contactFilter.getByRole('combobox', { name: "equals this record's" }).selectOption({ label: 'Client' });
    await screenshot(page, 'setup-company-form-logic', { fullPage: false });
    await publishObject(page);
    const project = (await meta()).objects.project;
    expect(project['x-form-rules']).toEqual([
      { fields: ['lost_reason'], effect: 'show', when: { stage: { eq: 'lost' } } },
      { fields: ['lost_reason'], effect: 'require', when: { stage: { eq: 'lost' } } },
    ]);
    expect(project.properties.contact['x-lookup-filter']).toEqual({ client: '$record.client' });

    // 2. A role for the sales team.
    await page.goto('/designer/permissions');
    await page.getByRole('button', { name: 'New role' }).click();
    const roleDialog = page.getByRole('dialog', { name: 'New role' });
    await roleDialog.getByRole('textbox', { name: 'Label' }).fill('Sales');
    await roleDialog.getByRole('textbox', { name: 'Name' }).fill('sales');
    await roleDialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Sales', level: 2 }).waitFor();
    for (const [object, op, scope] of [
      ['Project', 'Create', 'all'],
      ['Project', 'Read', 'all'],
      ['Project', 'Update', 'own'],
      ['Client', 'Read', 'all'],
      ['Contact', 'Read', 'all'],
    ] as const)
      await page.getByRole('combobox', { name: `${object}: ${op}` }).selectOption(scope);
    await page.getByRole('button', { name: 'Publish…' }).click();
    const rolePublish = page.getByRole('dialog', { name: 'Publish role changes' });
    await rolePublish.getByRole('button', { name: 'Publish', exact: true }).click();
    await rolePublish.waitFor({ state: 'detached' });
    await page.getByText('All changes published').waitFor();

    // 3. Users: a manager and a rep, the rep dragged under the manager in the org chart.
    await page.goto('/designer/users');
    const passwords: Record<string, string> = {};
    for (const [name, email] of [
      ['Maya Manager', 'maya@setup.test'],
      ['Sam Sales', 'sam@setup.test'],
    ] as const) {
      await page.getByRole('button', { name: 'Invite user' }).click();
      const invite = page.getByRole('dialog', { name: 'Invite a user' });
      await invite.getByLabel('Name').fill(name);
      await invite.getByLabel('E-mail').fill(email);
      await invite.getByLabel('Sales').check();
      await invite.getByRole('button', { name: 'Create user' }).click();
      const otp = page.getByRole('dialog', { name: `One-time password for ${name}` });
      passwords[email] = (await otp.getByLabel('One-time password').textContent())?.trim() ?? '';
      await otp.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByRole('cell', { name }).waitFor();
    }
    await page.getByRole('button', { name: 'Org chart' }).click();
    const node = (name: string) => page.locator(`.f-org__node[data-user="${name}"]`);
    await node('Sam Sales').dragTo(node('Maya Manager'));
    await page.getByText('Maya Manager now manages Sam Sales').first().waitFor();
    await screenshot(page, 'setup-company-org-chart', { fullPage: false });

    // 4. An approval workflow: a submitted project goes to the submitter's manager.
    await page.goto('/designer/workflows');
    await page.getByRole('button', { name: 'New workflow' }).first().click();
    const wfDialog = page.getByRole('dialog', { name: 'New workflow' });
    await wfDialog.getByRole('textbox', { name: 'Label' }).fill('Project approval');
    await wfDialog.getByRole('combobox', { name: 'Object' }).selectOption('project');
    await wfDialog.getByRole('button', { name: 'Create and open' }).click();
    await page.getByRole('heading', { name: 'Project approval', level: 1 }).waitFor();
    await page.getByTestId('wf-node-approval1').getByText('Manager of the submitter').waitFor();
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Publish “Project approval”' })
      .getByRole('button', { name: 'Publish' })
      .click();
    await page.getByText(/^Published as version \d+\.$/).waitFor();

    // 5. An automation rule on a schedule: three days before a project is due, its owner is told.
    await page.goto('/designer/automations');
    await page.getByRole('button', { name: 'New rule' }).first().click();
    const ruleDialog = page.getByRole('dialog', { name: 'New rule' });
    await ruleDialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Project due soon');
    await ruleDialog.getByRole('combobox', { name: 'Object' }).selectOption('project');
    await ruleDialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Project due soon', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'When', exact: true }).selectOption('schedule');
    await page.getByRole('checkbox', { name: 'Only records whose date is near' }).check();
    await page.getByRole('button', { name: 'Notify (and e-mail)' }).click();
    await page.getByRole('textbox', { name: 'Title' }).fill('Project {{record.name}} is due soon');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const rulePlan = page.getByRole('dialog');
    await rulePlan.getByText('Automation Project due soon: added', { exact: true }).waitFor();
    await rulePlan.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('Rule published').first().waitFor();
    const rule = (await meta()).automations.project_due_soon;
    expect(rule.trigger).toMatchObject({ on: 'schedule', date: { field: 'due_date', days: 3 } });

    // 6. A report built in the report builder, on a new dashboard everyone sees.
    await page.goto('/designer/reports');
    await page.getByRole('button', { name: 'New report' }).click();
    const reportDialog = page.getByRole('dialog');
    await reportDialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Projects by stage');
    await reportDialog.getByLabel('Object').selectOption({ label: 'Project' });
    await reportDialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/designer\/reports\/new\?/);
    await page.getByRole('button', { name: 'Add grouping' }).click();
    await page.getByLabel('Group 1: field', { exact: true }).selectOption({ label: 'Stage' });
    await page.getByLabel('Chart', { exact: true }).selectOption({ label: 'Table' });
    await page.getByLabel('Add to a dashboard when publishing').selectOption({ label: 'A new dashboard for everyone' });
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Report published', { exact: true }).waitFor();
    const published = await meta();
    expect(published.reports.projects_by_stage).toMatchObject({ object: 'project', groupBy: [{ field: 'stage' }] });
    expect(published.dashboards.dashboard.widgets).toEqual([{ report: 'projects_by_stage', width: 'half' }]);

    // 7. A print template for clients.
    await page.goto('/designer/documents?object=client');
    await page.getByRole('button', { name: 'New print template' }).click();
    const tplDialog = page.getByRole('dialog');
    await tplDialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Welcome letter');
    await tplDialog.getByRole('button', { name: 'Create' }).click();
    const body = page.getByRole('textbox', { name: 'Body (HTML)' });
    await body.fill('<h1>Welcome ');
    await page.getByRole('complementary', { name: 'Fields' }).getByRole('button', { name: /^Name/ }).click();
    await body.press('End');
    await body.pressSequentially('</h1>');
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('“Welcome letter” is published').first().waitFor();

    // 8. The company at work. Clients and contacts are entered through the generated forms.
    const acme = await newRecord(
      page,
      'client',
      async (p) => {
        await p.locator('#root_name').fill('Acme');
        await p.locator(`#root_${emailField}`).fill('office@acme.test');
      },
      'Acme',
    );
    await newRecord(page, 'client', (p) => p.locator('#root_name').fill('Globex'), 'Globex');
    await newRecord(
      page,
      'contact',
      async (p) => {
        await p.locator('#root_name').fill('Ada of Acme');
        await pickLookup(p, 'client', 'Acm', 'Acme');
      },
      'Ada of Acme',
    );
    await newRecord(
      page,
      'contact',
      async (p) => {
        await p.locator('#root_name').fill('Gus of Globex');
        await pickLookup(p, 'client', 'Glo', 'Globex');
      },
      'Gus of Globex',
    );

    // The project form follows the logic: the reason shows and is required once lost; the contact
    // picker offers only the chosen client's contacts.
    await page.goto('/o/project/new');
    await page.locator('#root_name').fill('Acme rollout');
    const reason = page.locator('#root_lost_reason');
    expect(await reason.count()).toBe(0);
    await page.locator('#root_stage').selectOption({ label: 'Lost' });
    await reason.waitFor();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.locator('#root_lost_reason__error').getByText('Required').waitFor();
    await reason.fill('Budget moved to next year');
    await pickLookup(page, 'client', 'Acm', 'Acme');
    const contact = page.locator('#root_contact');
    await contact.click();
    await page.getByRole('option', { name: 'Ada of Acme' }).waitFor();
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    expect(await page.getByRole('option', { name: 'Gus of Globex' }).count()).toBe(0);
    await screenshot(page, 'setup-company-project-form', { fullPage: false });
    await page.getByRole('option', { name: 'Ada of Acme' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Acme rollout', level: 1 }).waitFor();

    // The report on the home dashboard counts the project by its stage's name.
    await page.goto('/');
    const widget = page.locator('.f-card', { hasText: 'Projects by stage' });
    await widget.getByRole('cell', { name: 'Lost' }).waitFor();
    await screenshot(page, 'setup-company-dashboard', { fullPage: false });

    // The rep submits a project: the approval reaches the manager set in the org chart.
    const sam = await app.tenant.login('sam@setup.test', passwords['sam@setup.test'] as string);
    const created = await sam.post('/api/records/project', { name: 'Globex pilot', stage: 'planned', budget: 5000 });
    expect(created.status, created.text).toBe(201);
    const submitted = await sam.post(`/api/records/project/${created.body.id}/submit`, {});
    expect(submitted.status, submitted.text).toBe(201);
    const maya = await app.tenant.login('maya@setup.test', passwords['maya@setup.test'] as string);
    const inbox = await maya.get('/api/approvals/inbox');
    expect(inbox.body.items.map((i: { record: string }) => i.record)).toEqual([created.body.id]);

    // The template printed from a client's page.
    await page.goto(`/o/client/${acme}`);
    await page.getByRole('button', { name: 'Print' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Print: Welcome letter (PDF)' }).click(),
    ]);
    const parser = new PDFParse({ data: await readFile(await download.path()) });
    expect((await parser.getText()).text).toContain('Welcome Acme');
    await parser.destroy();

    // A mail merge to the clients: the one without an address is named and skipped.
    await page.goto('/o/client');
    await page.getByRole('checkbox', { name: 'Select Acme' }).check();
    await page.getByRole('checkbox', { name: 'Select Globex' }).check();
    await page.getByRole('button', { name: 'Mail merge', exact: true }).click();
    const merge = page.getByRole('dialog', { name: 'Mail merge' });
    await merge.getByRole('textbox', { name: 'Subject' }).fill('Hello {{name}}');
    await merge.getByRole('button', { name: 'Preview' }).click();
    await merge.getByText('To: office@acme.test · Subject: Hello Acme').waitFor();
    await merge.getByRole('button', { name: 'Send…' }).click();
    await merge.getByRole('listitem').filter({ hasText: 'Globex' }).waitFor();
    await merge.getByRole('button', { name: 'Send 1 e-mail' }).click();
    await merge.getByText('1 e-mail queued for sending.').waitFor();
    await screenshot(page, 'setup-company-merge-done', { fullPage: false });
    expect(errors).toEqual([]);
  });
});
