import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';
import type { Session } from '../api/auth-api';
import type { AppMeta } from '../meta/meta-types';
import {
  type BriefcaseRecord,
  briefcaseDb,
  type Fields,
  type OutboxItem,
  readState,
  recordKey,
  writeState,
} from './briefcase-db';
import { lineSpecs, referenceObjects } from './briefcase-reference';
import { mergeEdit, resolveConflicts, sameValue } from './merge-fields';

/**
 * What goes in the briefcase, the offline queue and its replay (docs/mobile.md, "Briefcase and
 * sync"). Reads and writes go through the public API only, so the server re-checks every
 * permission and rule when the queue replays; the phone only remembers what it was allowed to read.
 */
export const BRIEFCASE_LIMITS = { perObject: 100, total: 1000, reference: 200, lines: 1000 } as const;

const SYSTEM = new Set([
  'id',
  'owner',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'version',
  'approval_status',
  'deleted_at',
]);

const newKey = () => crypto.randomUUID();
export const isLocalId = (id: string) => id.startsWith('local-');

/** Objects that are another object's line items: they travel with their parent, not alone. */
export function lineItemObjects(meta: AppMeta): Set<string> {
  const out = new Set<string>();
  for (const schema of Object.values(meta.objects))
    for (const f of Object.values(schema.properties ?? {})) {
      const c = f['x-children'];
      if (typeof c === 'string') out.add(c);
      else if (c && typeof c === 'object' && typeof (c as { object?: unknown }).object === 'string')
        out.add((c as { object: string }).object);
    }
  return out;
}

/** Objects a rep carries: every object they may read, but line items. */
export function briefcaseObjects(meta: AppMeta): string[] {
  const lines = lineItemObjects(meta);
  return Object.keys(meta.objects)
    .filter((o) => !lines.has(o))
    .sort();
}

/** Pending changes laid over the server's record, in queue order. */
function overlay(server: Fields | null, items: OutboxItem[]): Fields {
  const out: Fields = { ...(server ?? {}) };
  for (const item of items) if (item.status !== 'conflict' || item.kind === 'create') Object.assign(out, item.fields);
  return out;
}

async function itemsFor(object: string, id: string): Promise<OutboxItem[]> {
  return briefcaseDb().outbox.where('[object+id]').equals([object, id]).sortBy('seq');
}

/**
 * The lines of the carried records (the list API does not answer line items), so an order made
 * offline shows the server's lines after its sync: one query per line-items field over the
 * parents' ids, in the order the lines were added.
 */
async function attachLines(api: ApiClient, meta: AppMeta, fetched: BriefcaseRecord[]): Promise<void> {
  let budget: number = BRIEFCASE_LIMITS.lines;
  const parents = new Map<string, BriefcaseRecord[]>();
  for (const r of fetched) if (!r.reference) parents.set(r.object, [...(parents.get(r.object) ?? []), r]);
  for (const [object, rows] of parents)
    for (const spec of lineSpecs(meta, object)) {
      const byParent = new Map<string, Fields[]>();
      let cursor: string | null = null;
      let complete = false;
      do {
        if (budget <= 0) break;
        const page: { items: Fields[]; nextCursor: string | null } = await api.get(`/api/records/${spec.child}`, {
          query: {
            filter: JSON.stringify({ [spec.link]: { in: rows.map((r) => r.id) } }),
            sort: 'created_at',
            limit: Math.min(500, budget),
            ...(cursor ? { cursor } : {}),
          },
        });
        budget -= page.items.length;
        for (const line of page.items) {
          const parent = String(line[spec.link]);
          byParent.set(parent, [...(byParent.get(parent) ?? []), line]);
        }
        cursor = page.nextCursor;
        complete = cursor === null;
      } while (cursor);
      // Lines that did not all fit are left out rather than a part that would read as the whole.
      for (const r of rows) if (complete) r.server = r.local = { ...r.server, [spec.field]: byParent.get(r.id) ?? [] };
    }
}

