/**
 * Object-level authorisation of routes that take a record id (issue 18): the record is reached
 * "as this user" — outside their read scope it does not exist (404, exactly as a read answers, also
 * for records in the recycle bin), and an operation on top needs its own right (403). Approvals
 * were the hole: submit, the record's approval history and recall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support';
import { buildWorld, SECRET, type World } from './support/security-world';

let server: TestServer;
let w: World;

const review = (condition: string) => ({
  object: 'deal',
  label: 'Deal review',
  trigger: { on: 'submit', condition },
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'check',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: { label: 'Check', approvers: [{ role: 'manager' }], mode: 'any' },
    },
    { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved', set: { stage: 'won' } } },
    { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'check' },
    { id: 'e2', source: 'check', target: 'ok', data: { outcome: 'approved' } },
    { id: 'e3', source: 'check', target: 'ko', data: { outcome: 'rejected' } },
  ],
});

async function instancesOf(id: string): Promise<Array<{ id: string; status: string }>> {
  const r = await w.tenant.api.get(`/api/records/deal/${id}/approvals`);
  expect(r.status, r.text).toBe(200);
  return r.body.items;
}

async function approvalStatus(id: string): Promise<string> {
  return (await w.tenant.api.get(`/api/records/deal/${id}`)).body.approval_status;
}

beforeAll(async () => {
  server = await startTestServer();
  w = await buildWorld(server, 'guard');
  // The trigger reads the hidden margin (42 on the users' deals, set by the admin).
  const put = await w.tenant.api.put('/api/meta/workflows/deal_review', review('record.margin > 40'));
  expect(put.status, put.text).toBe(200);
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${w.tenant.id}`, { query: { confirm: w.tenant.id } });
  await server?.close();
});

describe('submit for approval', () => {
  it('answers 404 for a record outside the read scope whatever the trigger says, and locks nothing', async () => {
    // mgr's deal meets the trigger (margin 42), the admin's does not (margin 42 too, but see below).
    await w.tenant.api.put('/api/meta/workflows/deal_review', review('record.name.startsWith("Deal of")'));
    const meets = await w.users.rep1.api.post(`/api/records/deal/${w.deals.mgr}/submit`, {});
    const misses = await w.users.rep1.api.post(`/api/records/deal/${w.deals.admin}/submit`, {});
    const unknown = await w.users.rep1.api.post(`/api/records/deal/${crypto.randomUUID()}/submit`, {});
    for (const r of [meets, misses, unknown]) {
      expect(r.status, r.text).toBe(404);
      expect(r.body).toEqual(unknown.body);
    }
    // Naming a workflow changes nothing about that.
    const named = await w.users.rep1.api.post(`/api/records/deal/${w.deals.mgr}/submit`, { workflow: 'nope' });
    expect(named.status).toBe(404);
    expect(await instancesOf(w.deals.mgr)).toEqual([]);
    expect(await approvalStatus(w.deals.mgr)).toBe('none');
    const edit = await w.users.mgr.api.patch(`/api/records/deal/${w.deals.mgr}`, { name: 'Deal of mgr' });
    expect(edit.status, edit.text).toBe(200);
    await w.tenant.api.put('/api/meta/workflows/deal_review', review('record.margin > 40'));
  });

  it('needs update rights: a user who may only read the record gets 403 and locks nothing', async () => {
    // The viewer reads every deal, updates none; rep2 reads the won deal through a sharing rule.
    const viewer = await w.users.viewer.api.post(`/api/records/deal/${w.deals.rep1}/submit`, {});
    expect(viewer.status, viewer.text).toBe(403);
    const shared = await w.users.rep1.api.post(`/api/records/deal/${w.deals.won}/submit`, {});
    expect(shared.status, shared.text).toBe(403);
    expect(await instancesOf(w.deals.rep1)).toEqual([]);
    expect(await approvalStatus(w.deals.won)).toBe('none');
  });

  it('the owner submits; a manager whose team owns it may too', async () => {
    const own = await w.users.rep1.api.post(`/api/records/deal/${w.deals.rep1}/submit`, {});
    expect(own.status, own.text).toBe(201);
    const recall = await w.users.rep1.api.post(`/api/approvals/instances/${own.body.instance.id}/recall`, {});
    expect(recall.status, recall.text).toBe(200);
    const team = await w.users.lead.api.post(`/api/records/deal/${w.deals.rep3}/submit`, {});
    expect(team.status, team.text).toBe(201);
    expect((await w.users.lead.api.post(`/api/approvals/instances/${team.body.instance.id}/recall`, {})).status).toBe(
      200,
    );
  });
});

describe("a record's approvals", () => {
  let instance: string;
  beforeAll(async () => {
    const s = await w.users.rep2.api.post(`/api/records/deal/${w.deals.rep2}/submit`, { comment: `note ${SECRET}` });
    expect(s.status, s.text).toBe(201);
    instance = s.body.instance.id;
  });

  it('answer 404 to users who may not read the record, even with read on the object', async () => {
    for (const u of ['rep1', 'rep3', 'outsider'] as const) {
      const r = await w.users[u].api.get(`/api/records/deal/${w.deals.rep2}/approvals`);
      expect(r.status, `${u}: ${r.text}`).toBe(404);
      expect(r.text).not.toContain(SECRET);
      const none = await w.users[u].api.get(`/api/records/deal/${crypto.randomUUID()}/approvals`);
      expect(r.body).toEqual(none.body);
    }
    for (const u of ['rep2', 'mgr', 'viewer'] as const) {
      const r = await w.users[u].api.get(`/api/records/deal/${w.deals.rep2}/approvals`);
      expect(r.status, `${u}: ${r.text}`).toBe(200);
      expect(r.body.items[0].id).toBe(instance);
    }
  });

  it('answer 404 for a record in the recycle bin, as a read does', async () => {
    const s = await w.users.mgr.api.post(`/api/records/deal/${w.deals.mgr}/submit`, {});
    expect(s.status, s.text).toBe(201);
    expect((await w.users.mgr.api.post(`/api/approvals/instances/${s.body.instance.id}/recall`, {})).status).toBe(200);
    expect((await w.users.mgr.api.delete(`/api/records/deal/${w.deals.mgr}`)).status).toBe(204);
    try {
      for (const api of [w.users.mgr.api, w.users.director.api, w.tenant.api]) {
        expect((await api.get(`/api/records/deal/${w.deals.mgr}`)).status).toBe(404);
        expect((await api.get(`/api/records/deal/${w.deals.mgr}/approvals`)).status).toBe(404);
      }
    } finally {
      expect((await w.tenant.api.post(`/api/records/deal/${w.deals.mgr}/restore`)).status).toBe(200);
    }
  });

  it('recall: a submitter who may no longer read the record cannot reach it through the instance', async () => {
    const s = await w.users.rep3.api.post(`/api/records/deal/${w.deals.rep3}/submit`, {});
    expect(s.status, s.text).toBe(201);
    const id = s.body.instance.id;
    // The record moves to rep1 (the admin may, through the approval lock).
    const moved = await w.tenant.api.patch(
      `/api/records/deal/${w.deals.rep3}`,
      { owner: w.users.rep1.id },
      {
        query: { override: 'true' },
      },
    );
    expect(moved.status, moved.text).toBe(200);
    try {
      expect((await w.users.rep3.api.get(`/api/records/deal/${w.deals.rep3}`)).status).toBe(404);
      const r = await w.users.rep3.api.post(`/api/approvals/instances/${id}/recall`, {});
      expect(r.status, r.text).toBe(404);
      expect(await approvalStatus(w.deals.rep3)).toBe('pending');
      expect((await w.tenant.api.post(`/api/approvals/instances/${id}/recall`, {})).status).toBe(200);
    } finally {
      await w.tenant.api.patch(`/api/records/deal/${w.deals.rep3}`, { owner: w.users.rep3.id });
    }
  });
});

describe('files of a record', () => {
  it('attaching and deleting need the update scope (403 for readers), reading the read scope (404)', async () => {
    const up = await w.users.rep1.api.request('POST', `/api/records/deal/${w.deals.rep1}/files`, {
      raw: 'hello',
      headers: { 'content-type': 'text/plain' },
      query: { name: 'note.txt' },
    });
    expect(up.status, up.text).toBe(201);
    const file = up.body.id;
    const viewerUp = await w.users.viewer.api.request('POST', `/api/records/deal/${w.deals.rep1}/files`, {
      raw: 'x',
      headers: { 'content-type': 'text/plain' },
      query: { name: 'x.txt' },
    });
    expect(viewerUp.status).toBe(403);
    expect((await w.users.viewer.api.delete(`/api/records/deal/${w.deals.rep1}/files/${file}`)).status).toBe(403);
    expect((await w.users.viewer.api.get(`/api/records/deal/${w.deals.rep1}/files/${file}`)).status).toBe(200);
    for (const path of ['files', `files/${file}`])
      expect((await w.users.rep2.api.get(`/api/records/deal/${w.deals.rep1}/${path}`)).status).toBe(404);
    expect((await w.users.rep2.api.delete(`/api/records/deal/${w.deals.rep1}/files/${file}`)).status).toBe(404);
  });
});

describe('the explainer', () => {
  it('agrees with enforcement when a sharing rule follows a lookup into an object the user may not read', async () => {
    const role = await w.tenant.api.put('/api/meta/roles/acme_fan', {
      objects: { deal: { read: false } },
      sharing: [{ object: 'deal', filter: { 'account.name': { eq: 'Acme' } }, access: 'read' }],
    });
    expect(role.status, role.text).toBe(200);
    const fan = await w.tenant.addUser({ roles: ['acme_fan'], name: 'Fan' });
    // rep1's deal links to Acme, but the fan may not read accounts: the rule's hop matches nothing.
    expect((await fan.api.get(`/api/records/deal/${w.deals.rep1}`)).status).toBe(404);
    expect((await fan.api.get(`/api/records/deal/${w.deals.rep1}/access`)).status).toBe(404);
    const why = await w.tenant.api.get(`/api/records/deal/${w.deals.rep1}/access`, { query: { user: fan.id } });
    expect(why.status, why.text).toBe(200);
    expect(why.body.read).toMatchObject({ allowed: false, reasons: [] });
  });
});
