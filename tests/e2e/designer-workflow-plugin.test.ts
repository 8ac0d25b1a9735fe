import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { noteNode } from '../support/note-node-plugin';
import { type E2eApp, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

/**
 * A workflow node type a plugin registers shows in the designer's palette and is configured in its
 * inspector with no designer code: everything comes from its palette entry, served by
 * `GET /api/meta/workflow-node-types` (tests/support/note-node-plugin.ts).
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({
    prefix: 'e2ewfplug',
    server: { plugins: [{ kind: 'inline', definition: { name: 'notes', version: '1.0.0', nodeTypes: [noteNode] } }] },
  });
  await seedSalesModel(app.tenant);
}, 300_000);
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

/** Opens a new, unsaved workflow on deals. */
async function openNewWorkflow(page: Page, name: string): Promise<void> {
  await page.goto(`/designer/workflows/${name}?object=deal&label=${name}`);
  await page.getByTestId('wf-node-start').waitFor();
}

describe("a plugin's workflow node type in the designer", { timeout: 240_000 }, () => {
  it('is offered in the palette, drawn with its own label and configured through its fields (English)', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await openNewWorkflow(page, 'note_flow');
    const item = page.getByTestId('wf-palette-note');
    expect((await item.textContent())?.trim()).toBe('Note');
    // The core types keep their places, the plugin's comes after them.
    const palette = await page.locator('.f-wf__palette-item').allInnerTexts();
    expect(palette.map((s) => s.trim())).toEqual(['Approval', 'Condition', 'Action', 'End', 'Start', 'Note']);

    await item.click();
    const node = page.getByTestId('wf-node-note1');
    await node.waitFor();
    await page.locator('.f-wf-props__title', { hasText: 'Note' }).locator('code', { hasText: 'note1' }).waitFor();
    expect(await page.getByTestId('wf-handle-note1-out').getAttribute('aria-label')).toBe('Next');

    const text = page.getByRole('textbox', { name: 'Note text' });
    await text.fill('Check the budget first');
    await page.getByText('Written to the approval history.').waitFor();
    await page.getByRole('combobox', { name: 'Tone' }).selectOption('warning');
    // The card's summary is the note's text; the server's own check of the draft runs the plugin's rules.
    await node.getByText('Check the budget first').waitFor();
    await node.getByText('a note needs exactly one outgoing edge').waitFor();
    await screenshot(page, 'designer-workflow-plugin-node', { fullPage: false });

    // What the inspector wrote is the node's data, sent as the draft to check.
    const draft = page.waitForRequest((r) => r.url().includes('/api/meta/plan') && r.method() === 'POST');
    await text.fill('Check the budget');
    const body = (await draft).postDataJSON() as { workflows: Record<string, { nodes: Array<{ id: string }> }> };
    expect(body.workflows.note_flow?.nodes.find((n) => n.id === 'note1')).toMatchObject({
      type: 'note',
      data: { text: 'Check the budget', tone: 'warning' },
    });
    expect(errors).toEqual([]);
  });

  it('reads in Chinese: palette, inspector and options from the entry', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('link', { name: '首页' }).first().waitFor();
    await openNewWorkflow(page, 'note_flow_zh');
    const item = page.getByTestId('wf-palette-note');
    expect((await item.textContent())?.trim()).toBe('备注');
    expect((await page.getByTestId('wf-palette-approval').textContent())?.trim()).toBe('审批');
    await item.click();
    const node = page.getByTestId('wf-node-note1');
    await node.waitFor();
    await page.getByRole('textbox', { name: '备注内容' }).fill('先核对预算');
    await page.getByText('写入审批历史。').waitFor();
    const tone = page.getByRole('combobox', { name: '语气' });
    expect(await tone.locator('option').allInnerTexts()).toEqual(['信息', '警告']);
    await tone.selectOption('warning');
    await node.getByText('先核对预算').waitFor();
    expect((await node.locator('.f-wf-node__title').textContent())?.trim()).toBe('备注');
    await screenshot(page, 'designer-workflow-plugin-node-zh', { fullPage: false });
    expect(errors).toEqual([]);
  });
});