/**
 * Fills the briefcase from the server: the records the user owns of each object, newest first, up
 * to the limits, then the reference data their forms read (records the user may read of the
 * lookups' targets, read-only). Records that left the user's reach are dropped, unless a change to
 * them is still queued (the queue decides their fate at sync).
 */
export async function refreshBriefcase(api: ApiClient, session: Session, meta: AppMeta): Promise<void> {
  const fetched: BriefcaseRecord[] = [];
  const carried = briefcaseObjects(meta);
  for (const object of carried) {
    if (fetched.length >= BRIEFCASE_LIMITS.total) break;
    const limit = Math.min(BRIEFCASE_LIMITS.perObject, BRIEFCASE_LIMITS.total - fetched.length);
    const page = await api.get<{ items: Fields[] }>(`/api/records/${object}`, {
      query: { filter: JSON.stringify({ owner: { eq: session.user.id } }), sort: '-updated_at', limit },
    });
    for (const r of page.items) {
      const id = String(r.id);
      fetched.push({ key: recordKey(object, id), object, id, server: r, local: r });
    }
  }
  const own = new Set(fetched.map((r) => r.key));
  for (const object of referenceObjects(meta, carried)) {
    if (fetched.length >= BRIEFCASE_LIMITS.total) break;
    const limit = Math.min(BRIEFCASE_LIMITS.reference, BRIEFCASE_LIMITS.total - fetched.length);
    const page = await api.get<{ items: Fields[] }>(`/api/records/${object}`, {
      query: { sort: '-updated_at', limit },
    });
    for (const r of page.items) {
      const id = String(r.id);
      if (own.has(recordKey(object, id))) continue;
      fetched.push({ key: recordKey(object, id), object, id, server: r, local: r, reference: true });
    }
  }
  await attachLines(api, meta, fetched);
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, d.state, async () => {
    const queued = await d.outbox.toArray();
    const keep = new Set(queued.map((q) => recordKey(q.object, q.id)));
    const seen = new Set(fetched.map((r) => r.key));
    const stale = (await d.records.toArray()).filter((r) => !seen.has(r.key) && !keep.has(r.key) && !r.pending);
    await d.records.bulkDelete(stale.map((r) => r.key));
    for (const r of fetched) {
      const items = queued.filter((q) => q.object === r.object && q.id === r.id).sort((a, b) => a.seq! - b.seq!);
      await d.records.put({ ...r, local: overlay(r.server, items) });
    }
    await d.state.put({ name: 'lastRefresh', value: new Date().toISOString() });
  });
}

/** A record created on the phone: in the briefcase at once (marked pending) and queued. */
export async function queueCreate(object: string, fields: Fields): Promise<string> {
  const id = `local-${crypto.randomUUID()}`;
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, async () => {
    await d.outbox.add({
      kind: 'create',
      object,
      id,
      fields,
      base: {},
      baseVersion: null,
      key: newKey(),
      status: 'pending',
      createdAt: new Date().toISOString(),
    });
    await d.records.put({ key: recordKey(object, id), object, id, server: null, local: fields, pending: true });
  });
  return id;
}

/**
 * An edit made on the phone. Only fields that changed are queued, each with the value it had in the
 * version the edit started from. An edit to a record whose earlier change has not gone out yet
 * joins that change (one request, one key); once a change went out its key may be known to the
 * server, so it is never given other content.
 */
