import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

let app: E2eApp;
let acme: { id: string };

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2erec' });
  await seedSalesModel(app.tenant);
  acme = await createRecord(app.tenant, 'account', { name: 'Acme Corporation', city: 'Berlin' });
  await createRecord(app.tenant, 'account', { name: 'Globex', city: 'Paris' });
});
afterAll(async () => {
  await app?.close();
});

const rows = (page: Page) => page.locator('table.f-table tbody tr');
const firstColumn = (page: Page) => page.locator('table.f-table tbody tr td:nth-child(2)').allTextContents();

describe('records in the browser', { timeout: 120_000 }, () => {
  it('creates a record: the form catches a missing field, the server a broken rule, then it saves', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByRole('link', { name: 'Deal' }).click();
    await page.getByRole('heading', { name: 'Deal', level: 1 }).waitFor();
    await page.getByText('No Deal yet').waitFor();
    await screenshot(page, 'list-empty');

    await page.getByRole('link', { name: 'New' }).first().click();
    await page.getByRole('heading', { name: 'New Deal', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    // Required fields are checked in the browser before anything is sent.
    await page
      .locator('#root_name')
      .locator('xpath=ancestor::*[contains(@class,"form-group")][1]')
      .getByText('Required')
      .waitFor();
    await screenshot(page, 'record-new-required');

    await page.locator('#root_name').fill('Zeta rollout');
    await page.locator('#root_amount').fill('5000');
    await page.locator('#root_discount').fill('30');
    await page.locator('#root_stage').selectOption({ label: 'Negotiation' });
    await page.locator('#root_close_on').fill('2026-12-15');
    // The lookup searches accounts as the user types and stores the chosen one's id.
    await page.locator('#root_account').fill('Acme');
    await page.getByRole('option', { name: /Acme Corporation/ }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    // The script's error comes back from the server and lands on its field.
    const discountGroup = page.locator('#root_discount').locator('xpath=ancestor::*[contains(@class,"form-group")][1]');
    await discountGroup.getByText('Discounts above 20% need a sales manager').waitFor();
    await screenshot(page, 'record-new-server-error');

    await page.locator('#root_discount').fill('10');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Zeta rollout', level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/o\/deal\/[0-9a-f-]{36}\?edit=1$/);
    // Autonumbers are the server's: shown, read-only.
    await expect.poll(() => page.locator('#root_number').inputValue()).toMatch(/^D-\d{4}$/);
    expect(await page.locator('#root_number').getAttribute('readonly')).not.toBeNull();
    await expect.poll(() => page.locator('#root_account').inputValue()).toBe('Acme Corporation');
    await screenshot(page, 'record-created');

    // An edit saves only what changed and shows up in the history.
    await page.locator('#root_amount').fill('6500');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changes saved.').first().waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.locator('.f-history__item').first().getByText('Amount').waitFor();
    await screenshot(page, 'record-history');
    expect(errors).toEqual([]);
  });

  it('explains a conflicting save and reloads the newer version', async () => {
    const deal = await createRecord(app.tenant, 'deal', { name: 'Conflict Co', amount: 100 });
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto(`/o/deal/${deal.id}?edit=1`);
    await page.getByRole('heading', { name: 'Conflict Co', level: 1 }).waitFor();
    // Someone else saves first.
    const r = await app.tenant.api.patch(`/api/records/deal/${deal.id}`, { amount: 200, version: deal.version });
    expect(r.status, r.text).toBe(200);
    await page.locator('#root_amount').fill('300');
    await page.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'Someone else changed this record' });
    await dialog.waitFor();
    await screenshot(page, 'record-conflict', { fullPage: false });
    await dialog.getByRole('button', { name: 'Reload the record' }).click();
    await expect.poll(() => page.locator('#root_amount').inputValue()).toBe('200');
  });

  it('lists with a view, sorts, filters, searches, loads more and deletes in bulk', async () => {
    for (const [name, amount, stage] of [
      ['Alpha', 1000, 'won'],
      ['Bravo', 2000, 'lost'],
      ['Charlie', 3000, 'won'],
      ['Delta', 4000, 'new'],
      ['Echo', 5000, 'negotiation'],
      ['Foxtrot', 7000, 'won'],
    ] as const)
      await createRecord(app.tenant, 'deal', { name, amount, stage, account: acme.id });
    const { page, errors } = await app.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    // The metadata view: five a page, largest amount first.
    await page.getByRole('button', { name: 'Views: Pipeline' }).waitFor();
    await expect.poll(() => rows(page).count()).toBe(5);
    expect((await firstColumn(page))[0]).toBe('Foxtrot');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows(page).count()).toBe(8);
    await page.getByText('8 of 8').waitFor();
    await screenshot(page, 'list-view');

    await page.getByRole('button', { name: 'Amount' }).click();
    await expect.poll(async () => (await firstColumn(page))[0]).toBe('Conflict Co');
    expect(await page.getByRole('columnheader', { name: 'Amount' }).getAttribute('aria-sort')).toBe('ascending');

    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('combobox', { name: 'Field' }).selectOption('stage');
    await page.getByRole('combobox', { name: 'Value' }).selectOption('won');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => firstColumn(page)).toEqual(['Alpha', 'Charlie', 'Foxtrot']);
    await page.getByRole('button', { name: 'Filters (1)' }).waitFor();
    await screenshot(page, 'list-filtered');

    await page.getByRole('searchbox', { name: 'Search Deal' }).fill('Charlie');
    await expect.poll(() => firstColumn(page)).toEqual(['Charlie']);
    await page.getByRole('searchbox', { name: 'Search Deal' }).fill('nothing like this');
    await page.getByText('Nothing matches').waitFor();
    await page.getByRole('searchbox', { name: 'Search Deal' }).fill('');
    await expect.poll(() => firstColumn(page)).toEqual(['Alpha', 'Charlie', 'Foxtrot']);

    // Save the filtered list as the user's own view; it survives a reload.
    await page.getByRole('button', { name: 'Views: Pipeline' }).click();
    await page.getByRole('menuitem', { name: 'Save view…' }).click();
    await page.getByRole('textbox', { name: 'View name' }).fill('Won deals');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    // The address names the saved view, so a reload comes back to it (issue 21: list state in the URL).
    await page.reload();
    await page.getByRole('button', { name: 'Views: Won deals' }).click();
    await page.getByRole('menuitem', { name: 'Pipeline' }).click();
    await page.getByRole('button', { name: 'Views: Pipeline' }).click();
    await page.getByRole('menuitem', { name: 'Won deals' }).click();
    await expect.poll(() => firstColumn(page)).toEqual(['Alpha', 'Charlie', 'Foxtrot']);

    await page.getByRole('checkbox', { name: 'Select Alpha' }).check();
    await page.getByRole('checkbox', { name: 'Select Charlie' }).check();
    await page.getByText('2 selected').first().waitFor();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await screenshot(page, 'list-bulk-delete', { fullPage: false });
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('2 records moved to the recycle bin.').first().waitFor();
    await expect.poll(() => firstColumn(page)).toEqual(['Foxtrot']);
    expect(errors).toEqual([]);
  });

  it('shows the records that point at one, and says so when a record is gone', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto(`/o/account/${acme.id}`);
    await page.getByRole('heading', { name: 'Acme Corporation', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Related' }).click();
    await page.getByRole('heading', { name: 'Deal', level: 2 }).waitFor();
    await page.getByRole('link', { name: 'Zeta rollout' }).waitFor();
    await screenshot(page, 'record-related');
    await page.getByRole('link', { name: 'Zeta rollout' }).click();
    await page.getByRole('heading', { name: 'Zeta rollout', level: 1 }).waitFor();
    // "New" on a related list starts a record already linked to its parent.
    await page.goBack();
    await page.getByRole('tab', { name: 'Related' }).click();
    await page.getByRole('link', { name: 'New' }).last().click();
    await page.getByRole('heading', { name: 'New Deal', level: 1 }).waitFor();
    await expect.poll(() => page.locator('#root_account').inputValue()).toBe('Acme Corporation');

    await page.goto('/o/deal/00000000-0000-4000-8000-000000000000');
    await page.getByRole('heading', { name: 'Record not found' }).waitFor();
    await page.goto('/o/deal/not-a-uuid');
    await page.getByRole('heading', { name: 'Record not found' }).waitFor();
    await page.goto('/o/nope/new');
    await page.getByRole('heading', { name: 'This object does not exist' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('imports a CSV: maps columns, shows row errors in a dry run, imports the good rows', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/o/deal');
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import Deal', level: 1 }).waitFor();
    const csv = 'Deal name,Amount,Stage\nImported one,1200,new\nImported two,-5,won\nImported three,3400,lost\n';
    await page
      .getByLabel('Choose a CSV file')
      .setInputFiles({ name: 'deals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('3 rows found in deals.csv.').waitFor();
    // "Amount" and "Stage" match fields by label; "Deal name" needs the user.
    expect(await page.getByRole('combobox', { name: 'Field: Amount' }).inputValue()).toBe('amount');
    await page.getByRole('combobox', { name: 'Field: Deal name' }).selectOption('name');
    await screenshot(page, 'import-map');
    await page.getByRole('button', { name: 'Check the data' }).click();
    await page.getByText('1 rows have problems', { exact: false }).waitFor();
    await screenshot(page, 'import-dry-run');
    await page.getByRole('button', { name: 'Import the good rows' }).click();
    await page.getByText('2 created, 0 updated.').waitFor();
    await screenshot(page, 'import-done');
    await page.getByRole('link', { name: 'View the records' }).click();
    await page.getByRole('searchbox', { name: 'Search Deal' }).fill('Imported');
    await expect.poll(async () => (await firstColumn(page)).sort()).toEqual(['Imported one', 'Imported three']);
    expect(errors).toEqual([]);
  });
});
