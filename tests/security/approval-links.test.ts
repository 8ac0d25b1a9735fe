/**
 * Signed approval links from e-mails: they decide only for an active user who still holds the
 * task, and their tokens never reach the request log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let log = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  server = await startTestServer({ logLevel: 'info', logStream: sink });
  tenant = await createTestTenant(server, { prefix: 'seclink' });
  const r = await tenant.api.put('/api/meta/objects/memo', {
    title: 'Memo',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
    required: ['name'],
  });
  expect(r.status, r.text).toBe(200);
  const wf = await tenant.api.put('/api/meta/workflows/memo_review', {
    object: 'memo',
    label: 'Memo review',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'review',
        type: 'approval',
        position: { x: 0, y: 100 },
        data: { label: 'Review', approvers: [{ field: 'reviewer' }], mode: 'any' },
      },
      { id: 'yes', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
      { id: 'no', type: 'end', position: { x: 200, y: 200 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'review' },
      { id: 'e2', source: 'review', target: 'yes', data: { outcome: 'approved' } },
      { id: 'e3', source: 'review', target: 'no', data: { outcome: 'rejected' } },
    ],
  });
  expect(wf.status, wf.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

/** Submits a memo reviewed by `reviewer` and returns the approve link the reviewer was mailed. */
async function submitFor(reviewer: string, name: string): Promise<{ id: string; instance: string; link: string }> {
  const created = await tenant.api.post('/api/records/memo', { name, reviewer });
  expect(created.status, created.text).toBe(201);
  const submitted = await tenant.api.post(`/api/records/memo/${created.body.id}/submit`, {});
  expect(submitted.status, submitted.text).toBe(201);
  const mails = await server.runtime.db
    .withSchema(`t_${tenant.id}`)
    .from('_email_outbox')
    .where('body', 'like', `%${name}%`)
    .select('body');
  expect(mails).toHaveLength(1);
  const link = /Approve: \S*\/api\/approvals\/links\/(\S+)/.exec(mails[0].body)?.[1];
  expect(link).toBeTruthy();
  return { id: created.body.id, instance: submitted.body.instance.id, link: link as string };
}

async function statusOf(id: string) {
  return (await tenant.api.get(`/api/records/memo/${id}`)).body.approval_status;
}

describe('signed approval links', { timeout: 60_000 }, () => {
  it('stop deciding once the approver is deactivated', async () => {
    const reviewer = await tenant.addUser({ roles: [] });
    const memo = await submitFor(reviewer.id, 'Memo for a leaver');
    expect((await tenant.api.delete(`/api/users/${reviewer.id}`)).status).toBe(200);
    expect((await server.anon.get(`/api/approvals/links/${memo.link}`)).status).toBe(404);
    expect((await server.anon.post(`/api/approvals/links/${memo.link}`, {})).status).toBe(404);
    expect(await statusOf(memo.id)).toBe('pending');
    // Deactivating handed the open task on (docs/workflows.md): reactivated, the old link decides
    // nothing — the task is no longer theirs — and the approval still waits, for its new approver.
    expect((await tenant.api.patch(`/api/users/${reviewer.id}`, { active: true })).status).toBe(200);
    const used = await server.anon.post(`/api/approvals/links/${memo.link}`, {});
    expect(used.status, used.text).toBe(409);
    expect(used.body.error.details.status).toBe('escalated');
    expect(await statusOf(memo.id)).toBe('pending');
  });

  it('stop deciding once the task was delegated to someone else', async () => {
    const reviewer = await tenant.addUser({ roles: [] });
    const deputy = await tenant.addUser({ roles: [] });
    const memo = await submitFor(reviewer.id, 'Memo handed on');
    const inbox = await reviewer.api.get('/api/approvals/inbox');
    const task = inbox.body.items.find((i: { record: string }) => i.record === memo.id)?.task;
    expect(task).toBeTruthy();
    expect((await reviewer.api.post(`/api/approvals/tasks/${task}/delegate`, { to: deputy.id })).status).toBe(200);
    const r = await server.anon.post(`/api/approvals/links/${memo.link}`, {});
    expect([404, 409], r.text).toContain(r.status);
    expect(await statusOf(memo.id)).toBe('pending');
  });

  it('keep their tokens out of the request log', async () => {
    const reviewer = await tenant.addUser({ roles: [] });
    const memo = await submitFor(reviewer.id, 'Memo with a logged link');
    const before = log.length;
    expect((await server.anon.get(`/api/approvals/links/${memo.link}`)).status).toBe(200);
    expect((await server.anon.post(`/api/approvals/links/${memo.link}`, {})).status).toBe(200);
    expect((await server.anon.post(`/api/approvals/links/${memo.link}`, {})).status).toBe(409);
    expect((await server.anon.get(`/api/approvals/links/${memo.link}x`)).status).toBe(404);
    // Wait for the log lines of the requests above, then look at everything written since.
    await expect.poll(() => log.slice(before).match(/request completed/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    const written = log.slice(before);
    expect(written).toContain('/api/approvals/links/');
    const signature = memo.link.split('.').slice(1).join('.');
    expect(written).not.toContain(signature);
    expect(written).not.toContain(memo.link.split('.')[1]);
    // Session tokens (Authorization header, cookie) are kept out as well.
    const token = reviewer.api.token as string;
    await reviewer.api.get('/api/auth/me', { headers: { cookie: `forma_session=${token}` } });
    await expect.poll(() => log.includes('/api/auth/me')).toBe(true);
    expect(log).not.toContain(token.split('.')[1]);
  });
});
