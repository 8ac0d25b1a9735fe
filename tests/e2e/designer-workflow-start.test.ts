import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

/**
 * A new workflow opens as a working one (start → approval → approved / rejected ends), and a step
 * clicked in the palette continues from the selected node and is brought into view.
 */
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2ewfstart' });
  await seedSalesModel(app.tenant);
  await putMeta(app.tenant, '/api/meta/roles/regional_director', {
    label: 'Regional director',
    objects: { deal: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/objects/expense', {
    title: 'Expense',
    type: 'object',
    'x-i18n': { 'zh-CN': { title: '费用' } },
    properties: {
      title: { type: 'string', title: 'Title', maxLength: 200 },
      travel: { type: 'number', title: 'Travel', minimum: 0 },
      hours: { type: 'number', title: 'Hours', minimum: 0 },
      total_cost: {
        type: 'number',
        title: 'Total cost',
        'x-i18n': { 'zh-CN': { title: '总费用' } },
        'x-formula': '(record.travel || 0) + (record.hours || 0) * 80',
      },
    },
  });
  await putMeta(app.tenant, '/api/meta/workflows/expense_flow', {
    object: 'expense',
    label: 'Expense flow',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      { id: 'gate', type: 'condition', position: { x: 0, y: 140 }, data: { label: 'Costly?' } },
      {
        id: 'boss',
        type: 'approval',
        position: { x: -120, y: 280 },
        data: { label: 'Boss approval', approvers: [{ managerOf: 'submitter' }] },
      },
      { id: 'ok', type: 'end', position: { x: 120, y: 420 }, data: { outcome: 'approved' } },
      { id: 'no', type: 'end', position: { x: -240, y: 420 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'gate' },
      { id: 'e2', source: 'gate', target: 'boss', data: { condition: 'record.total_cost > 1000' } },
      { id: 'e3', source: 'gate', target: 'ok', data: { default: true } },
      { id: 'e4', source: 'boss', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e5', source: 'boss', target: 'no', data: { outcome: 'rejected' } },
    ],
  });
}, 300_000);
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

type Draft = { nodes: Array<{ id: string; type: string }>; edges: Array<{ source: string; target: string }> };

/** The draft the designer sends to the server's check after the next change. */
function nextDraft(page: Page, name: string): Promise<Draft> {
  return page
    .waitForRequest((r) => r.url().includes('/api/meta/plan') && r.method() === 'POST')
    .then((r) => (r.postDataJSON() as { workflows: Record<string, Draft> }).workflows[name] as Draft);
}

async function inView(page: Page, node: Locator): Promise<boolean> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  const box = await node.boundingBox();
  if (!pane || !box) return false;
  return (
    box.x >= pane.x &&
    box.y >= pane.y &&
    box.x + box.width <= pane.x + pane.width &&
    box.y + box.height <= pane.y + pane.height
  );
}

const pairs = (d: Draft) => d.edges.map((e) => `${e.source}>${e.target}`).sort();

