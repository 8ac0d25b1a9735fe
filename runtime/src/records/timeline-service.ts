/**
 * A record's activity timeline: its changes (the audit trail), approval events, activities logged
 * against it (records of `x-timeline` objects whose lookups point at it: calls, meetings, notes,
 * tasks), e-mails sent about it and files attached to it — newest first, one page at a time.
 *
 * Every source answers only what the reader may see: the record itself through the record guard
 * (404 otherwise), change entries without fields the reader may not read, activities through the
 * records engine (their object's read scope and field security), lookup values named only from
 * records the reader may read.
 */
import { badRequest, isAppError } from '../errors';
import type { Ctx } from '../ctx';
import type { Model, ObjectModel } from '../model/load-model';
import { qualified, SYSTEM_TABLE as T } from '../model/naming';
import type { Changes } from './audit';
import { AUDIT_TABLE } from './audit';
import type { RecordData } from './record-hooks';
import type { RecordService } from './record-service';

export type TimelineKind = 'change' | 'approval' | 'activity' | 'email' | 'file';

export interface TimelineUser {
  id: string;
  name: string | null;
}

export interface TimelineEntry {
  /** Unique in the timeline: `<kind>:<source id>`. */
  key: string;
  kind: TimelineKind;
  at: Date;
  user: TimelineUser | null;
  /** change: create, update, delete, restore; approval: submit, approve, reject, recall, … */
  action?: string;
  /** change: `{field: [old, new]}` of the fields the reader may read. */
  changes?: Changes;
  /** change: what caused it when it was not a person editing the record. */
  cause?: unknown;
  /** approval: the workflow, the step's label and the decision's comment. */
  approval?: { workflow: string; step: string | null; comment: string | null; outcome?: string };
  /** activity: the logged record (its readable fields) and its object. */
  activity?: { object: string; record: RecordData };
  /** email: the subject and whether it has left the outbox. */
  email?: { subject: string; sent: boolean };
  /** file: the attachment. */
  file?: { id: string; name: string; size: number; contentType: string };
}

export interface TimelinePage {
  items: TimelineEntry[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: string | null;
  /** Labels of the records and users that lookup values in `changes` name (readable ones only). */
  names: Record<string, string>;
}

export const TIMELINE_DEFAULT_LIMIT = 30;
/** Approval events a person reads: submits, decisions, hand-overs and outcomes. */
export const APPROVAL_EVENTS = [
  'submitted',
  'approved',
  'rejected',
  'delegated',
  'escalated',
  'auto_decided',
  'recalled',
  'override',
  'completed',
  'failed',
] as const;
export const TIMELINE_MAX_LIMIT = 100;
/** Entries a source reads beyond the page, so ties on the cursor's instant cannot starve a page. */
const SLACK = 20;

interface Cursor {
  t: number;
  k: string;
}

export function encodeTimelineCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeTimelineCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (Number.isSafeInteger(c.t) && c.t >= 0 && typeof c.k === 'string' && c.k.length <= 100) return c;
  } catch {
    // Reported below.
  }
  throw badRequest('before is not a timeline cursor');
}

/** Newest first; equal instants in a stable order of their keys. */
function newerFirst(a: { at: Date; key: string }, b: { at: Date; key: string }): number {
  return b.at.getTime() - a.at.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
}

function olderThan(e: { at: Date; key: string }, c: Cursor | undefined): boolean {
  if (!c) return true;
  const t = e.at.getTime();
  return t < c.t || (t === c.t && e.key < c.k);
}

/** What every side table about a record (e-mails, files) answers for the timeline. */
interface SideRow {
  id: string;
  created_at: Date;
  created_by: string | null;
  user_name: string | null;
}

export class TimelineService {
  constructor(
    private readonly deps: {
      meta: { model(ctx: Ctx): Promise<Model> };
      records: Pick<RecordService, 'resolve' | 'list'>;
    },
  ) {}

