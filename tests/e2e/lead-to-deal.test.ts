import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp } from './support';

/**
 * The "done" sentence in the browser: a demo-like tenant (core-crm with its sample data and
 * sample users), a new sales rep creates a lead, converts it with the record-page action, opens the
 * new deal, quotes it with line items (lookups picked with the keyboard), submits the quote's
 * discount for approval (recalls once, submits again), and the sample sales manager approves it from
 * the inbox. Then the recycle bin: restore as the rep, delete for good as the admin.
 */
type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

const DEMO_MANAGER = { email: 'manager@demo.test', password: 'forma-demo' };

let app: E2eApp;
let rep: User;
let managerId: string;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2elead',
    server: { plugins: 'discover' },
    tenant: { template: 'core-crm', sampleData: true },
  });
  const users = await app.tenant.api.get('/api/users');
  expect(users.status, users.text).toBe(200);
  const list = (Array.isArray(users.body) ? users.body : users.body.items) as Array<{ id: string; email: string }>;
  managerId = list.find((u) => u.email === DEMO_MANAGER.email)?.id ?? '';
  expect(managerId).not.toBe('');
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Nina Newcomer', manager: managerId });
  // A tenant's own action script: a button on every deal.
  const script = await app.tenant.api.put('/api/meta/scripts/start_negotiation', {
    object: 'deal',
    event: 'action',
    label: 'Start negotiation',
    code: "if (record.stage === 'negotiation') error('stage', 'Already negotiating');\nset('stage', 'negotiation');",
  });
  expect(script.status, script.text).toBe(200);
  // A template tenant with sample data under a loaded CI machine (the whole suite shares two cores).
}, 300_000);
afterAll(async () => {
  await app?.close();
});

const repCreds = () => ({ tenant: app.tenant.id, email: rep.email, password: rep.password });

function recordId(page: Page, object: string): string {
  const m = new RegExp(`/o/${object}/([0-9a-f-]{36})$`).exec(new URL(page.url()).pathname);
  if (!m?.[1]) throw new Error(`not on a ${object} page: ${page.url()}`);
  return m[1];
}

