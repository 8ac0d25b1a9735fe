import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../ctx';
import { AppError } from '../errors';
import type { Model } from '../model/load-model';
import { WorkflowGraph, type WorkflowDefinition } from './workflow-graph';
import type { InstanceRow, TaskRow } from './workflow-store';

/**
 * The decision rules of `decide` and `delegate` without a database: the store, the walk and the run
 * are stand-ins that record what was asked of them. The SQL itself is covered by the approval API
 * suites (tests/api/workflows*.test.ts); here each rule and each refusal is one case.
 */
const h = vi.hoisted(() => ({
  instance: undefined as InstanceRow | undefined,
  task: undefined as TaskRow | undefined,
  /** The task as seen before the lock (a concurrent decision may change it in between). */
  peek: undefined as TaskRow | undefined,
  remaining: [] as TaskRow[],
  linkSpent: false,
  activeUsers: new Set<string>(),
  calls: [] as string[],
  advancedTo: [] as string[],
  taskUpdates: [] as Array<Record<string, unknown>>,
  created: [] as Array<{ assignee: string; delegatedFrom: string | null }>,
  events: [] as string[],
}));

vi.mock('../tx/unit-of-work', () => ({
  runInUnitOfWork: async (ctx: Ctx, work: (tx: unknown) => Promise<unknown>) => work({ ...ctx, db: fakeDb() }),
}));
vi.mock('./workflow-store', () => ({
  workflowStore: {
    // The instance is locked with the task as read then (`peek`); the claim sees the task as it is.
    lockInstanceOfTask: async (_db: unknown, _s: string, _id: string, assignee: string) =>
      h.peek && h.instance && h.peek.assignee === assignee ? { instance: h.instance, task: h.peek } : undefined,
    claimTask: async (
      _db: unknown,
      _s: string,
      c: {
        patch: Record<string, unknown>;
        cancelOthers: boolean;
        event: { action: string };
        lockRecord?: { id: string };
      },
    ) => {
      if (h.task?.status !== 'open') return { claimed: false, status: h.task?.status ?? null };
      h.taskUpdates.push(c.patch);
      h.events.push(c.event.action);
      if (c.cancelOthers) h.calls.push('cancel');
      // A winning claim that was asked to lock the record answers it.
      return { claimed: true, status: c.patch.status, ...(c.lockRecord ? { record: { id: c.lockRecord.id } } : {}) };
    },
    openTasksOfStep: async () => h.remaining,
    cancelOpenTasks: async () => {
      h.calls.push('cancel');
    },
  },
}));
vi.mock('./load-run', () => {
  const runOf = (_tx: unknown, _env: unknown, _model: unknown, instance: InstanceRow) => ({
    ctx: {},
    instance,
    graph: new WorkflowGraph(instance.definition),
    now: new Date('2026-01-02T03:04:05Z'),
  });
  return { runOf, loadRun: async (...args: Parameters<typeof runOf>) => runOf(...args) };
});
vi.mock('./advance', () => ({
  advance: async (_run: unknown, target: string) => {
    h.advancedTo.push(target);
  },
}));
vi.mock('./transition', () => ({
  eventRow: (_run: unknown, action: string) => ({ action }),
}));
vi.mock('./nodes/approval', () => ({
  createTasks: async (_run: unknown, _node: unknown, _visit: number, list: typeof h.created) => {
    h.created.push(...list);
  },
}));
vi.mock('./resolve-approvers', () => ({ delegateOf: async (_db: unknown, _s: string, to: string) => to }));

/** Just the two queries `decide` and `delegate` make themselves: spend a link, find an active user. */
function fakeDb() {
  let where: Record<string, unknown> = {};
  const chain: Record<string, unknown> = {};
  for (const m of ['withSchema', 'from', 'insert', 'into', 'onConflict', 'ignore']) chain[m] = () => chain;
  chain.where = (w: Record<string, unknown>) => {
    where = w;
    return chain;
  };
  chain.returning = async () => {
    if (h.linkSpent) return [];
    h.linkSpent = true;
    return [{ token_id: 'link' }];
  };
  chain.first = async () =>
    h.activeUsers.has(String(where.id)) && where.active === true ? { id: where.id } : undefined;
  return chain;
}