  async timeline(
    ctx: Ctx,
    objectName: string,
    id: string,
    opts: { limit?: number; before?: string } = {},
  ): Promise<TimelinePage> {
    const limit = opts.limit ?? TIMELINE_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > TIMELINE_MAX_LIMIT)
      throw badRequest(`limit: 1 to ${TIMELINE_MAX_LIMIT}`);
    const cursor = opts.before !== undefined ? decodeTimelineCursor(opts.before) : undefined;
    // 404 unless the reader may read the record: nothing below runs for a record they cannot see.
    const { model, object, qa } = await this.deps.records.resolve(ctx, objectName, id, { columns: ['id'] });
    // Sources read up to the cursor's millisecond inclusive (the database keeps microseconds).
    const upTo = cursor ? new Date(cursor.t + 1) : undefined;
    const take = limit + SLACK;
    const sources = await Promise.all([
      this.changes(ctx, object, id, qa.access.fields, upTo, take),
      this.approvals(ctx, object, id, upTo, take),
      this.activities(ctx, model, object, id, upTo, take),
      this.emails(ctx, object, id, upTo, take),
      this.files(ctx, object, id, upTo, take),
    ]);
    const all = sources
      .flat()
      .filter((e) => olderThan(e, cursor))
      .sort(newerFirst);
    const items = all.slice(0, limit);
    const last = items[items.length - 1];
    const next = all.length > limit && last ? encodeTimelineCursor({ t: last.at.getTime(), k: last.key }) : null;
    return { items, next, names: await this.names(ctx, model, object, items) };
  }

  private async changes(
    ctx: Ctx,
    object: ObjectModel,
    id: string,
    fields: Readonly<Record<string, string>>,
    upTo: Date | undefined,
    take: number,
  ): Promise<TimelineEntry[]> {
    const qb = ctx.db
      .from({ a: qualified(ctx.schema, AUDIT_TABLE) })
      .leftJoin({ u: qualified(ctx.schema, T.users) }, 'u.id', 'a.user_id')
      .where({ 'a.object': object.name, 'a.record_id': id })
      .orderBy([
        { column: 'a.at', order: 'desc' },
        { column: 'a.id', order: 'desc' },
      ])
      .limit(take)
      .select('a.id', 'a.at', 'a.user_id', 'u.name as user_name', 'a.action', 'a.changes', 'a.cause');
    if (upTo) qb.where('a.at', '<', upTo);
    const rows = await qb;
    return rows.map((r) => ({
      key: `change:${String(r.id).padStart(18, '0')}`,
      kind: 'change' as const,
      at: r.at,
      user: r.user_id ? { id: r.user_id, name: r.user_name ?? null } : null,
      action: r.action,
      // Field security: a field the reader may not read is left out of the diff, as in history.
      changes: Object.fromEntries(
        Object.entries(r.changes as Changes).filter(([f]) => (fields[f] ?? 'edit') !== 'none'),
      ),
      cause: r.cause ?? null,
    }));
  }

  private async approvals(
    ctx: Ctx,
    object: ObjectModel,
    id: string,
    upTo: Date | undefined,
    take: number,
  ): Promise<TimelineEntry[]> {
    const qb = ctx.db
      .from({ e: qualified(ctx.schema, T.wfEvents) })
      .leftJoin({ i: qualified(ctx.schema, T.wfInstances) }, 'i.id', 'e.instance_id')
      .where({ 'e.object': object.name, 'e.record_id': id })
      // What people did and what came of it; the engine's own steps (branches, actions) stay out.
      .whereIn('e.action', [...APPROVAL_EVENTS])
      .orderBy([
        { column: 'e.at', order: 'desc' },
        { column: 'e.id', order: 'desc' },
      ])
      .limit(take)
      .select(
        'e.id',
        'e.at',
        'e.action',
        'e.node',
        'e.actor',
        'e.actor_name',
        'e.comment',
        'e.data',
        'i.workflow',
        // Only the step's label, not the whole definition.
        ctx.db.raw(`i.definition -> 'nodes' as nodes`),
      );
    if (upTo) qb.where('e.at', '<', upTo);
    const rows = await qb;
    return rows.map((r) => {
      const nodes = Array.isArray(r.nodes) ? (r.nodes as Array<{ id?: string; data?: { label?: unknown } }>) : [];
      const node = r.node ? nodes.find((n) => n.id === r.node) : undefined;
      const label = typeof node?.data?.label === 'string' ? node.data.label : null;
      return {
        key: `approval:${String(r.id).padStart(18, '0')}`,
        kind: 'approval' as const,
        at: r.at,
        user: r.actor ? { id: r.actor, name: r.actor_name ?? null } : null,
        action: r.action,
        // Never a node id: a step without a label is shown as the workflow's step, unnamed.
        approval: {
          workflow: r.workflow ?? '',
          step: label,
          comment: r.comment ?? null,
          ...(typeof r.data?.outcome === 'string' ? { outcome: r.data.outcome } : {}),
        },
      };
    });
  }

  private async activities(
    ctx: Ctx,
    model: Model,
    object: ObjectModel,
    id: string,
    upTo: Date | undefined,
    take: number,
  ): Promise<TimelineEntry[]> {
    const out: TimelineEntry[] = [];
    for (const source of model.objects.values()) {
      if (source.definition['x-timeline'] !== true) continue;
      const links = [...source.fields.values()].filter((f) => f.ref === object.name && !f.system);
      if (!links.length) continue;
      const filter = {
        and: [
          { or: links.map((f) => ({ [f.name]: { eq: id } })) },
          ...(upTo ? [{ created_at: { lt: upTo.toISOString() } }] : []),
        ],
      };
      try {
        // Through the records engine: the activity object's read scope and field security apply.
        const page = await this.deps.records.list(ctx, source.name, { filter, sort: '-created_at', limit: take });
        const authors = await this.userNames(
          ctx,
          page.items.map((r) => r.created_by).filter((u): u is string => typeof u === 'string'),
        );
        for (const r of page.items) {
          const author = typeof r.created_by === 'string' ? r.created_by : null;
          out.push({
            key: `activity:${source.name}:${String(r.id)}`,
            kind: 'activity',
            at: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
            user: author ? { id: author, name: authors.get(author) ?? null } : null,
            activity: { object: source.name, record: r },
          });
        }
      } catch (e) {
        // An activity object the reader may not read simply contributes nothing.
        if (isAppError(e) && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) continue;
        throw e;
      }
    }
    return out;
  }

  private async emails(
    ctx: Ctx,
    object: ObjectModel,
    id: string,
    upTo: Date | undefined,
    take: number,
  ): Promise<TimelineEntry[]> {
    const rows = await this.recordRows<{ subject: string; sent_at: Date | null }>(
      ctx,
      T.emailOutbox,
      object,
      id,
      upTo,
      take,
      ['subject', 'sent_at'],
    );
    // The recipient's address is left out: it is a field value the reader may not be allowed to see.
    return rows.map((r) => ({
      key: `email:${r.id}`,
      kind: 'email' as const,
      at: r.created_at,
      user: r.created_by ? { id: r.created_by, name: r.user_name ?? null } : null,
      email: { subject: r.subject, sent: r.sent_at !== null },
    }));
  }

  private async files(
    ctx: Ctx,
    object: ObjectModel,
    id: string,
    upTo: Date | undefined,
    take: number,
  ): Promise<TimelineEntry[]> {
    const rows = await this.recordRows<{ name: string; size: string | number; content_type: string }>(
      ctx,
      T.files,
      object,
      id,
      upTo,
      take,
      ['name', 'size', 'content_type'],
    );
    return rows.map((r) => ({
      key: `file:${r.id}`,
      kind: 'file' as const,
      at: r.created_at,
      user: r.created_by ? { id: r.created_by, name: r.user_name ?? null } : null,
      file: { id: r.id, name: r.name, size: Number(r.size), contentType: r.content_type },
    }));
  }

  /** A side table's rows about this record (e-mails, files), newest first, with their author's name. */
  private async recordRows<Extra extends object>(
    ctx: Ctx,
    table: string,
    object: ObjectModel,
    id: string,
    upTo: Date | undefined,
    take: number,
    columns: string[],
  ) {
    const qb = ctx.db
      .from({ r: qualified(ctx.schema, table) })
      .leftJoin({ u: qualified(ctx.schema, T.users) }, 'u.id', 'r.created_by')
      .where({ 'r.object': object.name, 'r.record_id': id })
      .orderBy([
        { column: 'r.created_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(take)
      .select('r.id', 'r.created_at', 'r.created_by', 'u.name as user_name', ...columns.map((c) => `r.${c}`));
    if (upTo) qb.where('r.created_at', '<', upTo);
    return (await qb) as Array<SideRow & Extra>;
  }

  private async userNames(ctx: Ctx, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const rows = await ctx.db.withSchema(ctx.schema).from(T.users).whereIn('id', unique).select('id', 'name');
    return new Map(rows.map((r: { id: string; name: string }) => [r.id, r.name]));
  }

  /**
   * Names for the lookup values in change entries: users by name, records by their label field —
   * read through the records engine, so a record outside the reader's scope stays an unnamed id.
   */
  private async names(
    ctx: Ctx,
    model: Model,
    object: ObjectModel,
    items: TimelineEntry[],
  ): Promise<Record<string, string>> {
    const wanted = new Map<string, Set<string>>();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    for (const e of items) {
      for (const [field, pair] of Object.entries(e.changes ?? {})) {
        const ref = object.fields.get(field)?.ref;
        if (!ref) continue;
        for (const v of pair) {
          if (typeof v !== 'string' || !uuid.test(v)) continue;
          const set = wanted.get(ref) ?? new Set<string>();
          set.add(v);
          wanted.set(ref, set);
        }
      }
    }
    const names: Record<string, string> = {};
    for (const [ref, ids] of wanted) {
      const list = [...ids].slice(0, 200);
      if (ref === 'user') {
        for (const [id, name] of await this.userNames(ctx, list)) names[id] = name;
        continue;
      }
      const target = model.objects.get(ref);
      if (!target) continue;
      try {
        const page = await this.deps.records.list(ctx, ref, {
          filter: { id: { in: list } },
          fields: target.labelField === 'id' ? 'id' : `id,${target.labelField}`,
          limit: list.length,
        });
        for (const r of page.items) {
          const label = r[target.labelField];
          if (label !== null && label !== undefined && label !== '') names[String(r.id)] = String(label);
        }
      } catch (e) {
        // A label field hidden from the reader (400) leaves the id unnamed, like an unreadable record.
        if (isAppError(e) && ['NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST'].includes(e.code)) continue;
        throw e;
      }
    }
    return names;
  }
}
