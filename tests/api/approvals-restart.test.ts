import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@forma/platform';
import { connectDb, type Db } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ApiClient } from '../support';

/**
 * A server killed (SIGKILL) while approvals are being decided, then started again: every instance
 * is either wholly decided or wholly waiting, nothing is decided twice, and the waiting ones finish.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const token = randomBytes(16).toString('hex');
let port: number;
let child: ChildProcess | undefined;
let db: Db;

async function startChild(): Promise<ApiClient> {
  child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', path.join(root, 'platform/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: '0',
      PLATFORM_TOKEN: token,
      LOG_LEVEL: 'warn',
      // The database is shared with the other test files: their tenants' clocks are not this server's.
      SCHEDULES: '0',
    },
    stdio: 'ignore',
  });
  const anon = new ApiClient(`http://127.0.0.1:${port}`);
  for (;;) {
    if (child.exitCode !== null) throw new Error('the server exited');
    const ok = await anon.get('/api/health').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return anon;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function killChild(): Promise<void> {
  const c = child;
  child = undefined;
  if (!c || c.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

beforeAll(async () => {
  port = await freePort();
  db = connectDb({ url: inject('databaseUrl'), poolMax: 4 });
});
afterAll(async () => {
  await killChild();
  await db?.destroy();
});

describe('a server killed mid-flow', () => {
  it('resumes with nothing lost or doubled', { timeout: 600_000 }, async () => {
    let anon = await startChild();
    const tenant = `kill_${randomBytes(4).toString('hex')}`;
    const password = 'kill test password';
    const platform = anon.withToken(token);
    expect(
      (
        await platform.post('/api/tenants', {
          id: tenant,
          name: tenant,
          admin: { email: `a@${tenant}.test`, password, name: 'A' },
        })
      ).status,
    ).toBe(201);
    const login = async (email: string) =>
      anon.withToken((await anon.post('/api/auth/login', { tenant, email, password })).body.token);
    let admin = await login(`a@${tenant}.test`);
    expect(
      (
        await admin.put('/api/meta/objects/deal', {
          title: 'Deal',
          type: 'object',
          properties: { name: { type: 'string' }, reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' } },
        })
      ).status,
    ).toBe(200);
    expect((await admin.put('/api/meta/roles/staff', { objects: { deal: { read: 'all' } } })).status).toBe(200);
    const approver = (
      await admin.post('/api/users', { email: `b@${tenant}.test`, name: 'B', password, roles: ['staff'] })
    ).body;
    const workflow = {
      object: 'deal',
      label: 'One step',
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        { id: 'rev', type: 'approval', position: { x: 0, y: 1 }, data: { approvers: [{ field: 'reviewer' }] } },
        { id: 'ok', type: 'end', position: { x: 0, y: 2 }, data: { outcome: 'approved' } },
        { id: 'ko', type: 'end', position: { x: 1, y: 2 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'rev' },
        { id: 'b', source: 'rev', target: 'ok', data: { outcome: 'approved' } },
        { id: 'c', source: 'rev', target: 'ko', data: { outcome: 'rejected' } },
      ],
    };
    expect((await admin.put('/api/meta/workflows/one_step', workflow)).status).toBe(200);
    const schema = `t_${tenant}`;
    const ids: string[] = (
      await db
        .withSchema(schema)
        .insert(Array.from({ length: 20 }, (_, i) => ({ name: `D${i}`, reviewer: approver.id })))
        .into('deal')
        .returning('id')
    ).map((r) => r.id);
    const submits = await Promise.all(ids.map((id) => admin.post(`/api/records/deal/${id}/submit`)));
    expect(submits.map((r) => r.status)).toEqual(ids.map(() => 201));

    let bob = await login(`b@${tenant}.test`);
    const tasks: Array<{ task: string }> = (await bob.get('/api/approvals/inbox')).body.items;
    expect(tasks).toHaveLength(20);
    // Decide them all at once and kill the server as soon as the first answers arrive.
    let answered = 0;
    const killed = new Promise<void>((resolve) => {
      for (const t of tasks)
        bob.post(`/api/approvals/tasks/${t.task}/approve`).then(
          () => {
            answered += 1;
            if (answered === 3) void killChild().then(resolve);
          },
          () => undefined,
        );
    });
    await killed;

    anon = await startChild();
    admin = await login(`a@${tenant}.test`);
    bob = await login(`b@${tenant}.test`);
    const check = async () => {
      const instances = await db.withSchema(schema).from('_wf_instances').select('id', 'record_id', 'status');
      const records = new Map(
        (await db.withSchema(schema).from('deal').select('id', 'approval_status', 'version')).map((r) => [r.id, r]),
      );
      const completed = await db
        .withSchema(schema)
        .from('_wf_events')
        .where('action', 'completed')
        .select('instance_id');
      const approvedTasks = await db
        .withSchema(schema)
        .from('_wf_tasks')
        .where('status', 'approved')
        .select('instance_id');
      for (const i of instances) {
        const record = records.get(i.record_id);
        const done = completed.filter((c) => c.instance_id === i.id).length;
        const decided = approvedTasks.filter((t) => t.instance_id === i.id).length;
        if (i.status === 'approved') {
          expect([done, decided, record?.approval_status, record?.version]).toEqual([1, 1, 'approved', 3]);
        } else {
          expect([i.status, done, decided, record?.approval_status, record?.version]).toEqual([
            'pending',
            0,
            0,
            'pending',
            2,
          ]);
        }
      }
      return instances.filter((i) => i.status === 'approved').length;
    };
    const before = await check();
    expect(before).toBeGreaterThanOrEqual(3);
    const left: Array<{ task: string }> = (await bob.get('/api/approvals/inbox')).body.items;
    expect(left).toHaveLength(20 - before);
    for (const t of left) expect((await bob.post(`/api/approvals/tasks/${t.task}/approve`)).status).toBe(200);
    expect(await check()).toBe(20);
    await platform.delete(`/api/tenants/${tenant}`, { query: { confirm: tenant } });
  });
});
