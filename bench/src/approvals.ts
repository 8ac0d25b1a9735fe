/**
 * Approval throughput: a two-level chain (reviewer, then second reviewer, both user fields of the
 * deal) on 100 deals, decided by 50 approvers working at once through HTTP. Every approver sends
 * each decision twice at the same moment, so the run also proves the guard: exactly one of each
 * pair may win (the other 409), and no instance may advance twice (one `completed` event each,
 * record version = 1 + submit + two steps' transitions).
 *
 *   node --no-node-snapshot --import tsx bench/src/approvals.ts [instances] [approvers]
 *
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. A bench harness imports
 * `approvalsBench()` and reads its result.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { buildApp, startEmbeddedPostgres } from '@forma/platform';
import { connectDb, createRuntime } from '@forma/runtime';

export interface ApprovalsResult {
  instances: number;
  approvers: number;
  /** submit + approve HTTP round trips (duplicates included) per second. */
  roundTripsPerSecond: number;
  /** Whole submit → second approval chains completed per second. */
  chainsPerSecond: number;
  seconds: number;
  requests: number;
  /** Duplicate decisions refused with 409 (expected: one per duplicate pair). */
  conflicts: number;
  /** Instances that completed more than once or whose record moved more than expected: must be 0. */
  doubleAdvances: number;
  unfinished: number;
}

const chain = {
  object: 'deal',
  label: 'Two-level chain',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    { id: 'l1', type: 'approval', position: { x: 0, y: 1 }, data: { approvers: [{ field: 'reviewer' }] } },
    { id: 'l2', type: 'approval', position: { x: 0, y: 2 }, data: { approvers: [{ field: 'reviewer2' }] } },
    { id: 'ok', type: 'end', position: { x: 0, y: 3 }, data: { outcome: 'approved' } },
    { id: 'ko', type: 'end', position: { x: 1, y: 3 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'l1' },
    { id: 'b', source: 'l1', target: 'l2', data: { outcome: 'approved' } },
    { id: 'c', source: 'l1', target: 'ko', data: { outcome: 'rejected' } },
    { id: 'd', source: 'l2', target: 'ok', data: { outcome: 'approved' } },
    { id: 'e', source: 'l2', target: 'ko', data: { outcome: 'rejected' } },
  ],
};

export async function approvalsBench(opts: { instances?: number; approvers?: number } = {}): Promise<ApprovalsResult> {
  const instances = opts.instances ?? 100;
  const approverCount = opts.approvers ?? 50;
  const dir = process.env.DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'forma-bench-pg-'));
  const pg = dir ? await startEmbeddedPostgres({ dir, ephemeral: true }) : undefined;
  const db = connectDb({ url: process.env.DATABASE_URL ?? (pg?.url as string), poolMax: 20 });
  const runtime = createRuntime({ db });
  const platformToken = randomBytes(16).toString('hex');
  const app = await buildApp({ runtime, platformToken, logLevel: 'silent' });
  try {
    await runtime.migrate();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (token: string, method: string, url: string, body?: unknown) => {
      const res = await fetch(base + url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    const tenant = `bench_${randomBytes(4).toString('hex')}`;
    const password = 'bench password 1';
    await call(platformToken, 'POST', '/api/tenants', {
      id: tenant,
      name: tenant,
      admin: { email: `admin@${tenant}.test`, password, name: 'Admin' },
    });
    const login = async (email: string) =>
      (
        await (
          await fetch(`${base}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ tenant, email, password }),
          })
        ).json()
      ).token as string;
    const admin = await login(`admin@${tenant}.test`);
    await call(admin, 'PUT', '/api/meta/objects/deal', {
      title: 'Deal',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 200 },
        reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
        reviewer2: { type: 'string', format: 'uuid', 'x-ref': 'user' },
      },
    });
    await call(admin, 'PUT', '/api/meta/roles/bench', {
      label: 'Bench',
      objects: { deal: { read: 'all', create: true } },
    });
    const users: Array<{ id: string; token: string }> = [];
    for (let i = 0; i <= approverCount; i += 1) {
      const email = `u${i}@${tenant}.test`;
      const r = await call(admin, 'POST', '/api/users', { email, name: `User ${i}`, password, roles: ['bench'] });
      users.push({ id: r.body.id, token: await login(email) });
    }
    const [submitter, ...approvers] = users as [{ id: string; token: string }, ...Array<{ id: string; token: string }>];
    const put = await call(admin, 'PUT', '/api/meta/workflows/chain', chain);
    if (put.status !== 200) throw new Error(`workflow refused: ${JSON.stringify(put.body)}`);
    const rows = Array.from({ length: instances }, (_, i) => ({
      name: `Deal ${i}`,
      owner: submitter.id,
      reviewer: approvers[i % approvers.length]?.id,
      reviewer2: approvers[(i + 1) % approvers.length]?.id,
    }));
    const ids: string[] = (await db.withSchema(`t_${tenant}`).insert(rows).into('deal').returning('id')).map(
      (r) => r.id,
    );

    let requests = 0;
    let conflicts = 0;
    const started = performance.now();
    await Promise.all(
      ids.map(async (id) => {
        requests += 1;
        const r = await call(submitter.token, 'POST', `/api/records/deal/${id}/submit`);
        if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.body)}`);
      }),
    );
    const worker = async (user: { id: string; token: string }) => {
      for (let idle = 0; idle < 3; ) {
        requests += 1;
        const inbox = await call(user.token, 'GET', '/api/approvals/inbox');
        const tasks: Array<{ task: string }> = inbox.body?.items ?? [];
        if (!tasks.length) {
          idle += 1;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        idle = 0;
        for (const t of tasks) {
          const pair = await Promise.all(
            [1, 2].map(() => call(user.token, 'POST', `/api/approvals/tasks/${t.task}/approve`)),
          );
          requests += 2;
          for (const r of pair)
            if (r.status === 409) conflicts += 1;
            else if (r.status !== 200) throw new Error(`approve failed: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
    };
    await Promise.all(approvers.map(worker));
    const seconds = (performance.now() - started) / 1000;

    const schema = `t_${tenant}`;
    const completed = await db
      .withSchema(schema)
      .from('_wf_events')
      .where('action', 'completed')
      .groupBy('record_id')
      .select('record_id')
      .count({ n: '*' });
    const doubled = completed.filter((r) => Number(r.n) > 1).length;
    // Version 1 at insert, +1 submit (pending), +1 finish (approved): more means a step moved twice.
    const moved = await db.withSchema(schema).from('deal').whereNot('version', 3).count({ n: '*' }).first();
    const unfinished = await db
      .withSchema(schema)
      .from('deal')
      .whereNot('approval_status', 'approved')
      .count({ n: '*' })
      .first();
    return {
      instances,
      approvers: approvers.length,
      roundTripsPerSecond: Math.round(requests / seconds),
      chainsPerSecond: Math.round((instances / seconds) * 10) / 10,
      seconds: Math.round(seconds * 100) / 100,
      requests,
      conflicts,
      doubleAdvances: doubled + Number(moved?.n ?? 0),
      unfinished: Number(unfinished?.n ?? 0),
    };
  } finally {
    await app.close();
    await runtime.close();
    await pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [instances, approvers] = process.argv.slice(2).map(Number);
  const result = await approvalsBench({
    ...(instances ? { instances } : {}),
    ...(approvers ? { approvers } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
  if (result.doubleAdvances || result.unfinished) process.exitCode = 1;
}
