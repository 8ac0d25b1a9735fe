import { ManualClock } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Approvals that hold (issue 23): what happens to a record after its final approval
 * (`afterApproval`: lock / reapprove / none), and approvals that never go to nobody (`fallbackRole`,
 * then the admins), said in the approval trail.
 */

const at = (y: number) => ({ x: 0, y });

/** One approval step by the submitter's manager; `extra` adds afterApproval / fallbackRole / escalation. */
function oneStep(object: string, extra: Record<string, unknown> = {}, escalation?: Record<string, unknown>) {
  return {
    object,
    label: `${object} approval`,
    trigger: { on: 'submit' },
    ...extra,
    nodes: [
      { id: 'start', type: 'start', position: at(0), data: {} },
      {
        id: 'mgr',
        type: 'approval',
        position: at(100),
        data: {
          label: 'Manager',
          approvers: [{ managerOf: 'submitter' }],
          mode: 'any',
          ...(escalation ? { escalation } : {}),
        },
      },
      { id: 'ok', type: 'end', position: at(200), data: { outcome: 'approved' } },
      { id: 'ko', type: 'end', position: at(200), data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'mgr' },
      { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
    ],
  };
}

type User = { id: string; api: ApiClient };

let server: TestServer;
let tenant: TestTenant;
const clock = new ManualClock('2026-05-04T09:00:00Z');
let boss: User;
let manager: User;
let rep: User;
let loner: User;
let director: User;

async function taskOf(user: User, recordId: string): Promise<string> {
  const r = await user.api.get('/api/approvals/inbox');
  expect(r.status, r.text).toBe(200);
  const item = r.body.items.find((i: { record: string }) => i.record === recordId);
  expect(item, `no task for ${recordId}`).toBeTruthy();
  return item.task;
}

/** Creates a record as `who`, submits it and has the manager approve it. */
async function approved(object: string, body: Record<string, unknown>, who: User = rep, approver: User = manager) {
  const created = await who.api.post(`/api/records/${object}`, body);
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  const s = await who.api.post(`/api/records/${object}/${id}/submit`, {});
  expect(s.status, s.text).toBe(201);
  const a = await approver.api.post(`/api/approvals/tasks/${await taskOf(approver, id)}/approve`, {});
  expect(a.status, a.text).toBe(200);
  const rec = await who.api.get(`/api/records/${object}/${id}`);
  expect(rec.body.approval_status).toBe('approved');
  return rec.body as Record<string, unknown> & { id: string; version: number };
}

const instancesOf = async (object: string, id: string) =>
  (await tenant.api.get(`/api/records/${object}/${id}/approvals`)).body.items as Array<{
    status: string;
    history: Array<{ action: string; comment?: string; data?: Record<string, unknown> }>;
  }>;

beforeAll(async () => {
  server = await startTestServer({ clock });
  tenant = await createTestTenant(server, { prefix: 'apafter' });
  const apply = await tenant.api.post('/api/meta/apply', {
    objects: {
      offer: {
        title: 'Offer',
        type: 'object',
        'x-label-field': 'name',
        properties: {
          name: { type: 'string', maxLength: 100 },
          note: { type: 'string', maxLength: 500 },
          discount: { type: 'number', minimum: 0, maximum: 100 },
          lines: { type: 'array', 'x-children': { object: 'offer_line', field: 'offer' } },
          subtotal: { type: 'number', 'x-rollup': { children: 'lines', op: 'sum', field: 'amount' } },
          total: { type: 'number', 'x-formula': '(record.subtotal || 0) * (1 - (record.discount || 0) / 100)' },
        },
        required: ['name'],
      },
      offer_line: {
        title: 'Offer line',
        type: 'object',
        properties: {
          offer: { type: 'string', format: 'uuid', 'x-ref': 'offer' },
          product: { type: 'string', maxLength: 100 },
          amount: { type: 'number', minimum: 0 },
        },
        required: ['offer', 'product', 'amount'],
      },
      agreement: {
        title: 'Agreement',
        type: 'object',
        'x-label-field': 'name',
        properties: { name: { type: 'string', maxLength: 100 }, value: { type: 'number' } },
        required: ['name'],
      },
      memo: {
        title: 'Memo',
        type: 'object',
        properties: { name: { type: 'string', maxLength: 100 } },
      },
    },
    roles: {
      rep: {
        label: 'Rep',
        objects: {
          offer: { create: true, read: 'own', update: 'own', delete: 'own' },
          offer_line: { create: true, read: 'all', update: 'all', delete: 'all' },
          agreement: { create: true, read: 'own', update: 'own', delete: 'own' },
          memo: { create: true, read: 'own', update: 'own', delete: 'own' },
        },
      },
      manager: { label: 'Sales manager', objects: { offer: { read: 'subordinates' } } },
      director: { label: 'Director', objects: { memo: { read: 'all' } } },
    },
  });
  expect(apply.status, apply.text).toBe(200);
  boss = await tenant.addUser({ roles: ['manager'], name: 'Bea Boss' });
  manager = await tenant.addUser({ roles: ['manager'], name: 'Mia Manager', manager: boss.id });
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rob Rep', manager: manager.id });
  loner = await tenant.addUser({ roles: ['rep'], name: 'Lou Loner' });
  director = await tenant.addUser({ roles: ['director'], name: 'Dee Director' });
  const put = async (name: string, body: unknown) => {
    const r = await tenant.api.put(`/api/meta/workflows/${name}`, body);
    expect(r.status, r.text).toBe(200);
  };
  await put(
    'offer_approval',
    oneStep('offer', { afterApproval: { mode: 'reapprove', fields: ['discount', 'lines', 'total'] } }),
  );
  await put('agreement_approval', oneStep('agreement', { afterApproval: { mode: 'lock' } }));
  await put('memo_approval', oneStep('memo', { fallbackRole: 'director' }, { after: 'PT4H', to: { user: boss.id } }));
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('afterApproval in the definition', () => {
  const refused = async (extra: Record<string, unknown>) => {
    const r = await tenant.api.put('/api/meta/workflows/bad', oneStep('offer', extra));
    expect(r.status, r.text).toBe(400);
    return JSON.stringify(r.body.error.details);
  };

  it('refuses reapprove without fields, unknown fields, fields with lock, an unknown mode or fallback role', async () => {
    expect(await refused({ afterApproval: { mode: 'reapprove' } })).toContain('needs the fields');
    expect(await refused({ afterApproval: { mode: 'reapprove', fields: ['ghost'] } })).toContain(
      String.raw`unknown field \"ghost\"`,
    );
    expect(await refused({ afterApproval: { mode: 'lock', fields: ['discount'] } })).toContain('only used with');
    await refused({ afterApproval: { mode: 'freeze' } });
    expect(await refused({ fallbackRole: 'nobody_role' })).toContain(String.raw`unknown role \"nobody_role\"`);
  });
});

describe('lock', () => {
  it('refuses edits and deletes of an approved record with 409 RECORD_LOCKED, admins included', async () => {
    const a = await approved('agreement', { name: 'Supply 2026', value: 1000 });
    const edit = await rep.api.patch(`/api/records/agreement/${a.id}`, { value: 5000 });
    expect(edit.status, edit.text).toBe(409);
    expect(edit.body.error.code).toBe('RECORD_LOCKED');
    expect(edit.body.error.message).toMatch(/approved.*locked.*unlock/);
    const del = await rep.api.delete(`/api/records/agreement/${a.id}`);
    expect(del.status).toBe(409);
    // The pending lock's override does not pass an approval's lock: unlocking needs a reason.
    const override = await tenant.api.patch(`/api/records/agreement/${a.id}?override=true`, { value: 5000 });
    expect(override.status, override.text).toBe(409);
    expect((await rep.api.get(`/api/records/agreement/${a.id}`)).body.value).toBe(1000);
  });

  it('two edits racing on a locked record are both refused and change nothing', async () => {
    const a = await approved('agreement', { name: 'Race', value: 10 });
    const [x, y] = await Promise.all([
      rep.api.patch(`/api/records/agreement/${a.id}`, { value: 11 }),
      tenant.api.patch(`/api/records/agreement/${a.id}`, { value: 12 }),
    ]);
    expect([x.status, y.status]).toEqual([409, 409]);
    const now = (await rep.api.get(`/api/records/agreement/${a.id}`)).body;
    expect(now).toMatchObject({ value: 10, version: a.version, approval_status: 'approved' });
  });

  it('an admin unlocks it with a reason, which is in the history and the trail; then it is editable', async () => {
    const a = await approved('agreement', { name: 'Unlock me', value: 20 });
    const url = `/api/records/agreement/${a.id}/unlock`;
    expect((await rep.api.post(url, { reason: 'typo' })).status).toBe(403);
    const noReason = await tenant.api.post(url, { reason: '   ' });
    expect(noReason.status, noReason.text).toBe(400);
    expect(noReason.body.error.fields.reason).toBeTruthy();
    expect((await tenant.api.post(url, {})).status).toBe(400);
    const ok = await tenant.api.post(url, { reason: 'Customer asked to fix the billing address' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.approval_status).toBe('none');
    // Not locked any more: a second unlock is a conflict, and the rep may edit.
    expect((await tenant.api.post(url, { reason: 'again' })).status).toBe(409);
    const edit = await rep.api.patch(`/api/records/agreement/${a.id}`, { value: 21 });
    expect(edit.status, edit.text).toBe(200);

    const history = (await tenant.api.get(`/api/records/agreement/${a.id}/history`)).body.items as Array<{
      changes: Record<string, unknown>;
      cause?: { text: string; ref?: Record<string, unknown> };
    }>;
    const unlock = history.find((h) => h.cause?.ref?.unlock);
    expect(unlock?.changes.approval_status).toEqual(['approved', 'none']);
    expect(unlock?.cause?.text).toContain('Customer asked to fix the billing address');
    const [inst] = await instancesOf('agreement', a.id);
    expect(inst?.history.find((e) => e.action === 'unlocked')?.comment).toBe(
      'Customer asked to fix the billing address',
    );
    // Submitted and approved again, it is locked again.
    const s = await rep.api.post(`/api/records/agreement/${a.id}/submit`, {});
    expect(s.status, s.text).toBe(201);
    await manager.api.post(`/api/approvals/tasks/${await taskOf(manager, a.id)}/approve`, {});
    expect((await rep.api.patch(`/api/records/agreement/${a.id}`, { value: 22 })).status).toBe(409);
  });

  it('the approvals answer says up front that the record is locked, and who may unlock it', async () => {
    const draft = await rep.api.post('/api/records/agreement', { name: 'Not yet approved' });
    const before = await rep.api.get(`/api/records/agreement/${draft.body.id}/approvals`);
    expect(before.status, before.text).toBe(200);
    expect(before.body.lock).toEqual({ locked: false });
    expect(before.body.submit.available).toBe(true);

    const a = await approved('agreement', { name: 'Locked up front', value: 30 });
    const url = `/api/records/agreement/${a.id}/approvals`;
    const asRep = await rep.api.get(url);
    expect(asRep.body.lock).toEqual({ locked: true, workflow: 'agreement_approval', canUnlock: false });
    expect(asRep.body.items.length).toBe(1);
    expect((await tenant.api.get(url)).body.lock).toEqual({
      locked: true,
      workflow: 'agreement_approval',
      canUnlock: true,
    });
    // A reapprove hold is not a lock: the record stays editable.
    const o = await approved('offer', { name: 'Reapprove is not a lock', discount: 5 });
    expect((await rep.api.get(`/api/records/offer/${o.id}/approvals`)).body.lock).toEqual({ locked: false });
    // Unlocked, it is not locked any more; a record the caller may not read is 404, not an answer.
    expect((await tenant.api.post(`/api/records/agreement/${a.id}/unlock`, { reason: 'Fix' })).status).toBe(200);
    expect((await rep.api.get(url)).body.lock).toEqual({ locked: false });
    expect((await loner.api.get(url)).status).toBe(404);
  });

  it('unlocking a record that is not locked is a conflict; an unknown record is 404', async () => {
    const created = await rep.api.post('/api/records/agreement', { name: 'Draft' });
    expect((await tenant.api.post(`/api/records/agreement/${created.body.id}/unlock`, { reason: 'x' })).status).toBe(
      409,
    );
    const ghost = '00000000-0000-4000-8000-000000000000';
    expect((await tenant.api.post(`/api/records/agreement/${ghost}/unlock`, { reason: 'x' })).status).toBe(404);
  });
});

describe('reapprove', () => {
  const offer = { name: 'Offer', discount: 20, lines: [{ product: 'Pump', amount: 1000 }] };

  it('a change to a listed field sends it back: pending, a new instance, the reason in the trail', async () => {
    const o = await approved('offer', offer);
    const edit = await rep.api.patch(`/api/records/offer/${o.id}`, { discount: 45 });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body.approval_status).toBe('pending');
    const instances = await instancesOf('offer', o.id);
    expect(instances.map((i) => i.status).sort()).toEqual(['approved', 'pending']);
    const submitted = instances.find((i) => i.status === 'pending')?.history.find((e) => e.action === 'submitted');
    expect(submitted?.data?.reapproval).toMatchObject({ fields: expect.arrayContaining(['discount']) });
    expect(submitted?.comment).toContain('discount');
    // The manager has a new task; while pending the offer is locked as any pending record.
    await taskOf(manager, o.id);
    expect((await rep.api.patch(`/api/records/offer/${o.id}`, { note: 'x' })).status).toBe(409);
  });

  it('a change to an unlisted field leaves it approved', async () => {
    const o = await approved('offer', offer);
    const edit = await rep.api.patch(`/api/records/offer/${o.id}`, { note: 'Call before delivery' });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body.approval_status).toBe('approved');
    expect((await instancesOf('offer', o.id)).map((i) => i.status)).toEqual(['approved']);
  });

  it('a change to the lines, with the offer or one line on its own, sends it back', async () => {
    const o = await approved('offer', offer);
    const lines = (await rep.api.get(`/api/records/offer/${o.id}`)).body.lines as Array<{ id: string }>;
    // The same lines again change nothing.
    const same = await rep.api.patch(`/api/records/offer/${o.id}`, {
      lines: [{ id: lines[0]?.id, product: 'Pump', amount: 1000 }],
    });
    expect(same.status, same.text).toBe(200);
    expect(same.body.approval_status).toBe('approved');
    const line = await rep.api.patch(`/api/records/offer_line/${lines[0]?.id}`, { amount: 1500 });
    expect(line.status, line.text).toBe(200);
    const now = (await rep.api.get(`/api/records/offer/${o.id}`)).body;
    expect(now).toMatchObject({ approval_status: 'pending', subtotal: 1500 });
    expect((await instancesOf('offer', o.id)).map((i) => i.status).sort()).toEqual(['approved', 'pending']);

    const o2 = await approved('offer', offer);
    const withLines = await rep.api.patch(`/api/records/offer/${o2.id}`, {
      discount: 30,
      lines: [{ product: 'Valve', amount: 10 }],
    });
    expect(withLines.status, withLines.text).toBe(200);
    expect(withLines.body.approval_status).toBe('pending');
    // One save, one new instance.
    expect((await instancesOf('offer', o2.id)).map((i) => i.status).sort()).toEqual(['approved', 'pending']);
  });

  it('two edits racing on an approved offer start one new approval; the later edit is refused or queued behind it', async () => {
    const o = await approved('offer', offer);
    const [x, y] = await Promise.all([
      rep.api.patch(`/api/records/offer/${o.id}`, { discount: 30 }),
      rep.api.patch(`/api/records/offer/${o.id}`, { discount: 35 }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const loser = x.status === 409 ? x : y;
    expect(loser.body.error.code).toBe('RECORD_LOCKED');
    expect((await instancesOf('offer', o.id)).map((i) => i.status).sort()).toEqual(['approved', 'pending']);
  });

  it('the workflow engine writing the record (a recall, a new decision) is not an edit', async () => {
    const o = await approved('offer', offer);
    await rep.api.patch(`/api/records/offer/${o.id}`, { discount: 50 });
    const task = await taskOf(manager, o.id);
    const a = await manager.api.post(`/api/approvals/tasks/${task}/approve`, {});
    expect(a.status, a.text).toBe(200);
    const now = (await rep.api.get(`/api/records/offer/${o.id}`)).body;
    expect(now).toMatchObject({ approval_status: 'approved', discount: 50 });
    expect((await instancesOf('offer', o.id)).map((i) => i.status)).toEqual(['approved', 'approved']);
  });
});

describe('approvals never go to nobody', () => {
  it('a submitter without a manager: the step goes to the fallback role, and the trail says so', async () => {
    const m = await loner.api.post('/api/records/memo', { name: 'No manager' });
    const s = await loner.api.post(`/api/records/memo/${m.body.id}/submit`, {});
    expect(s.status, s.text).toBe(201);
    // The escalation target (the boss) comes before the fallback role: it is someone.
    await taskOf(boss as User, m.body.id);
    const [inst] = await instancesOf('memo', m.body.id);
    const esc = inst?.history.find((e) => e.action === 'escalated');
    expect(esc?.data).toMatchObject({ reason: 'no approver', fallback: 'escalation', to: [boss.id] });
  });

  it('no manager and no escalation target: the fallback role, then the admins', async () => {
    const put = async (extra: Record<string, unknown>) => {
      const r = await tenant.api.put('/api/meta/workflows/memo_approval', oneStep('memo', extra));
      expect(r.status, r.text).toBe(200);
    };
    await put({ fallbackRole: 'director' });
    const m = await loner.api.post('/api/records/memo', { name: 'To the directors' });
    expect((await loner.api.post(`/api/records/memo/${m.body.id}/submit`, {})).status).toBe(201);
    await taskOf(director, m.body.id);
    const [inst] = await instancesOf('memo', m.body.id);
    expect(inst?.history.find((e) => e.action === 'escalated')?.data).toMatchObject({
      fallback: 'role',
      role: 'director',
      roleLabel: 'Director',
      to: [director.id],
    });

    await put({});
    const m2 = await loner.api.post('/api/records/memo', { name: 'To the admins' });
    expect((await loner.api.post(`/api/records/memo/${m2.body.id}/submit`, {})).status).toBe(201);
    await taskOf({ id: tenant.admin.id, api: tenant.api }, m2.body.id);
    const [inst2] = await instancesOf('memo', m2.body.id);
    expect(inst2?.history.find((e) => e.action === 'escalated')?.data).toMatchObject({
      fallback: 'admins',
      to: [tenant.admin.id],
    });
  });

  it("a deactivated approver's open task goes to their manager, then the admins; the trail says so", async () => {
    const mgr = await tenant.addUser({ roles: ['manager'], name: 'Max Leaving', manager: boss.id });
    const seller = await tenant.addUser({ roles: ['rep'], name: 'Sam Seller', manager: mgr.id });
    const a = await seller.api.post('/api/records/agreement', { name: 'Handover', value: 5 });
    expect((await seller.api.post(`/api/records/agreement/${a.body.id}/submit`, {})).status).toBe(201);
    const old = await taskOf(mgr, a.body.id);
    // An approval decided earlier by the same person stays as it was.
    const done = await seller.api.post('/api/records/agreement', { name: 'Decided before', value: 6 });
    await seller.api.post(`/api/records/agreement/${done.body.id}/submit`, {});
    await mgr.api.post(`/api/approvals/tasks/${await taskOf(mgr, done.body.id)}/approve`, {});

    // Only admins deactivate users.
    expect((await seller.api.delete(`/api/users/${mgr.id}`)).status).toBe(403);
    const off = await tenant.api.delete(`/api/users/${mgr.id}`);
    expect(off.status, off.text).toBeLessThan(300);
    const task = await taskOf(boss, a.body.id);
    expect(task).not.toBe(old);
    const [inst] = await instancesOf('agreement', a.body.id);
    const moved = inst?.history.find((e) => e.action === 'escalated');
    expect(moved?.data).toMatchObject({ reason: 'deactivated', from: mgr.id, to: [boss.id], fallback: 'manager' });
    expect(moved?.comment).toBe('Max Leaving was deactivated');
    expect((await boss.api.post(`/api/approvals/tasks/${task}/approve`, {})).status).toBe(200);
    expect((await seller.api.get(`/api/records/agreement/${a.body.id}`)).body.approval_status).toBe('approved');
    const [kept] = await instancesOf('agreement', done.body.id);
    expect(kept?.status).toBe('approved');
    expect(kept?.history.some((e) => e.action === 'escalated')).toBe(false);

    // No manager and no fallback role on the workflow: the admins.
    const solo = await tenant.addUser({ roles: ['manager'], name: 'Sol Solo' });
    const rep2 = await tenant.addUser({ roles: ['rep'], name: 'Ria Rep', manager: solo.id });
    const b = await rep2.api.post('/api/records/agreement', { name: 'To the admins', value: 7 });
    expect((await rep2.api.post(`/api/records/agreement/${b.body.id}/submit`, {})).status).toBe(201);
    await taskOf(solo, b.body.id);
    expect((await tenant.api.patch(`/api/users/${solo.id}`, { active: false })).status).toBe(200);
    await taskOf({ id: tenant.admin.id, api: tenant.api }, b.body.id);
    const [inst2] = await instancesOf('agreement', b.body.id);
    expect(inst2?.history.find((e) => e.action === 'escalated')?.data).toMatchObject({
      reason: 'deactivated',
      from: solo.id,
      fallback: 'admins',
      to: [tenant.admin.id],
    });
    // Deactivated again (already inactive) or re-activated: nothing moves twice.
    expect((await tenant.api.patch(`/api/users/${solo.id}`, { active: true })).status).toBe(200);
    const [again] = await instancesOf('agreement', b.body.id);
    expect(again?.history.filter((e) => e.action === 'escalated')).toHaveLength(1);
  });

  it('an escalation at the deadline whose target is nobody goes to the fallback role', async () => {
    // The rep's manager gets the task; at the deadline it goes to the manager of the submitter's
    // manager… which is not an approver form, so: a user field left empty, then the role.
    const wf = oneStep('memo', { fallbackRole: 'director' }, { after: 'PT4H', to: { field: 'reviewer' } });
    await tenant.api.put('/api/meta/objects/memo', {
      title: 'Memo',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 100 },
        reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
      },
    });
    const r = await tenant.api.put('/api/meta/workflows/memo_approval', wf);
    expect(r.status, r.text).toBe(200);
    const m = await rep.api.post('/api/records/memo', { name: 'Late' });
    expect((await rep.api.post(`/api/records/memo/${m.body.id}/submit`, {})).status).toBe(201);
    await taskOf(manager, m.body.id);
    clock.advance(5 * 3_600_000);
    const report = await server.runtime.workflows.escalateDue(clock.now(), tenant.id);
    expect(report.escalated).toBeGreaterThanOrEqual(1);
    await taskOf(director, m.body.id);
    const [inst] = await instancesOf('memo', m.body.id);
    expect(inst?.history.find((e) => e.action === 'escalated' && e.data?.reason === 'deadline')?.data).toMatchObject({
      fallback: 'role',
      role: 'director',
      to: [director.id],
    });
  });
});
