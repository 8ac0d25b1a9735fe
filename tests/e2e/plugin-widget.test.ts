import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, screenshot, signIn, startE2eApp, VIEWPORTS } from './support';

/**
 * A plugin's field kind with its own widget renders in the web app: the example plugin's `nps` score
 * (plugins/example-feedback) describes its widget as data, the app draws it as a 0–10 scale, and
 * what is picked is saved.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2enps',
    server: { plugins: 'discover' },
    tenant: { template: 'example-feedback' },
  });
}, 300_000);
afterAll(async () => {
  await app?.close();
});

describe("a plugin's widget", { timeout: 180_000 }, () => {
  it('renders the NPS score as a 0–10 scale and saves the choice', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/o/survey/new');
    await page.getByRole('heading', { name: 'New Survey answer', level: 1 }).waitFor();
    const scale = page.getByRole('radiogroup', { name: 'Score' });
    await scale.waitFor();
    expect(await scale.getByRole('radio').count()).toBe(11);
    await page.getByText('Not likely').waitFor();
    await page.getByText('Very likely').waitFor();

    await page.locator('#root_title').fill('Renewal call');
    await scale.getByRole('radio', { name: '9' }).check();
    await expect.poll(() => scale.getByRole('radio', { name: '9' }).isChecked()).toBe(true);
    await screenshot(page, 'plugin-widget-nps');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Renewal call', level: 1 }).waitFor();

    const id = new URL(page.url()).pathname.split('/').at(-1) as string;
    const saved = await app.tenant.api.get(`/api/records/survey/${id}`);
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.score).toBe(9);
    // The record page shows the saved score selected.
    await expect
      .poll(() => page.getByRole('radiogroup', { name: 'Score' }).getByRole('radio', { name: '9' }).isChecked())
      .toBe(true);
    expect(errors).toEqual([]);
  });

  it('works from the keyboard on a phone, in Chinese', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.setViewportSize(VIEWPORTS.phone);
    await page.goto('/o/survey/new');
    const scale = page.getByRole('radiogroup', { name: '评分' });
    await scale.waitFor();
    await page.locator('#root_title').fill('电话回访');
    await scale.getByRole('radio', { name: '5' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => scale.getByRole('radio', { name: '6' }).isChecked()).toBe(true);
    // The plugin's captions come in the user's language too.
    await page.getByText('非常可能').waitFor();
    await screenshot(page, 'plugin-widget-nps-phone-zh');
    expect(errors).toEqual([]);
  });
});
