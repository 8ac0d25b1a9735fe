import Dexie, { type EntityTable } from 'dexie';
import type { AppMeta } from '../meta/meta-types';
import type { Session } from '../api/auth-api';

/**
 * The phone's briefcase (docs/mobile.md): the records a rep carries, kept in IndexedDB, and the
 * outbox of changes made offline. One database per device; it holds one user's data at a time and
 * is wiped when they sign out or the server answers 401.
 */
export type Fields = Record<string, unknown>;

export interface BriefcaseRecord {
  /** `${object}/${id}`: Dexie keys must be single values to stay simple across browsers. */
  key: string;
  object: string;
  id: string;
  /** The record as the server last answered it (only fields the user may read ever arrive). */
  server: Fields | null;
  /** What the rep sees: the server's record with their pending changes on top. */
  local: Fields;
  /** Created on the phone and not synced yet (its id is a local one). */
  pending?: boolean;
  /** Reference data (a product, a price list, an account the rep reads but does not own): read-only. */
  reference?: boolean;
}

export type OutboxStatus = 'pending' | 'conflict' | 'refused';

export interface FieldConflict {
  field: string;
  base: unknown;
  mine: unknown;
  theirs: unknown;
}

export interface OutboxItem {
  seq?: number;
  kind: 'create' | 'update';
  object: string;
  /** The record's id: a local id (`local-…`) for a create until the server gives the real one. */
  id: string;
  /** Create: every field typed; update: only the fields changed. */
  fields: Fields;
  /** Update: each changed field's value in the version the edit was based on. */
  base: Fields;
  baseVersion: number | null;
  /** Sent as Idempotency-Key: a retry after a lost answer applies once (docs/records.md). */
  key: string;
  status: OutboxStatus;
  createdAt: string;
  /** Set once the item has gone out: its key may then be known to the server, so it is never reused for other content. */
  sentAt?: string;
  error?: { code: string; message: string; fields?: Record<string, string>; details?: Record<string, unknown> };
  /** A conflicting edit: the server's record now, and the fields both sides changed. */
  conflict?: { server: Fields; fields: FieldConflict[]; merged: Fields };
}

export interface StateRow {
  name: 'session' | 'meta' | 'lastSync' | 'lastRefresh' | 'owner';
  value: unknown;
}

export class BriefcaseDb extends Dexie {
  records!: EntityTable<BriefcaseRecord, 'key'>;
  outbox!: EntityTable<OutboxItem, 'seq'>;
  state!: EntityTable<StateRow, 'name'>;

  constructor(name = 'forma-briefcase') {
    super(name);
    this.version(1).stores({ records: 'key, object', outbox: '++seq, status, [object+id]', state: 'name' });
  }
}

let db: BriefcaseDb | null = null;

/** The device's briefcase database (opened lazily; absent IndexedDB means no offline mode). */
export function briefcaseDb(): BriefcaseDb {
  db ??= new BriefcaseDb();
  return db;
}

export const recordKey = (object: string, id: string) => `${object}/${id}`;

export async function readState<T>(name: StateRow['name']): Promise<T | undefined> {
  return (await briefcaseDb().state.get(name))?.value as T | undefined;
}

export async function writeState(name: StateRow['name'], value: unknown): Promise<void> {
  await briefcaseDb().state.put({ name, value });
}

export type CachedSession = Session;
export type CachedMeta = AppMeta;

/** Signing out (or a 401): nothing of the user's stays on the device. */
export async function wipeBriefcase(): Promise<void> {
  const d = briefcaseDb();
  await d.transaction('rw', d.records, d.outbox, d.state, async () => {
    await Promise.all([d.records.clear(), d.outbox.clear(), d.state.clear()]);
  });
}