describe('lead → deal → quote → approval in the browser', { timeout: 360_000 }, () => {
  it('a new rep converts a lead, quotes the deal with line items and the manager approves it', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, repCreds());

    // A new lead, from the navigation.
    await page.getByRole('navigation').getByRole('link', { name: 'Lead', exact: true }).click();
    await page.getByRole('link', { name: 'New', exact: true }).click();
    await page.locator('#root_company').fill('Globex Robotics');
    await page.locator('#root_contact_name').fill('Hank Scorpio');
    await page.locator('#root_estimated_amount').fill('120000');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Globex Robotics', level: 1 }).waitFor();
    const leadId = recordId(page, 'lead');

    // Convert: the plugin's action, confirmed, opens the new deal.
    await page.getByRole('button', { name: 'Convert', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Run “Convert”?' });
    await confirm.getByText('Create an account, a contact and a deal from this lead').waitFor();
    await screenshot(page, 'lead-convert-confirm', { fullPage: false });
    await confirm.getByRole('button', { name: 'Convert' }).click();
    await page.getByRole('heading', { name: 'Globex Robotics — new business', level: 1 }).waitFor();
    await page.getByText('Convert: done. Here is the new Deal.').first().waitFor();
    const dealId = recordId(page, 'deal');
    const lead = await rep.api.get(`/api/records/lead/${leadId}`);
    expect(lead.body).toMatchObject({ status: 'converted', converted_deal: dealId });
    await screenshot(page, 'deal-from-lead');

    // The tenant's action script: runs, saves what it set; a second run is refused by its error().
    await page.getByRole('button', { name: 'Start negotiation', exact: true }).click();
    await page.getByText('Start negotiation: done.').first().waitFor();
    // The deal reads as a page: its stage path marks the new stage.
    await page.getByRole('button', { name: 'Negotiation (current stage)' }).waitFor();
    await page.getByRole('button', { name: 'Start negotiation', exact: true }).click();
    await page.getByText('Start negotiation failed: Already negotiating').first().waitFor();
    expect((await rep.api.get(`/api/records/deal/${dealId}`)).body.stage).toBe('negotiation');

    // Converting twice is refused with the server's reason, as a toast.
    await page.goto(`/o/lead/${leadId}`);
    await page.getByRole('heading', { name: 'Globex Robotics', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Convert', exact: true }).click();
    await page.getByRole('dialog', { name: 'Run “Convert”?' }).getByRole('button', { name: 'Convert' }).click();
    await page.getByText('Convert failed: This lead is already converted').first().waitFor();

    // A quote for the deal, from its related list.
    await page.goto(`/o/deal/${dealId}`);
    await page.getByRole('tab', { name: 'Related' }).click();
    await page.locator(`a[href^="/o/quote/new?deal="]`).click();
    await page.locator('#root_name').fill('Globex robot cell');
    // Lookup with the keyboard: type, arrow to the option, Enter.
    const account = page.locator('#root_account');
    await account.click();
    await account.fill('Globex');
    // The sample data has another Globex: arrow down until ours is highlighted.
    const ours = page.getByRole('option', { name: 'Globex Robotics' });
    await page.locator('[role="listbox"][aria-busy="false"]').waitFor();
    await page.getByRole('option', { name: 'Globex Retail' }).waitFor();
    await ours.waitFor();
    for (let i = 0; i < 12 && (await ours.getAttribute('aria-selected')) !== 'true'; i++)
      await account.press('ArrowDown');
    expect(await ours.getAttribute('aria-selected')).toBe('true');
    await account.press('Enter');
    await expect.poll(() => account.inputValue()).toBe('Globex Robotics');

    // Line items: Enter right after typing picks the best match once the search answers.
    await page.getByRole('button', { name: 'Add line' }).click();
    const product1 = page.locator('#root_lines_0_product');
    await product1.click();
    await product1.fill('robot arm');
    await product1.press('Enter');
    await expect.poll(() => product1.inputValue()).toBe('Assembly robot arm');
    await page.getByRole('spinbutton', { name: 'Quantity · Line 1' }).fill('2');
    await page.getByRole('spinbutton', { name: 'Unit price · Line 1' }).fill('85000');
    await page.getByRole('button', { name: 'Add line' }).click();
    const product2 = page.locator('#root_lines_1_product');
    await product2.click();
    await product2.fill('Vision sensor');
    await page.getByRole('option', { name: /Vision sensor kit/ }).waitFor();
    await product2.press('Enter');
    await expect.poll(() => product2.inputValue()).toBe('Vision sensor kit');
    await page.getByRole('spinbutton', { name: 'Quantity · Line 2' }).fill('4');
    await page.getByRole('spinbutton', { name: 'Unit price · Line 2' }).fill('1200');
    // A third line, removed again.
    await page.getByRole('button', { name: 'Add line' }).click();
    await page.getByRole('button', { name: 'Remove line 3' }).click();
    await page.locator('#root_discount').fill('20');
    await screenshot(page, 'quote-lines-edit');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('Quote created.').first().waitFor();
    const quoteId = recordId(page, 'quote');
    // Computed columns and totals come back from the server, read-only.
    await expect.poll(() => page.getByRole('status', { name: 'Amount · Line 1' }).textContent()).toBe('170,000.00');
    await expect.poll(() => page.locator('#root_subtotal').inputValue()).toMatch(/174,?800/);
    const quote = await rep.api.get(`/api/records/quote/${quoteId}`);
    expect(quote.body).toMatchObject({ deal: dealId, subtotal: 174800, discount: 20 });
    expect(quote.body.total).toBeCloseTo(174800 * 0.8 * 1.13, 2);
    expect(quote.body.lines).toHaveLength(2);
    await screenshot(page, 'quote-saved-totals');

    // A bad line is refused by the server and named by its row; fixed, the roll-up follows.
    await page.getByRole('spinbutton', { name: 'Quantity · Line 2' }).fill('-1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/^Line 2, Quantity: /).waitFor();
    await screenshot(page, 'quote-line-error', { fullPage: false });
    expect((await rep.api.get(`/api/records/quote/${quoteId}`)).body.subtotal).toBe(174800);
    await page.getByRole('spinbutton', { name: 'Quantity · Line 2' }).fill('5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved.').first().waitFor();
    await expect.poll(async () => (await rep.api.get(`/api/records/quote/${quoteId}`)).body.subtotal).toBe(176000);

    // Submit the discount for approval, recall it, submit again.
    await page.getByRole('tab', { name: 'Approvals' }).click();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    let submit = page.getByRole('dialog', { name: 'Submit for approval' });
    await submit.getByRole('textbox').fill('20% to win the robot cell');
    await submit.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Submitted for approval.').first().waitFor();
    await page.getByRole('button', { name: 'Recall' }).click();
    const recall = page.getByRole('dialog', { name: 'Recall this approval request?' });
    await recall.getByRole('textbox').fill('Wrong discount, one moment');
    await screenshot(page, 'quote-approval-recall', { fullPage: false });
    await recall.getByRole('button', { name: 'Recall' }).click();
    await page.getByText('Approval request recalled.').first().waitFor();
    await page.getByText('Wrong discount, one moment').waitFor();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    submit = page.getByRole('dialog', { name: 'Submit for approval' });
    await submit.getByRole('textbox').fill('Checked: 20% it is');
    await submit.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Submitted for approval.').first().waitFor();
    await page.getByText('Pending approval').first().waitFor();

    // The sample sales manager approves it from the inbox.
    const number = String((await rep.api.get(`/api/records/quote/${quoteId}`)).body.number);
    const asManager = await app.newPage();
    await signIn(asManager.page, { tenant: app.tenant.id, ...DEMO_MANAGER });
    await asManager.page.goto('/approvals');
    await asManager.page.getByRole('link', { name: number }).waitFor();
    await screenshot(asManager.page, 'manager-inbox-quote');
    await asManager.page.getByRole('button', { name: `Approve: ${number}` }).click();
    const approve = asManager.page.getByRole('dialog', { name: 'Approve this request' });
    await approve.getByRole('textbox').fill('Approved, close it this month');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await asManager.page.getByRole('link', { name: number }).waitFor({ state: 'detached' });

    await page.reload();
    await page.getByText('Approved').first().waitFor();
    await page.getByRole('tab', { name: 'Approvals' }).click();
    await page.getByText('Approved, close it this month').waitFor();
    await page.getByText('Wrong discount, one moment').waitFor();
    await screenshot(page, 'quote-approved');
    expect([...errors, ...asManager.errors]).toEqual([]);
  });

  it('the recycle bin: the rep restores a deleted lead, the admin deletes one for good', async () => {
    const made = await rep.api.post('/api/records/lead', { company: 'Initrode (duplicate)' });
    expect(made.status, made.text).toBe(201);
    const { page, errors } = await app.newPage();
    await signIn(page, repCreds());
    await page.goto(`/o/lead/${made.body.id}`);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Moved to the recycle bin.').first().waitFor();
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByRole('heading', { name: 'Recycle bin · Lead', level: 1 }).waitFor();
    // Purging is for admins: the rep sees only Restore.
    expect(await page.getByRole('button', { name: 'Delete Initrode (duplicate) for good' }).count()).toBe(0);
    await screenshot(page, 'recycle-bin');
    await page.getByRole('button', { name: 'Restore Initrode (duplicate)' }).click();
    await page.getByText('Initrode (duplicate) restored.').first().waitFor();
    await page.getByText('The recycle bin is empty').waitFor();
    expect((await rep.api.get(`/api/records/lead/${made.body.id}`)).status).toBe(200);

    const doomed = await app.tenant.api.post('/api/records/lead', { company: 'Spam Ltd' });
    expect((await app.tenant.api.delete(`/api/records/lead/${doomed.body.id}`)).status).toBe(204);
    const asAdmin = await app.newPage();
    await signIn(asAdmin.page, app.admin);
    await asAdmin.page.goto('/o/lead/bin');
    await asAdmin.page.getByRole('button', { name: 'Delete Spam Ltd for good' }).click();
    const purge = asAdmin.page.getByRole('dialog', { name: 'Delete “Spam Ltd” for good?' });
    await screenshot(asAdmin.page, 'recycle-bin-purge', { fullPage: false });
    await purge.getByRole('button', { name: 'Delete for good' }).click();
    await asAdmin.page.getByText('Spam Ltd deleted for good.').first().waitFor();
    expect(
      (await app.tenant.api.get(`/api/records/lead/${doomed.body.id}`, { query: { deleted: 'true' } })).status,
    ).toBe(404);
    expect([...errors, ...asAdmin.errors]).toEqual([]);
  });
});