export async function queueEdit(object: string, id: string, values: Fields): Promise<void> {
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, async () => {
    const rec = await d.records.get(recordKey(object, id));
    if (!rec) throw new Error('Not in the briefcase');
    // Reference data is carried to be read and picked, never changed from the phone.
    if (rec.reference) throw new Error('Reference data is read-only in the briefcase');
    const changed: Fields = {};
    for (const [f, v] of Object.entries(values)) if (!SYSTEM.has(f) && !sameValue(rec.local[f], v)) changed[f] = v;
    if (!Object.keys(changed).length) return;
    const items = await itemsFor(object, id);
    // A refused change is fixed by editing again: it goes back in the queue as a new request.
    const open = items.find((i) => i.status === 'refused' || (!i.sentAt && i.status === 'pending'));
    if (open) {
      await d.outbox.update(open.seq!, {
        fields: { ...open.fields, ...changed },
        base: { ...Object.fromEntries(Object.keys(changed).map((f) => [f, rec.server?.[f] ?? null])), ...open.base },
        status: 'pending',
        key: newKey(),
        error: undefined,
      } as Partial<OutboxItem>);
    } else {
      await d.outbox.add({
        kind: 'update',
        object,
        id,
        fields: changed,
        base: Object.fromEntries(Object.keys(changed).map((f) => [f, rec.local[f] ?? null])),
        baseVersion: typeof rec.server?.version === 'number' ? rec.server.version : null,
        key: newKey(),
        status: 'pending',
        createdAt: new Date().toISOString(),
      });
    }
    await d.records.update(rec.key, { local: { ...rec.local, ...changed } });
  });
}

export interface SyncResult {
  sent: number;
  conflicts: number;
  refused: number;
  /** The network went away mid-way: the rest stays queued. */
  offline: boolean;
}

function refusal(e: unknown): OutboxItem['error'] {
  if (isApiError(e))
    return {
      code: e.code,
      message: e.message,
      ...(e.fields ? { fields: e.fields } : {}),
      ...(e.details ? { details: e.details } : {}),
    };
  return { code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
}

/** Replaces a local id by the server's in the items and records queued after its create. */
async function adoptServerId(object: string, localId: string, saved: Fields) {
  const d = briefcaseDb();
  const id = String(saved.id);
  await d.transaction('rw', d.records, d.outbox, async () => {
    await d.records.delete(recordKey(object, localId));
    await d.records.put({ key: recordKey(object, id), object, id, server: saved, local: saved });
    for (const item of await d.outbox.toArray()) {
      const fields = Object.fromEntries(Object.entries(item.fields).map(([f, v]) => [f, v === localId ? id : v]));
      const patch: Partial<OutboxItem> = { fields };
      if (item.object === object && item.id === localId) Object.assign(patch, { id, baseVersion: saved.version });
      await d.outbox.update(item.seq!, patch);
    }
    for (const r of await d.records.toArray())
      if (Object.values(r.local).includes(localId))
        await d.records.update(r.key, {
          local: Object.fromEntries(Object.entries(r.local).map(([f, v]) => [f, v === localId ? id : v])),
        });
  });
}

async function settle(item: OutboxItem, saved: Fields) {
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, async () => {
    await d.outbox.delete(item.seq!);
    const rest = await itemsFor(item.object, item.id);
    const key = recordKey(item.object, item.id);
    await d.records.put({ key, object: item.object, id: item.id, server: saved, local: overlay(saved, rest) });
  });
}

async function sendUpdate(api: ApiClient, item: OutboxItem, fields: Fields, version: number | null, key: string) {
  return api.patch<Fields>(`/api/records/${item.object}/${item.id}`, fields, {
    headers: { 'idempotency-key': key, ...(version !== null ? { 'if-match': String(version) } : {}) },
  });
}

/**
 * Replays the queue in order through the normal API. Each request carries its item's key, so a
 * request whose answer was lost is applied once when sent again. A stale edit (409) is merged with
 * the server's record field by field: fields only one side changed go through at once (a new
 * request, based on the server's version); fields both changed wait for the rep. A refusal
 * (validation, permission, approval lock, record gone) stays in the outbox with its reason.
 */
let running: Promise<SyncResult> | null = null;

export function syncOutbox(api: ApiClient): Promise<SyncResult> {
  // One replay at a time per page: "sync now" during the automatic sync joins it.
  running ??= replay(api).finally(() => {
    running = null;
  });
  return running;
}

