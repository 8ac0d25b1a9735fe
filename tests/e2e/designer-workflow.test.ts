import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp, VIEWPORTS } from './support';

type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

let app: E2eApp;
let director: User;
let manager: User;
let rep: User;

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2ewfd' });
  await seedSalesModel(app.tenant);
  const own = { create: true, read: 'own', update: 'own', delete: false };
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: own, account: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/roles/sales_manager', {
    label: 'Manager',
    objects: { deal: { read: 'subordinates' }, account: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/roles/director', {
    label: 'Director',
    objects: { deal: { read: 'all' }, account: { read: 'all' } },
  });
  director = await app.tenant.addUser({ roles: ['director'], name: 'Dora Director' });
  manager = await app.tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager', manager: director.id });
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
});

// A language chosen in the app is the user's on every browser (their profile's locale): each test
// starts from none, so the next one opens in the browser's language (English).
afterEach(async () => {
  await app?.tenant.api.patch('/api/auth/me', { locale: null });
});
afterAll(async () => {
  await app?.close();
});

const creds = (u: User) => ({ tenant: app.tenant.id, email: u.email, password: u.password });

async function center(l: Locator): Promise<{ x: number; y: number }> {
  const box = await l.boundingBox();
  if (!box) throw new Error('element not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a palette step onto the canvas at (x, y) relative to the pane, as a user does with the mouse. */
async function dropStep(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`wf-palette-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Draws an edge from a node's typed handle to another node's input, by mouse. */
async function wire(page: Page, source: string, handle: string, target: string): Promise<void> {
  const from = await center(page.getByTestId(`wf-handle-${source}-${handle}`));
  const to = await center(page.locator(`.react-flow__node[data-id="${target}"] .react-flow__handle.target`));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

async function select(page: Page, node: string): Promise<void> {
  await page.getByTestId(`wf-node-${node}`).locator('.f-wf-node__head').click();
  await page.locator('.f-wf-props__title code', { hasText: node }).waitFor();
}

describe('workflow designer', { timeout: 240_000 }, () => {
  it('draws the large-deal workflow by mouse, simulates and publishes it; end users approve at both levels', async () => {
    const { page, errors } = await app.newPage();
    await signIn(page, app.admin);
    await page.goto('/designer');
    await page.getByRole('link', { name: 'Approval workflows' }).click();
    await page.getByRole('heading', { name: 'Approval workflows', level: 1 }).waitFor();
    await page.getByText('No workflows yet').waitFor();

    await page.getByRole('button', { name: 'New workflow' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByRole('button', { name: 'Create and open' }).click();
    await dialog.getByText('Give the workflow a label').waitFor();
    await dialog.getByRole('textbox', { name: 'Label' }).fill('Large deal approval');
    expect(await dialog.getByRole('textbox', { name: 'API name' }).inputValue()).toBe('large_deal_approval');
    await dialog.getByRole('combobox', { name: 'Object' }).selectOption('deal');
    await dialog.getByRole('button', { name: 'Create and open' }).click();
    await page.getByRole('heading', { name: 'Large deal approval', level: 1 }).waitFor();
    await page.getByTestId('wf-node-start').waitFor();

    // A new workflow opens with a suggested approval and its ends; drawn from scratch here, so they go.
    for (const id of ['approval1', 'end1', 'end2']) {
      await select(page, id);
      await page.keyboard.press('Delete');
      await page.getByTestId(`wf-node-${id}`).waitFor({ state: 'detached' });
    }

    // The empty canvas: the start node goes to the top, then each step is dragged in from the palette.
    const pane = (await page.locator('.react-flow__pane').boundingBox()) as { x: number; y: number; width: number };
    const cx = pane.width / 2;
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await page.getByRole('button', { name: 'Zoom out' }).click();
    const startAt = await center(page.getByTestId('wf-node-start').locator('.f-wf-node__head'));
    await page.mouse.move(startAt.x, startAt.y);
    await page.mouse.down();
    await page.mouse.move(pane.x + cx, pane.y + 30, { steps: 8 });
    await page.mouse.up();
    await dropStep(page, 'condition', cx, 140);
    await dropStep(page, 'approval', cx, 250);
    await dropStep(page, 'approval', cx, 360);
    await dropStep(page, 'end', cx - 200, 480);
    await dropStep(page, 'end', cx + 100, 480);
    for (const id of ['condition1', 'approval1', 'approval2', 'end1', 'end2'])
      await page.getByTestId(`wf-node-${id}`).waitFor();

    // Not connected yet: the server's checks mark the steps red with their problem.
    await page
      .getByRole('status')
      .filter({ hasText: /problems?$/ })
      .waitFor();
    await page.getByTestId('wf-node-approval1').getByText('Choose who approves this step.').waitFor();
    await screenshot(page, 'designer-workflow-unconnected', { fullPage: false });

    await wire(page, 'start', 'out', 'condition1');
    await wire(page, 'condition1', 'branch', 'approval1');
    await wire(page, 'condition1', 'default', 'end1');
    await wire(page, 'approval1', 'approved', 'approval2');
    await wire(page, 'approval1', 'rejected', 'end2');
    await wire(page, 'approval2', 'approved', 'end1');
    await wire(page, 'approval2', 'rejected', 'end2');
    await screenshot(page, 'designer-workflow-wired', { fullPage: false });
    await expect.poll(() => page.locator('.react-flow__edge').count(), { timeout: 30_000 }).toBe(7);

    // Properties: the manager level (with escalation to the directors after two days).
    await select(page, 'approval1');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Manager approval');
    await page.getByRole('textbox', { name: 'Name in Chinese' }).fill('经理审批');
    await page.getByRole('button', { name: 'Add approver' }).click();
    await page.getByRole('checkbox', { name: 'Escalate when not decided in time' }).check();
    await page.getByRole('textbox', { name: 'After' }).fill('PT48H');
    await page.getByRole('combobox', { name: 'Reassign to: kind' }).selectOption('role');
    await page.getByRole('combobox', { name: 'Reassign to: Role' }).selectOption('director');
    // The director level: every holder of the role.
    await select(page, 'approval2');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Director approval');
    await page.getByRole('button', { name: 'Add approver' }).click();
    await page.getByRole('combobox', { name: 'Approver 1: kind' }).selectOption('role');
    await page.getByRole('combobox', { name: 'Approver 1: Role' }).selectOption('director');
    // Big deals go to the approvers; the rest are approved at once.
    await select(page, 'condition1');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Large deal?');
    await page.getByRole('textbox', { name: /^If … go to Manager approval/ }).fill('record.amount > 100000');
    await select(page, 'end1');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Won');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('combobox', { name: 'Field 1' }).selectOption('stage');
    await page.getByRole('combobox', { name: 'Value 1' }).selectOption('won');
    await select(page, 'end2');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Rejected');
    await page.getByRole('combobox', { name: 'Outcome' }).selectOption('rejected');
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();

    // Undo and redo the last change.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.getByRole('button', { name: 'Undo (Ctrl+Z)' }).click();
    await page.getByTestId('wf-node-end2').getByText('Approved').waitFor();
    await page.keyboard.press('Control+Shift+Z');
    await page.getByTestId('wf-node-end2').getByText('Rejected').first().waitFor();
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();

    // The workflow's trigger, set in the panel when nothing is selected.
    await page.getByRole('heading', { name: 'Workflow settings' }).waitFor();
    await page.getByRole('textbox', { name: 'Only when (condition)' }).fill('record.amount > 0');
    await screenshot(page, 'designer-workflow-drawn', { fullPage: false });
    // Tidy up: a layered layout whose edges pass through no step card (sampled along every path).
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await page.getByRole('button', { name: 'Fit to screen' }).click();
    await expect.poll(() => edgesThroughCards(page), { timeout: 30_000 }).toEqual([]);
    await screenshot(page, 'designer-workflow-tidy', { fullPage: false });
    // One undoable step: back to the cards where they were drawn (the rest of the test clicks them there).
    await page.getByRole('button', { name: 'Undo (Ctrl+Z)' }).click();
    await page.getByRole('button', { name: 'Fit to screen' }).click();

    // Simulation: a 250,000 deal goes through both levels.
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.locator('#root_name').fill('Sample');
    await page.locator('#root_amount').fill('250000');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText('Ends Approved').waitFor();
    await expect.poll(() => page.locator('.f-wf-node--path').count(), { timeout: 30_000 }).toBe(5);
    await screenshot(page, 'designer-workflow-simulated', { fullPage: false });
    await page.getByRole('combobox', { name: 'Director approval' }).selectOption('rejected');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText('Ends Rejected').waitFor();

    // Publish through the plan dialog.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish “Large deal approval”' });
    await publish.getByRole('button', { name: 'Publish' }).click();
    await page.getByText(/^Published as version \d+\.$/).waitFor();
    await page.getByText('No approval runs on an older version.').waitFor();
    await screenshot(page, 'designer-workflow-published', { fullPage: false });
    const stored = (await app.tenant.api.get('/api/meta')).body.workflows.large_deal_approval;
    expect(stored.trigger).toEqual({ on: 'submit', condition: 'record.amount > 0' });
    expect(stored.nodes.find((n: { id: string }) => n.id === 'approval1').data).toMatchObject({
      label: 'Manager approval',
      'x-i18n': { 'zh-CN': { label: '经理审批' } },
      approvers: [{ managerOf: 'submitter' }],
      escalation: { after: 'PT48H', to: { role: 'director' } },
    });

    // End users: the rep submits a big deal in the browser; the manager approves from the inbox.
    const created = await rep.api.post('/api/records/deal', { name: 'Globex rollout', amount: 250_000 });
    expect(created.status, created.text).toBe(201);
    const dealId = created.body.id as string;
    const asRep = await app.newPage();
    await signIn(asRep.page, creds(rep));
    await asRep.page.goto(`/o/deal/${dealId}`);
    await asRep.page.getByRole('tab', { name: 'Approvals' }).click();
    await asRep.page.getByRole('button', { name: 'Submit for approval' }).click();
    const submit = asRep.page.getByRole('dialog', { name: 'Submit for approval' });
    await submit.getByRole('button', { name: 'Submit for approval' }).click();
    await asRep.page.getByText('Pending approval').first().waitFor();

    const asManager = await app.newPage();
    await signIn(asManager.page, creds(manager));
    await asManager.page.goto('/approvals');
    await asManager.page.getByText(/Manager approval/).waitFor();
    await asManager.page.getByRole('button', { name: 'Approve: Globex rollout' }).click();
    const approve = asManager.page.getByRole('dialog', { name: 'Approve this request' });
    await approve.getByRole('button', { name: 'Approve' }).click();
    await asManager.page.getByText('Nothing waiting for you').waitFor();

    // Meanwhile the admin renames the director step and publishes again: the waiting deal is on the
    // older version until the admin moves it.
    await select(page, 'approval2');
    await page.getByRole('textbox', { name: 'Step name' }).fill('Director sign-off');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Publish “Large deal approval”' })
      .getByRole('button', { name: 'Publish' })
      .click();
    await page.getByText('1 approval still runs on an older version.').waitFor();
    await screenshot(page, 'designer-workflow-older-instances', { fullPage: false });
    await page.getByRole('button', { name: 'Move 1 to the newest version' }).click();
    await page.getByText('Moved 1; 0 left where they are (their step is gone).').waitFor();

    const asDirector = await app.newPage();
    await signIn(asDirector.page, creds(director));
    await asDirector.page.goto('/approvals');
    await asDirector.page
      .getByText(/Director/)
      .first()
      .waitFor();
    await asDirector.page.getByRole('button', { name: 'Approve: Globex rollout' }).click();
    await asDirector.page
      .getByRole('dialog', { name: 'Approve this request' })
      .getByRole('button', { name: 'Approve' })
      .click();
    await asDirector.page.getByText('Nothing waiting for you').waitFor();

    const deal = await rep.api.get(`/api/records/deal/${dealId}`);
    expect(deal.body).toMatchObject({ approval_status: 'approved', stage: 'won' });
    await page.goto('/designer/workflows');
    await page.getByRole('link', { name: 'Large deal approval' }).waitFor();
    await screenshot(page, 'designer-workflow-list');
    expect([...errors, ...asRep.errors, ...asManager.errors, ...asDirector.errors]).toEqual([]);
  });

  it('on a tablet in Chinese: lays out a stacked definition, adds and deletes by keyboard, guards unpublished changes', async () => {
    // Written by API with every node at the same spot: the designer lays it out on opening.
    const at = { x: 0, y: 0 };
    await putMeta(app.tenant, '/api/meta/workflows/stacked', {
      object: 'deal',
      label: 'Stacked',
      nodes: [
        { id: 'start', type: 'start', position: at, data: {} },
        {
          id: 'mgr',
          type: 'approval',
          position: at,
          data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }] },
        },
        { id: 'ok', type: 'end', position: at, data: { outcome: 'approved' } },
        { id: 'ko', type: 'end', position: at, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'mgr' },
        { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
        { id: 'e3', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
      ],
    });
    const { page, errors } = await app.newPage({ viewport: VIEWPORTS.tablet });
    await signIn(page, app.admin);
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitemradio', { name: '中文（简体）' }).click();
    await page.getByRole('link', { name: '首页' }).first().waitFor();
    await page.goto('/designer/workflows/stacked');
    await page.getByRole('heading', { name: 'Stacked', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: '没有问题' }).waitFor();
    const tops = await Promise.all(
      ['start', 'mgr', 'ok'].map(async (id) => (await page.getByTestId(`wf-node-${id}`).boundingBox())?.y ?? 0),
    );
    expect(tops[0]).toBeLessThan(tops[1] as number);
    expect(tops[1]).toBeLessThan(tops[2] as number);
    await screenshot(page, 'designer-workflow-tablet-zh-cn', { fullPage: false });

    // Keyboard: a palette step added with Enter, removed with Delete, brought back with Ctrl+Z.
    await page.getByTestId('wf-palette-action').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('wf-node-action1').waitFor();
    await page
      .getByTestId('wf-node-action1')
      .getByText(/动作步骤只能连接到一个下一步|此动作还没有内容/)
      .waitFor();
    await page.getByRole('status').filter({ hasText: '个问题' }).waitFor();
    await page.keyboard.press('Delete');
    await page.getByTestId('wf-node-action1').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+z');
    await page.getByTestId('wf-node-action1').waitFor();

    // Leaving with unpublished changes asks first.
    await page.getByRole('link', { name: '全部流程' }).click();
    const leave = page.getByRole('dialog', { name: '不发布就离开？' });
    await leave.waitFor();
    await screenshot(page, 'designer-workflow-leave-guard-zh-cn', { fullPage: false });
    await leave.getByRole('button', { name: '继续编辑' }).click();
    await page.getByTestId('wf-node-action1').waitFor();
    await page.getByRole('link', { name: '全部流程' }).click();
    await page.getByRole('dialog', { name: '不发布就离开？' }).getByRole('button', { name: '放弃修改' }).click();
    await page.getByRole('heading', { name: '审批流程', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Stacked' }).waitFor();
    await screenshot(page, 'designer-workflow-list-zh-cn', { fullPage: false });
    expect(errors).toEqual([]);
  });
});

/** Edges (by index) whose path, away from its two ends, runs through a step card on the screen. */
function edgesThroughCards(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const cards = [...document.querySelectorAll('.react-flow__node')].map((n) => n.getBoundingClientRect());
    const bad: number[] = [];
    document.querySelectorAll<SVGPathElement>('.react-flow__edge-path').forEach((path, i) => {
      const ctm = path.getScreenCTM();
      if (!ctm) return;
      const total = path.getTotalLength();
      for (let l = 16; l < total - 16; l += 4) {
        const p = path.getPointAtLength(l).matrixTransform(ctm);
        if (cards.some((r) => p.x > r.left + 2 && p.x < r.right - 2 && p.y > r.top + 2 && p.y < r.bottom - 2)) {
          bad.push(i);
          return;
        }
      }
    });
    return bad;
  });
}
