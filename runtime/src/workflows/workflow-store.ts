import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';
import { type LocalizedNotice, noticeCtes, type SqlPart } from './notify';
import type { WorkflowDefinition } from './workflow-graph';

export type InstanceStatus = 'pending' | 'approved' | 'rejected' | 'recalled';
export type TaskStatus = 'open' | 'approved' | 'rejected' | 'cancelled' | 'escalated' | 'delegated';

export interface InstanceRow {
  id: string;
  workflow: string;
  meta_version: number;
  definition: WorkflowDefinition;
  object: string;
  record_id: string;
  status: InstanceStatus;
  current_node: string | null;
  rev: number;
  submitted_by: string;
  submitted_at: Date;
  finished_at: Date | null;
  comment: string | null;
}

export interface TaskRow {
  id: string;
  instance_id: string;
  node: string;
  visit: number;
  assignee: string;
  delegated_from: string | null;
  status: TaskStatus;
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
  due_at: Date | null;
  created_at: Date;
}

export interface EventRow {
  instance_id: string | null;
  task_id?: string | null;
  object: string;
  record_id: string;
  action: string;
  node?: string | null;
  actor: string | null;
  actor_name?: string | null;
  comment?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** The instance's columns but its definition (a transition already holds the definition it runs). */
const INSTANCE_STATE = [
  'id',
  'workflow',
  'meta_version',
  'object',
  'record_id',
  'status',
  'current_node',
  'rev',
  'submitted_by',
  'submitted_at',
  'finished_at',
  'comment',
] as const;
export type InstanceState = Omit<InstanceRow, 'definition'>;

const TASK_COLUMNS = [
  'id',
  'instance_id',
  'node',
  'visit',
  'assignee',
  'delegated_from',
  'status',
  'decided_by',
  'decided_at',
  'comment',
  'due_at',
  'created_at',
] as const;

/** A task to create: `visit` null takes the step's next visit (one more than its last). */
export type NewTask = Omit<TaskRow, 'id' | 'status' | 'decided_by' | 'decided_at' | 'comment' | 'visit'> & {
  visit: number | null;
};

/** An event row written by a CTE (`when`: an SQL condition the insert is subject to). */
function eventCte(name: string, schema: string, e: EventRow, when: SqlPart = { sql: 'true', bindings: [] }): SqlPart {
  return {
    sql: `${name} as (
      insert into ?? (instance_id, task_id, object, record_id, action, node, actor, actor_name, comment, data, at)
      select ?::uuid, ?::uuid, ?, ?::uuid, ?, ?, ?::uuid, ?, ?, ?::jsonb, ? where ${when.sql}
    )`,
    bindings: [
      `${schema}.${T.wfEvents}`,
      e.instance_id,
      e.task_id ?? null,
      e.object,
      e.record_id,
      e.action,
      e.node ?? null,
      e.actor,
      e.actor_name ?? null,
      e.comment ?? null,
      JSON.stringify(e.data ?? {}),
      e.at,
      ...when.bindings,
    ],
  };
}

/** `with a as (…), b as (…) <tail>`: one statement of several CTEs (empty parts left out). */
function joinCtes(parts: SqlPart[], tail: SqlPart): SqlPart {
  const used = parts.filter((p) => p.sql);
  return {
    sql: `with ${used.map((p) => p.sql).join(',\n')} ${tail.sql}`,
    bindings: [...used.flatMap((p) => p.bindings), ...tail.bindings],
  };
}

/** The outcome of `claimTask`: whether the task was open and is now decided, else its status now. */
export interface TaskClaim {
  claimed: boolean;
  status: TaskStatus | null;
  /**
   * With `lockRecord`: the record row, locked by the same statement when the claim won (undefined
   * when it lost, or when the record is gone).
   */
  record?: Record<string, unknown>;
  /** The answer of `also` (when the claim won). */
  also?: unknown;
}

// Result columns of the claim itself: a record's columns are user field names (`^[a-z]…`), which
// never start with an underscore, so they cannot collide.
const CLAIMED = '__claimed';
const CLAIM_STATUS = '__claim_status';
const ALSO = '__claim_also';

/** An id for a new instance (made before its statement, so that rows written with it can name it). */
export const newInstanceId = (): string => randomUUID();

/** All SQL on the approval tables. Every transition locks the instance row first (one lock order). */
export const workflowStore = {
  /**
   * A new instance and its first event (`submitted`) in one statement: the caller makes the
   * instance id (`newInstanceId`) so that the event can name it.
   */
  async insertInstanceWithEvent(
    trx: Knex.Transaction,
    schema: string,
    row: Omit<InstanceRow, 'rev' | 'finished_at'>,
    event: EventRow,
    /** One more expression answered with it (the first step's approvers: `prefetchApprovers`). */
    also?: Knex.Raw,
  ): Promise<{ instance: InstanceRow; also?: unknown }> {
    const { id } = row;
    const q = joinCtes(
      [
        {
          sql: `inst as (
            insert into ?? (id, workflow, meta_version, definition, object, record_id, status, current_node,
              submitted_by, submitted_at, comment)
            values (?::uuid, ?, ?, ?::jsonb, ?, ?::uuid, ?, ?, ?::uuid, ?, ?)
            returning *
          )`,
          bindings: [
            `${schema}.${T.wfInstances}`,
            id,
            row.workflow,
            row.meta_version,
            JSON.stringify(row.definition),
            row.object,
            row.record_id,
            row.status,
            row.current_node,
            row.submitted_by,
            row.submitted_at,
            row.comment,
          ],
        },
        eventCte('inst_event', schema, event),
      ],
      also
        ? { sql: `select inst.*, ? as ${ALSO} from inst`, bindings: [also] }
        : { sql: 'select * from inst', bindings: [] },
    );
    const r = await trx.raw(q.sql, q.bindings);
    const { [ALSO]: answered, ...instance } = r.rows[0] as Record<string, unknown>;
    return { instance: instance as unknown as InstanceRow, ...(also ? { also: answered } : {}) };
  },

  async instance(db: Knex, schema: string, id: string): Promise<InstanceRow | undefined> {
    return db.withSchema(schema).from(T.wfInstances).where({ id }).first();
  },

  /**
   * The instance of one of `assignee`'s tasks, locked (the first lock of every transition), and the
   * task as read with it: the task row itself is not locked, and may have been decided by whoever
   * held the instance before us, so the caller changes it only through `claimTask`.
   */
  async lockInstanceOfTask(
    trx: Knex.Transaction,
    schema: string,
    taskId: string,
    assignee: string,
  ): Promise<{ instance: InstanceRow; task: TaskRow } | undefined> {
    const row = await trx
      .withSchema(schema)
      .from(`${T.wfInstances} as i`)
      .join(`${T.wfTasks} as t`, 't.instance_id', 'i.id')
      .where('t.id', taskId)
      .andWhere('t.assignee', assignee)
      .forUpdate('i')
      .first('i.*', ...TASK_COLUMNS.map((c) => `t.${c} as task_${c}`));
    if (!row) return undefined;
    const instance: Record<string, unknown> = {};
    const task: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>))
      if (k.startsWith('task_')) task[k.slice(5)] = v;
      else instance[k] = v;
    return { instance: instance as unknown as InstanceRow, task: task as unknown as TaskRow };
  },

  /**
   * Decides a task of the locked instance in one statement: the task changes only while it is
   * still open (of two deciders the one who held the instance first wins; the other finds it
   * decided), `cancelOthers` cancels the instance's other open tasks with it (a step settled), and
   * the decision's event is written only when the task changed. The answer says which happened.
   */
  async claimTask(
    trx: Knex.Transaction,
    schema: string,
    c: {
      task: string;
      instance: string;
      patch: { status: TaskStatus; decided_by: string; decided_at: Date; comment?: string | null };
      cancelOthers: boolean;
      event: EventRow;
      /**
       * Locks the instance's record (its table, qualified) in the same statement, only when the
       * claim wins: a refused duplicate never touches the record. The lock order stays instance,
       * tasks, record, as in every transition.
       */
      lockRecord?: { table: string; id: string };
      /**
       * With `lockRecord`: one more expression answered with the claim (`TaskClaim.also`), which may
       * read the locked record as `l` (the next step's approvers: `prefetchApprovers`).
       */
      also?: Knex.Raw;
    },
  ): Promise<TaskClaim> {
    const tasks = `${schema}.${T.wfTasks}`;
    const lock = c.lockRecord;
    const keepComment = c.patch.comment === undefined;
    const q = joinCtes(
      [
        {
          sql: `claimed as (
            update ?? set
              status = case when id = ? then ? else 'cancelled' end,
              decided_by = case when id = ? then ?::uuid else decided_by end,
              decided_at = ?,
              comment = case when id = ? and not ? then ? else comment end
            where instance_id = ? and status = 'open' and (id = ? or ?)
            returning id
          )`,
          bindings: [
            tasks,
            c.task,
            c.patch.status,
            c.task,
            c.patch.decided_by,
            c.patch.decided_at,
            c.task,
            keepComment,
            c.patch.comment ?? null,
            c.instance,
            c.task,
            c.cancelOthers,
          ],
        },
        eventCte('claim_event', schema, c.event, {
          sql: 'exists (select 1 from claimed where id = ?)',
          bindings: [c.task],
        }),
        lock
          ? {
              // FOR UPDATE waits for a writer of the row and then answers its committed version.
              sql: `locked as (
                select r.* from ?? r
                where r.id = ? and r.deleted_at is null and exists (select 1 from claimed where id = ?)
                for update of r
              )`,
              bindings: [lock.table, lock.id, c.task],
            }
          : { sql: '', bindings: [] },
      ],
      {
        // The status subquery sees the table as this statement began: after the instance lock was
        // granted, so a decision that won before us is visible.
        sql: `select ${lock ? 'l.*, ' : ''}exists (select 1 from claimed where id = ?) as ${CLAIMED},
          (select status from ?? where id = ?) as ${CLAIM_STATUS}${lock && c.also ? `, ? as ${ALSO}` : ''}${lock ? ' from (select 1) one left join locked l on true' : ''}`,
        bindings: [c.task, tasks, c.task, ...(lock && c.also ? [c.also] : [])],
      },
    );
    const r = await trx.raw(q.sql, q.bindings);
    const {
      [CLAIMED]: claimed,
      [CLAIM_STATUS]: status,
      [ALSO]: also,
      ...record
    } = r.rows[0] as Record<string, unknown>;
    const won = lock && claimed && record.id != null;
    return {
      claimed: claimed === true,
      status: claimed ? c.patch.status : (status as TaskStatus | null),
      ...(won ? { record } : {}),
      ...(won && also !== undefined ? { also } : {}),
    };
  },

  async lockInstance(trx: Knex.Transaction, schema: string, id: string): Promise<InstanceRow | undefined> {
    return trx.withSchema(schema).from(T.wfInstances).where({ id }).forUpdate().first();
  },

  async pendingInstanceOf(
    db: Knex,
    schema: string,
    object: string,
    recordId: string,
  ): Promise<InstanceRow | undefined> {
    return db.withSchema(schema).from(T.wfInstances).where({ object, record_id: recordId, status: 'pending' }).first();
  },

  /** The record's latest instance: a pending one, else the one that finished last. */
  async lastInstanceOf(db: Knex, schema: string, object: string, recordId: string): Promise<InstanceRow | undefined> {
    return db
      .withSchema(schema)
      .from(T.wfInstances)
      .where({ object, record_id: recordId })
      .orderByRaw(`(status = 'pending') desc, finished_at desc nulls first, submitted_at desc`)
      .first();
  },

  /** Updates the instance (one more `rev`) and answers its new state, the definition left out. */
  async updateInstance(
    trx: Knex.Transaction,
    schema: string,
    id: string,
    patch: Partial<InstanceRow>,
  ): Promise<InstanceState | undefined> {
    const { definition, ...rest } = patch;
    const [row] = await trx
      .withSchema(schema)
      .table(T.wfInstances)
      .where({ id })
      .update(
        {
          ...rest,
          ...(definition ? { definition: JSON.stringify(definition) } : {}),
          rev: trx.raw('?? + 1', ['rev']),
        },
        INSTANCE_STATE as unknown as string[],
      );
    return row as InstanceState | undefined;
  },

  /**
   * Ends the locked instance in one statement: its new state, the `event` and the `notices`.
   * Answers the instance's new state.
   */
  async finishInstance(
    trx: Knex.Transaction,
    schema: string,
    id: string,
    patch: Pick<InstanceRow, 'status' | 'current_node' | 'finished_at'>,
    event: EventRow,
    notices: readonly LocalizedNotice[],
  ): Promise<InstanceState> {
    const q = joinCtes(
      [
        {
          sql: `finished as (
            update ?? set status = ?, current_node = ?, finished_at = ?, rev = rev + 1 where id = ?
            returning ${INSTANCE_STATE.map((c) => `"${c}"`).join(', ')}
          )`,
          bindings: [`${schema}.${T.wfInstances}`, patch.status, patch.current_node, patch.finished_at, id],
        },
        eventCte('finish_event', schema, event),
        noticeCtes(schema, notices, event.at),
      ],
      { sql: 'select * from finished', bindings: [] },
    );
    const r = await trx.raw(q.sql, q.bindings);
    return r.rows[0] as InstanceState;
  },

  async instancesOfRecord(db: Knex, schema: string, object: string, recordId: string): Promise<InstanceRow[]> {
    return db
      .withSchema(schema)
      .from(T.wfInstances)
      .where({ object, record_id: recordId })
      .orderBy('submitted_at', 'desc');
  },

  /**
   * Creates tasks and their notices in one statement (the caller makes the task ids, so that the
   * notices' links can name them). Answers the tasks in the order of `rows`.
   */
  async insertTasksWithNotices(
    trx: Knex.Transaction,
    schema: string,
    rows: ReadonlyArray<NewTask & { id: string }>,
    notices: readonly LocalizedNotice[],
    at: Date,
    /** The instance (locked by the caller) moves to this step in the same statement. */
    step?: { id: string; current_node: string },
  ): Promise<TaskRow[]> {
    if (!rows.length) return [];
    const tasks = `${schema}.${T.wfTasks}`;
    const stepped: SqlPart = step
      ? {
          sql: 'stepped as (update ?? set current_node = ?, rev = rev + 1 where id = ?)',
          bindings: [`${schema}.${T.wfInstances}`, step.current_node, step.id],
        }
      : { sql: '', bindings: [] };
    const q = joinCtes(
      [
        {
          sql: `created as (
            insert into ?? (id, instance_id, node, visit, assignee, delegated_from, due_at, created_at)
            select r.id, r.instance_id, r.node,
              coalesce(r.visit, (select coalesce(max(v.visit), 0) + 1 from ?? v where v.instance_id = r.instance_id and v.node = r.node)),
              r.assignee, r.delegated_from, r.due_at, r.created_at
            from jsonb_to_recordset(?::jsonb) as r(id uuid, instance_id uuid, node text, visit int, assignee uuid,
              delegated_from uuid, due_at timestamptz, created_at timestamptz)
            returning *
          )`,
          bindings: [tasks, tasks, JSON.stringify(rows)],
        },
        noticeCtes(schema, notices, at),
        stepped,
      ],
      { sql: 'select * from created', bindings: [] },
    );
    const r = await trx.raw(q.sql, q.bindings);
    const byId = new Map((r.rows as TaskRow[]).map((t) => [t.id, t]));
    return rows.map((row) => byId.get(row.id) as TaskRow);
  },

  async task(db: Knex, schema: string, id: string): Promise<TaskRow | undefined> {
    return db.withSchema(schema).from(T.wfTasks).where({ id }).first();
  },

  async lockTask(trx: Knex.Transaction, schema: string, id: string): Promise<TaskRow | undefined> {
    return trx.withSchema(schema).from(T.wfTasks).where({ id }).forUpdate().first();
  },

  async tasksOf(db: Knex, schema: string, instanceIds: string[]): Promise<TaskRow[]> {
    if (!instanceIds.length) return [];
    return db
      .withSchema(schema)
      .from(T.wfTasks)
      .whereIn('instance_id', instanceIds)
      .orderBy('created_at')
      .orderBy('id');
  },

  async openTasksOfStep(trx: Knex.Transaction, schema: string, instanceId: string, node: string, visit: number) {
    return (await trx
      .withSchema(schema)
      .from(T.wfTasks)
      .where({ instance_id: instanceId, node, visit, status: 'open' })
      .forUpdate()) as TaskRow[];
  },

  async updateTask(trx: Knex.Transaction, schema: string, id: string, patch: Partial<TaskRow>): Promise<void> {
    await trx.withSchema(schema).table(T.wfTasks).where({ id }).update(patch);
  },

  /** Cancels every open task of an instance (a step decided, a recall, a finish). */
  async cancelOpenTasks(trx: Knex.Transaction, schema: string, instanceId: string, at: Date): Promise<number> {
    return trx
      .withSchema(schema)
      .table(T.wfTasks)
      .where({ instance_id: instanceId, status: 'open' })
      .update({ status: 'cancelled', decided_at: at });
  },

  async insertEvent(trx: Knex.Transaction, schema: string, e: EventRow): Promise<void> {
    await trx
      .withSchema(schema)
      .insert({ ...e, data: JSON.stringify(e.data ?? {}) })
      .into(T.wfEvents);
  },

  async eventsOf(db: Knex, schema: string, instanceIds: string[]) {
    if (!instanceIds.length) return [];
    return db.withSchema(schema).from(T.wfEvents).whereIn('instance_id', instanceIds).orderBy('id');
  },
};