const { decide, delegate, concludeStep } = await import('./decide');

const definition = (mode: 'any' | 'all', edges = true): WorkflowDefinition =>
  ({
    object: 'deal',
    label: 'Deal approval',
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      { id: 'review', type: 'approval', position: { x: 0, y: 0 }, data: { label: 'Review', approvers: [], mode } },
      { id: 'yes', type: 'end', position: { x: 0, y: 0 }, data: { outcome: 'approved' } },
      { id: 'no', type: 'end', position: { x: 0, y: 0 }, data: { outcome: 'rejected' } },
    ],
    edges: edges
      ? [
          { id: 'e1', source: 'start', target: 'review' },
          { id: 'e2', source: 'review', target: 'yes', data: { outcome: 'approved' } },
          { id: 'e3', source: 'review', target: 'no', data: { outcome: 'rejected' } },
        ]
      : [{ id: 'e1', source: 'start', target: 'review' }],
  }) as WorkflowDefinition;

const task = (patch: Partial<TaskRow> = {}): TaskRow => ({
  id: 't1',
  instance_id: 'i1',
  node: 'review',
  visit: 1,
  assignee: 'u1',
  delegated_from: null,
  status: 'open',
  decided_by: null,
  decided_at: null,
  comment: null,
  due_at: null,
  created_at: new Date(0),
  ...patch,
});

function setUp(mode: 'any' | 'all', opts: { edges?: boolean } = {}): void {
  h.instance = {
    id: 'i1',
    workflow: 'deal_approval',
    meta_version: 1,
    definition: definition(mode, opts.edges ?? true),
    object: 'deal',
    record_id: 'r1',
    status: 'pending',
    current_node: 'review',
    rev: 1,
    submitted_by: 'u0',
    submitted_at: new Date(0),
    finished_at: null,
    comment: null,
  };
  h.task = task();
  h.peek = task();
}

const ctx = { user: { id: 'u1', name: 'Max' }, schema: 't_x', tenant: 'x' } as unknown as Ctx;
const env = { clock: { now: () => new Date('2026-01-02T03:04:05Z') } } as never;
const model = {} as Model;

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('the call succeeded');
}

beforeEach(() => {
  h.remaining = [];
  h.linkSpent = false;
  h.activeUsers = new Set(['u2']);
  h.calls = [];
  h.advancedTo = [];
  h.taskUpdates = [];
  h.created = [];
  h.events = [];
  setUp('any');
});

