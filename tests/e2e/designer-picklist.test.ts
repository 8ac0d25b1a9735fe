/**
 * Picklist options in the object designer (issue 22), in English and Chinese: a new option's value
 * follows its label, it carries a Chinese label, options are reordered and one is retired; after
 * publishing (plan → apply), a new record is not offered the retired option while an old record
 * keeps and shows it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, type E2eApp, putMeta, screenshot, signIn, startE2eApp } from './support';

let app: E2eApp;
let oldTicket: string;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2epick' });
  await putMeta(app.tenant, '/api/meta/objects/ticket', {
    type: 'object',
    title: 'Ticket',
    'x-label-field': 'subject',
    properties: {
      subject: { type: 'string', title: 'Subject' },
      channel: {
        type: 'string',
        title: 'Channel',
        enum: ['phone', 'fax'],
        'x-enum-labels': { phone: 'Phone', fax: 'Fax' },
      },
    },
  });
  oldTicket = (await createRecord(app.tenant, 'ticket', { subject: 'Old fax ticket', channel: 'fax' })).id as string;
});
afterAll(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
  await app?.close();
});

const optionTexts = (page: Page) => page.locator('#root_channel option').allTextContents();

describe('picklist options in the object designer', { timeout: 240_000 }, () => {
  it('adds an option named from its label, reorders, retires one, publishes; old records keep it', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/objects/ticket');
    await page.getByRole('button', { name: /^Channel/ }).click();
    await page.getByRole('button', { name: 'Add option' }).click();
    await page.getByRole('textbox', { name: 'Label of option 3' }).fill('Walk-in visit');
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Value of option 3' }).inputValue())
      .toBe('walk_in_visit');
    await page.getByRole('textbox', { name: 'Option 3 in Chinese' }).fill('到店');
    // Up one place: Phone, Walk-in visit, Fax.
    await page.locator('.f-od-option').nth(2).getByRole('button', { name: 'Move up' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Label of option 2' }).inputValue())
      .toBe('Walk-in visit');
    await page.getByRole('button', { name: 'Retire option Fax' }).click();
    await page.getByText('Retired options stay on the records that have them').waitFor();
    await page.locator('.f-od-options').scrollIntoViewIfNeeded();
    await screenshot(page, 'designer-picklist-options', { fullPage: false });

    await page.getByRole('button', { name: 'Publish…' }).click();
    const d = page.getByRole('dialog');
    await d.getByRole('button', { name: 'Publish', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await page
      .getByText(/Published version \d+/)
      .first()
      .waitFor();
    const channel = (await app.tenant.api.get('/api/meta')).body.objects.ticket.properties.channel;
    expect(channel.enum).toEqual(['phone', 'walk_in_visit', 'fax']);
    expect(channel['x-enum-retired']).toEqual(['fax']);
    expect(channel['x-i18n']['zh-CN'].enum).toEqual({ walk_in_visit: '到店' });

    // A new record is not offered Fax; the old one keeps and shows it, and saves other changes.
    await page.goto('/o/ticket/new');
    await page.locator('#root_channel').waitFor();
    expect(await optionTexts(page)).not.toContain('Fax');
    expect(await optionTexts(page)).toEqual(expect.arrayContaining(['Phone', 'Walk-in visit']));
    await page.goto(`/o/ticket/${oldTicket}?edit=1`);
    await page.getByText('Fax').first().waitFor();
    const saved = await app.tenant.api.patch(`/api/records/ticket/${oldTicket}`, {
      subject: 'Old fax ticket, edited',
      channel: 'fax',
      version: 1,
    });
    expect(saved.status, saved.text).toBe(200);
    const refused = await app.tenant.api.post('/api/records/ticket', { subject: 'New', channel: 'fax' });
    expect(refused.body.error.fields.channel).toBe('"Fax" is a retired option: choose another');
  });

  it('shows the Chinese option labels and the retire control in Chinese', async () => {
    const { page } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.goto('/o/ticket/new');
    await page.locator('#root_channel').waitFor();
    expect(await optionTexts(page)).toContain('到店');
    expect(await optionTexts(page)).not.toContain('Fax');
    await page.goto('/designer/objects/ticket');
    await page.getByRole('button', { name: /^Channel/ }).click();
    await page.getByRole('button', { name: '重新提供选项 Fax' }).waitFor();
    await page.getByText('已停用的选项保留在已有该值的记录上').waitFor();
    await screenshot(page, 'designer-picklist-options-zh-cn');
  });
});