async function replay(api: ApiClient): Promise<SyncResult> {
  const d = briefcaseDb();
  const result: SyncResult = { sent: 0, conflicts: 0, refused: 0, offline: false };
  const pending = await d.outbox.where('status').equals('pending').sortBy('seq');
  for (const queued of pending) {
    const item = await d.outbox.get(queued.seq!);
    if (item?.status !== 'pending') continue;
    await d.outbox.update(item.seq!, { sentAt: new Date().toISOString() });
    try {
      if (item.kind === 'create') {
        const saved = await api.post<Fields>(`/api/records/${item.object}`, item.fields, {
          headers: { 'idempotency-key': item.key },
        });
        await d.outbox.delete(item.seq!);
        await adoptServerId(item.object, item.id, saved);
      } else {
        try {
          await settle(item, await sendUpdate(api, item, item.fields, item.baseVersion, item.key));
        } catch (e) {
          if (!isApiError(e, 'CONFLICT') || e.details?.reason === 'IDEMPOTENCY_KEY_REUSED' || e.fields) throw e;
          const server = await api.get<Fields>(`/api/records/${item.object}/${item.id}`);
          const { merged, conflicts } = mergeEdit(item.base, item.fields, server);
          if (conflicts.length) {
            await d.outbox.update(item.seq!, { status: 'conflict', conflict: { server, fields: conflicts, merged } });
            await d.records.update(recordKey(item.object, item.id), { server });
            result.conflicts += 1;
            continue;
          }
          const key = newKey();
          await d.outbox.update(item.seq!, { key, fields: merged });
          const saved = Object.keys(merged).length
            ? await sendUpdate(api, item, merged, server.version as number, key)
            : server;
          await settle(item, saved);
        }
      }
      result.sent += 1;
    } catch (e) {
      if (isApiError(e, 'NETWORK')) {
        result.offline = true;
        break;
      }
      if (isApiError(e, 'UNAUTHENTICATED')) throw e;
      await d.outbox.update(item.seq!, { status: 'refused', error: refusal(e) });
      result.refused += 1;
    }
  }
  if (!result.offline) await writeState('lastSync', new Date().toISOString());
  return result;
}

/** The rep's choice per conflicting field; sent as a new change on the server's current version. */
export async function resolveConflict(api: ApiClient, seq: number, choice: Record<string, 'mine' | 'theirs'>) {
  const d = briefcaseDb();
  const item = await d.outbox.get(seq);
  if (!item?.conflict) return;
  const patch = resolveConflicts(item.conflict.merged, item.conflict.fields, choice);
  const base = Object.fromEntries(Object.keys(patch).map((f) => [f, item.conflict!.server[f] ?? null]));
  await d.outbox.update(seq, {
    status: 'pending',
    fields: patch,
    base,
    baseVersion: item.conflict.server.version as number,
    key: newKey(),
    conflict: undefined,
    error: undefined,
  } as Partial<OutboxItem>);
  await d.records.update(recordKey(item.object, item.id), {
    local: { ...item.conflict.server, ...patch },
  });
  if (!Object.keys(patch).length) {
    await settle(item, item.conflict.server);
    return;
  }
  await syncOutbox(api);
}

/** Drops a change the server refused (or one the rep gave up); the record shows the server's values again. */
export async function discardItem(seq: number): Promise<void> {
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, async () => {
    const item = await d.outbox.get(seq);
    if (!item) return;
    await d.outbox.delete(seq);
    const key = recordKey(item.object, item.id);
    const rec = await d.records.get(key);
    if (!rec) return;
    if (item.kind === 'create' && rec.pending) await d.records.delete(key);
    else await d.records.update(key, { local: overlay(rec.server, await itemsFor(item.object, item.id)) });
  });
}

/** A refused change the rep fixed: queued again with a new key (it is a new request). */
export async function retryItem(seq: number, fields: Fields): Promise<void> {
  const d = briefcaseDb();
  const item = await d.outbox.get(seq);
  if (!item) return;
  await d.outbox.update(seq, {
    fields: { ...item.fields, ...fields },
    status: 'pending',
    key: newKey(),
    error: undefined,
  } as Partial<OutboxItem>);
  const key = recordKey(item.object, item.id);
  const rec = await d.records.get(key);
  if (rec) await d.records.update(key, { local: { ...rec.local, ...fields } });
}

export async function lastSync(): Promise<string | undefined> {
  return readState<string>('lastSync');
}
