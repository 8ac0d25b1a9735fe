import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, putMeta, screenshot, seedSalesModel, signIn, startE2eApp } from './support';

type User = Awaited<ReturnType<E2eApp['tenant']['addUser']>>;

/** One manager step for deals over 1,000; approval marks the deal won. */
const DEAL_APPROVAL = {
  object: 'deal',
  label: 'Deal approval',
  trigger: { on: 'submit', condition: 'record.amount > 1000' },
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'mgr',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: { label: 'Manager review', approvers: [{ managerOf: 'submitter' }], mode: 'any' },
    },
    { id: 'won', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved', set: { stage: 'won' } } },
    { id: 'no', type: 'end', position: { x: 200, y: 200 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'won', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'no', data: { outcome: 'rejected' } },
  ],
};

let app: E2eApp;
let manager: User;
let rep: User;
let colleague: User;

async function repDeal(name: string, amount: number): Promise<string> {
  const r = await rep.api.post('/api/records/deal', { name, amount });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

beforeAll(async () => {
  app = await startE2eApp({ prefix: 'e2eappr' });
  await seedSalesModel(app.tenant);
  const own = { create: true, read: 'own', update: 'own', delete: false };
  await putMeta(app.tenant, '/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: own, account: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/roles/sales_manager', {
    label: 'Manager',
    objects: { deal: { read: 'subordinates', update: 'subordinates' }, account: { read: 'all' } },
  });
  await putMeta(app.tenant, '/api/meta/workflows/deal_approval', DEAL_APPROVAL);
  manager = await app.tenant.addUser({ roles: ['sales_manager'], name: 'Mia Manager' });
  colleague = await app.tenant.addUser({ roles: ['sales_manager'], name: 'Carl Colleague' });
  rep = await app.tenant.addUser({ roles: ['sales_rep'], name: 'Rob Rep', manager: manager.id });
});
afterAll(async () => {
  await app?.close();
});

const creds = (u: User) => ({ tenant: app.tenant.id, email: u.email, password: u.password });

describe('approvals in the browser', { timeout: 120_000 }, () => {
  it('a rep submits a deal; the manager approves it from the inbox; the rep sees it approved', async () => {
    const dealId = await repDeal('Northwind expansion', 48_000);
    const asRep = await app.newPage();
    await signIn(asRep.page, creds(rep));
    await asRep.page.goto(`/o/deal/${dealId}`);
    await asRep.page.getByRole('heading', { name: 'Northwind expansion', level: 1 }).waitFor();
    await asRep.page.getByRole('tab', { name: 'Approvals' }).click();
    await asRep.page.getByText('This record has not been submitted for approval.').waitFor();
    await asRep.page.getByRole('button', { name: 'Submit for approval' }).click();
    const submit = asRep.page.getByRole('dialog', { name: 'Submit for approval' });
    await submit.getByRole('textbox').fill('Big one, please have a look');
    await submit.getByRole('button', { name: 'Submit for approval' }).click();
    await asRep.page.getByText('Submitted for approval.').first().waitFor();
    // Pending: locked against edits, and the panel shows where it stands.
    await asRep.page.getByText('Pending approval').first().waitFor();
    await asRep.page.getByRole('tab', { name: 'Details' }).click();
    await asRep.page.getByText('Waiting for approval').waitFor();
    expect(await asRep.page.getByRole('button', { name: 'Edit all fields' }).isDisabled()).toBe(true);
    // Nothing reads as editable in place either.
    expect(await asRep.page.getByRole('button', { name: /^Edit / }).count()).toBe(1);
    await screenshot(asRep.page, 'record-pending-approval');

    const asManager = await app.newPage();
    await signIn(asManager.page, creds(manager));
    // The bell counts the waiting approval and leads to the inbox.
    await asManager.page.getByTestId('bell-count').waitFor();
    await asManager.page.getByRole('button', { name: /^Notifications/ }).click();
    await screenshot(asManager.page, 'notifications-bell', { fullPage: false });
    await asManager.page.getByRole('dialog').getByRole('link', { name: '1 approval waiting for you' }).click();
    await asManager.page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await asManager.page.getByRole('link', { name: 'Northwind expansion' }).waitFor();
    await asManager.page.getByText(/Manager review/).waitFor();
    await screenshot(asManager.page, 'approvals-inbox');
    await asManager.page.getByRole('button', { name: 'Approve: Northwind expansion' }).click();
    const approve = asManager.page.getByRole('dialog', { name: 'Approve this request' });
    await approve.getByRole('textbox').fill('Go ahead');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await asManager.page.getByText('Nothing waiting for you').waitFor();
    await screenshot(asManager.page, 'approvals-inbox-empty');

    await asRep.page.reload();
    await asRep.page.getByText('Approved').first().waitFor();
    // The read view's stage path marks the stage the approval set.
    await asRep.page.getByRole('button', { name: 'Won (current stage)' }).waitFor();
    await asRep.page.getByRole('tab', { name: 'Approvals' }).click();
    await asRep.page.getByText('Go ahead').waitFor();
    await screenshot(asRep.page, 'record-approved');
    expect([...asRep.errors, ...asManager.errors]).toEqual([]);
  });

  it('rejecting needs a comment; delegating hands the task to a colleague', async () => {
    const rejectId = await repDeal('Initech renewal', 9_000);
    const delegateId = await repDeal('Umbrella pilot', 12_000);
    for (const id of [rejectId, delegateId]) {
      const r = await rep.api.post(`/api/records/deal/${id}/submit`, {});
      expect(r.status, r.text).toBe(201);
    }
    const { page, errors } = await app.newPage({ viewport: { width: 768, height: 1024 } });
    await signIn(page, creds(manager));
    await page.goto('/approvals');
    await page.getByRole('button', { name: 'Reject: Initech renewal' }).click();
    const reject = page.getByRole('dialog', { name: 'Reject this request' });
    await reject.getByRole('button', { name: 'Reject' }).click();
    await reject.getByText('Please say why you reject it.').waitFor();
    await screenshot(page, 'approvals-reject-needs-comment', { fullPage: false });
    await reject.getByRole('textbox').fill('Margin too thin');
    await reject.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('link', { name: 'Initech renewal' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Delegate: Umbrella pilot' }).click();
    const delegate = page.getByRole('dialog', { name: 'Delegate to a colleague' });
    // Non-admins pick colleagues by name: e-mail addresses are for tenant admins.
    await delegate.getByRole('combobox').selectOption({ label: 'Carl Colleague' });
    await delegate.getByRole('button', { name: 'Delegate' }).click();
    await page.getByText('Nothing waiting for you').waitFor();
    const inbox = await colleague.api.get('/api/approvals/inbox');
    expect(inbox.body.items.map((i: { record: string }) => i.record)).toEqual([delegateId]);
    const rejected = await rep.api.get(`/api/records/deal/${rejectId}`);
    expect(rejected.body.approval_status).toBe('rejected');
    expect(errors).toEqual([]);
  });
});