describe('a new workflow in the designer', { timeout: 240_000 }, () => {
  it('opens connected and valid; palette steps follow the selected node and land in view (English)', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/workflows/starter_en?object=deal&label=Starter');
    for (const id of ['start', 'approval1', 'end1', 'end2']) await page.getByTestId(`wf-node-${id}`).waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    // Ready to publish as it is: the server's own check of the draft finds nothing.
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
    await page.getByTestId('wf-node-approval1').getByText('Manager of the submitter').waitFor();
    await screenshot(page, 'designer-workflow-starter', { fullPage: false });

    // With start selected, an approval clicked in the palette goes between start and the first step.
    await page.getByTestId('wf-node-start').locator('.f-wf-node__head').click();
    let draft = nextDraft(page, 'starter_en');
    await page.getByTestId('wf-palette-approval').click();
    const approval2 = page.getByTestId('wf-node-approval2');
    await approval2.waitFor();
    expect(pairs(await draft)).toEqual(
      ['approval1>end1', 'approval1>end2', 'approval2>approval1', 'start>approval2'].sort(),
    );
    await expect.poll(() => inView(page, approval2)).toBe(true);

    // The new step is selected: the next ones chain on from it, each brought into view.
    draft = nextDraft(page, 'starter_en');
    await page.getByTestId('wf-palette-action').click();
    await page.getByTestId('wf-node-action1').waitFor();
    expect(pairs(await draft)).toContain('approval2>action1');
    draft = nextDraft(page, 'starter_en');
    await page.getByTestId('wf-palette-end').click();
    await page.getByTestId('wf-node-end3').waitFor();
    expect(pairs(await draft)).toContain('action1>end3');
    // An end has no way out: the next step goes below everything, unconnected, and still in view.
    await page.getByTestId('wf-palette-condition').click();
    const condition = page.getByTestId('wf-node-condition1');
    await condition.waitFor();
    await expect.poll(() => inView(page, condition)).toBe(true);
    await page.getByTestId('wf-palette-action').click();
    const action2 = page.getByTestId('wf-node-action2');
    await action2.waitFor();
    await expect.poll(() => inView(page, action2)).toBe(true);
    await screenshot(page, 'designer-workflow-palette-chain', { fullPage: false });

    // Problems read as sentences for admins, not as the definition's paths (data.condition).
    await page.getByRole('button', { name: 'Fit to screen' }).click();
    await page.getByTestId('wf-node-start').locator('.f-wf-node__head').click();
    await page.getByTestId('wf-palette-condition').click();
    const branchy = page.getByTestId('wf-node-condition2');
    await branchy.waitFor();
    await page.getByText('This condition path has no condition.').first().waitFor();
    await branchy.getByText('This condition needs one "Otherwise" path.').waitFor();
    expect(await page.getByText(/data\.condition|data\.outcome/).count()).toBe(0);
    await screenshot(page, 'designer-workflow-issue-words', { fullPage: false });
    // The publish dialog's refusal says the same.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish “Starter”' });
    await publish.getByText('This condition path has no condition.').first().waitFor();
    expect(await publish.getByText(/data\.condition/).count()).toBe(0);
    await page.keyboard.press('Escape');
    await publish.waitFor({ state: 'detached' });

    // Approvers are picked by the role's label, and the card names the role the same way.
    await page.getByRole('button', { name: 'Fit to screen' }).click();
    await page.getByTestId('wf-node-approval1').locator('.f-wf-node__head').click();
    await page.getByRole('combobox', { name: 'Approver 1: kind' }).selectOption('role');
    const role = page.getByRole('combobox', { name: 'Approver 1: Role' });
    const options = await role.locator('option').allInnerTexts();
    expect(options).toContain('Regional director');
    expect(options).not.toContain('regional_director');
    await role.selectOption({ label: 'Regional director' });
    await page.getByTestId('wf-node-approval1').getByText('Role: Regional director').waitFor();
    expect(errors).toEqual([]);
  });

  it('opens connected and valid in Chinese', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('link', { name: '首页' }).first().waitFor();
    await page.goto('/designer/workflows/starter_zh?object=deal&label=Starter');
    await page.getByTestId('wf-node-approval1').waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    await page.getByRole('status').filter({ hasText: '没有问题' }).waitFor();
    expect((await page.getByTestId('wf-node-approval1').locator('.f-wf-node__title').textContent())?.trim()).toBe(
      '审批',
    );
    await page.getByTestId('wf-node-end1').locator('.f-wf-node__head').click();
    await page.getByTestId('wf-palette-approval').click();
    const added = page.getByTestId('wf-node-approval2');
    await added.waitFor();
    await expect.poll(() => inView(page, added)).toBe(true);
    await page.getByRole('button', { name: '适应屏幕' }).click();
    await page.getByTestId('wf-node-start').locator('.f-wf-node__head').click();
    await page.getByTestId('wf-palette-condition').click();
    await page.getByTestId('wf-node-condition1').getByText('此条件需要一条“否则”路径。').waitFor();
    await page.getByText('此条件路径还没有填写条件。').first().waitFor();
    await screenshot(page, 'designer-workflow-starter-zh-cn', { fullPage: false });
    expect(errors).toEqual([]);
  });

  it("simulates with the object's formulas computed from the inputs, and lists the workflow's own version", async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer/workflows/expense_flow');
    await page.getByRole('heading', { name: 'Expense flow', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.locator('#root_travel').fill('200');
    await page.locator('#root_hours').fill('12');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    // total_cost = 200 + 12 × 80 = 1160: the costly branch, to the boss.
    await page.getByText('Calculated from your inputs: Total cost = 1160').waitFor();
    await page.locator('.f-wf-sim__path li', { hasText: 'Boss approval' }).waitFor();
    // Unnamed steps are listed by their kind, not their ids.
    expect(await page.locator('.f-wf-sim__path li').allInnerTexts()).toEqual([
      'Start',
      'Costly?',
      'Boss approval (Approved)',
      'End',
    ]);
    await screenshot(page, 'designer-workflow-simulate-formula', { fullPage: false });
    await page.locator('#root_hours').fill('2');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText('Calculated from your inputs: Total cost = 360').waitFor();
    expect(await page.locator('.f-wf-sim__path li', { hasText: 'Boss approval' }).count()).toBe(0);

    // The list shows v1: the workflow never changed, though the metadata did many times.
    await page.goto('/designer/workflows');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Expense flow' }) });
    await row.waitFor();
    expect(await row.getByText(/^v\d+$/).textContent()).toBe('v1');
    expect(errors).toEqual([]);
  });

  it('simulates with formulas in Chinese', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('link', { name: '首页' }).first().waitFor();
    await page.goto('/designer/workflows/expense_flow');
    await page.getByRole('heading', { name: 'Expense flow', level: 1 }).waitFor();
    await page.getByRole('tab', { name: '模拟' }).click();
    await page.locator('#root_travel').fill('100');
    await page.locator('#root_hours').fill('20');
    await page.getByRole('button', { name: '运行模拟' }).click();
    await page.getByText('根据输入计算：总费用 = 1700').waitFor();
    await screenshot(page, 'designer-workflow-simulate-formula-zh-cn', { fullPage: false });
    expect(errors).toEqual([]);
  });
});