describe('decide', () => {
  it('records the decision and, in "any" mode, leaves the step by its outcome at the first approval', async () => {
    h.remaining = [task({ id: 't2', assignee: 'u2' })];
    await decide(ctx, env, model, 't1', { decision: 'approved' });
    expect(h.taskUpdates).toEqual([expect.objectContaining({ status: 'approved', decided_by: 'u1', comment: null })]);
    expect(h.events).toEqual(['approved']);
    expect(h.calls).toEqual(['cancel']);
    expect(h.advancedTo).toEqual(['yes']);
  });

  it('in "all" mode waits while other tasks of the step are open, and moves on with the last one', async () => {
    setUp('all');
    h.remaining = [task({ id: 't2', assignee: 'u2' })];
    await decide(ctx, env, model, 't1', { decision: 'approved' });
    expect(h.advancedTo).toEqual([]);
    expect(h.calls).toEqual([]);
    h.remaining = [];
    await decide(ctx, env, model, 't1', { decision: 'approved' });
    expect(h.advancedTo).toEqual(['yes']);
  });

  it('settles the step at once on a rejection, even in "all" mode, and keeps the comment', async () => {
    setUp('all');
    h.remaining = [task({ id: 't2', assignee: 'u2' })];
    await decide(ctx, env, model, 't1', { decision: 'rejected', comment: 'Too expensive' });
    expect(h.taskUpdates[0]).toMatchObject({ status: 'rejected', comment: 'Too expensive' });
    expect(h.advancedTo).toEqual(['no']);
  });

  it('refuses a rejection without a comment (blank counts as none) before touching anything', async () => {
    for (const comment of [undefined, '', '   ']) {
      const e = await failure(decide(ctx, env, model, 't1', { decision: 'rejected', comment }));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toBe('A rejection needs a comment');
    }
    expect(h.taskUpdates).toEqual([]);
  });

  it("answers 404 for someone else's task and for a task that does not exist", async () => {
    h.peek = task({ assignee: 'u2' });
    expect((await failure(decide(ctx, env, model, 't1', { decision: 'approved' }))).code).toBe('NOT_FOUND');
    h.peek = undefined;
    expect((await failure(decide(ctx, env, model, 'nope', { decision: 'approved' }))).code).toBe('NOT_FOUND');
    expect(h.taskUpdates).toEqual([]);
  });

  it('answers 409 when the task or the instance was decided meanwhile (checked again under the lock)', async () => {
    h.task = task({ status: 'approved' });
    const decided = await failure(decide(ctx, env, model, 't1', { decision: 'approved' }));
    expect(decided.code).toBe('CONFLICT');
    expect(decided.message).toBe('The task is already approved');
    // Seen decided already with the lock: nothing is tried.
    h.peek = task({ status: 'rejected' });
    expect((await failure(decide(ctx, env, model, 't1', { decision: 'approved' }))).message).toBe(
      'The task is already rejected',
    );
    h.peek = task();
    h.task = task();
    h.instance = { ...(h.instance as InstanceRow), status: 'recalled' };
    const recalled = await failure(decide(ctx, env, model, 't1', { decision: 'approved' }));
    expect(recalled.message).toBe('The task is already recalled');
    expect(h.taskUpdates).toEqual([]);
  });

  it('spends a signed link once: the second use is 409 and decides nothing', async () => {
    await decide(ctx, env, model, 't1', { decision: 'approved', linkId: 'link' });
    expect(h.taskUpdates).toHaveLength(1);
    const again = await failure(decide(ctx, env, model, 't1', { decision: 'approved', linkId: 'link' }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toBe('This link has already been used');
    expect(h.taskUpdates).toHaveLength(1);
  });
});

describe('concludeStep', () => {
  it('answers 409 when the step has no edge for the outcome (a definition changed under it)', async () => {
    setUp('any', { edges: false });
    const run = {
      ctx: {},
      instance: h.instance,
      graph: new WorkflowGraph((h.instance as InstanceRow).definition),
      now: new Date(),
    } as never;
    const e = await failure(concludeStep(run, 'review', 'approved'));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toBe('Step "review" has no "approved" edge');
  });
});

describe('delegate', () => {
  it('hands the task to an active user: the old task is delegated and a new one names who it came from', async () => {
    await delegate(ctx, env, model, 't1', 'u2');
    expect(h.taskUpdates).toEqual([expect.objectContaining({ status: 'delegated', decided_by: 'u1' })]);
    expect(h.created).toEqual([{ assignee: 'u2', delegatedFrom: 'u1' }]);
    expect(h.events).toEqual(['delegated']);
  });

  it('refuses delegating to yourself and to an unknown or inactive user', async () => {
    const self = await failure(delegate(ctx, env, model, 't1', 'u1'));
    expect(self.code).toBe('BAD_REQUEST');
    expect(self.details).toEqual({ field: 'to' });
    const ghost = await failure(delegate(ctx, env, model, 't1', 'u9'));
    expect(ghost.message).toBe('No active user with that id');
    expect(h.created).toEqual([]);
  });

  it('answers 409 when the step is gone from the definition, and 404 for a task not yours', async () => {
    h.instance = {
      ...(h.instance as InstanceRow),
      definition: { ...definition('any'), nodes: definition('any').nodes.filter((n) => n.id !== 'review') },
    };
    const gone = await failure(delegate(ctx, env, model, 't1', 'u2'));
    expect(gone.code).toBe('CONFLICT');
    expect(gone.message).toBe('Step "review" no longer exists');
    h.peek = task({ assignee: 'u3' });
    expect((await failure(delegate(ctx, env, model, 't1', 'u2'))).code).toBe('NOT_FOUND');
  });
});
