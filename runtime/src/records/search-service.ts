/**
 * Global search (the web app's Ctrl/Cmd-K): one query text across every object the user may read,
 * by each object's label field and searchable fields (`x-search`, else its free-text fields).
 *
 * Each object is searched through the records engine's list, i.e. with the query access of
 * permissions/query-access.ts: the reader's row scope and sharing apply, fields they may not read
 * are neither searched nor answered. Cost is bounded: the text's length and word count, a few
 * results per object, a few objects at a time, and a deadline after which the answer says it is
 * partial instead of waiting for the remaining objects.
 */
import type { Ctx } from '../ctx';
import { badRequest, isAppError } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import { searchableFields } from '../model/search-fields';
import type { PermissionEngine } from '../permissions/object-access';
import type { RecordService } from './record-service';

export const SEARCH_LIMITS = {
  /** Characters of the query text. */
  maxLength: 100,
  minLength: 2,
  /** Words AND-ed (each must appear in one of the object's search fields). */
  maxWords: 5,
  /** Results per object (the answer says when there are more). */
  perObject: 5,
  maxPerObject: 20,
  /** Objects searched at the same time. */
  concurrency: 3,
  /** After this, objects not yet searched are skipped and the answer is `partial`. */
  deadlineMs: 3000,
};

export interface SearchHit {
  id: string;
  label: string;
  /** Another field that matched, to tell similar labels apart. */
  match?: { field: string; value: string };
}

export interface SearchGroup {
  object: string;
  items: SearchHit[];
  more: boolean;
}

export interface SearchAnswer {
  groups: SearchGroup[];
  /** Some objects were not searched in time (or failed): the groups are incomplete. */
  partial: boolean;
}

/** A field the label can be searched in: a stored text column (an autonumber counts). */
function isTextColumn(object: ObjectModel, name: string): boolean {
  const f = object.fields.get(name);
  const base = f?.columnType?.base;
  return Boolean(f?.column) && !f?.enum && !f?.ref && (base === 'text' || base === 'varchar');
}

export class SearchService {
  constructor(
    private readonly deps: {
      meta: { model(ctx: Ctx): Promise<Model> };
      permissions: PermissionEngine;
      records: Pick<RecordService, 'list'>;
    },
  ) {}

  async search(ctx: Ctx, text: unknown, opts: { limit?: number } = {}): Promise<SearchAnswer> {
    if (typeof text !== 'string') throw badRequest('q: the text to search for');
    const q = text.trim();
    if (q.length > SEARCH_LIMITS.maxLength) throw badRequest(`q: at most ${SEARCH_LIMITS.maxLength} characters`);
    if (q.length < SEARCH_LIMITS.minLength) throw badRequest(`q: at least ${SEARCH_LIMITS.minLength} characters`);
    const perObject = opts.limit ?? SEARCH_LIMITS.perObject;
    if (!Number.isInteger(perObject) || perObject < 1 || perObject > SEARCH_LIMITS.maxPerObject)
      throw badRequest(`limit: 1 to ${SEARCH_LIMITS.maxPerObject}`);
    const words = q.split(/\s+/).slice(0, SEARCH_LIMITS.maxWords);
    const model = await this.deps.meta.model(ctx);
    // Line items are found through their parent record, which is what a person opens.
    const objects = [...model.objects.values()].filter((o) => !o.parent);
    const started = Date.now();
    const groups: Array<SearchGroup | null> = new Array(objects.length).fill(null);
    let partial = false;
    let next = 0;
    const worker = async () => {
      while (next < objects.length) {
        const i = next++;
        if (Date.now() - started > SEARCH_LIMITS.deadlineMs) {
          partial = true;
          return;
        }
        try {
          groups[i] = await this.searchObject(ctx, objects[i] as ObjectModel, words, perObject);
        } catch (e) {
          // One object's failure (a statement timeout, an overloaded tenant queue) leaves the others.
          if (isAppError(e) && e.code !== 'NOT_FOUND') partial = true;
          else if (!isAppError(e)) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: SEARCH_LIMITS.concurrency }, worker));
    return { groups: groups.filter((g): g is SearchGroup => g !== null && g.items.length > 0), partial };
  }

  private async searchObject(
    ctx: Ctx,
    object: ObjectModel,
    words: string[],
    perObject: number,
  ): Promise<SearchGroup | null> {
    const access = await this.deps.permissions.objectAccess(ctx, object.name);
    if (!access.can.read) return null;
    const readable = (name: string) => (access.fields[name] ?? 'edit') !== 'none';
    const label = object.labelField;
    const fields = [
      ...(isTextColumn(object, label) && readable(label) ? [label] : []),
      ...searchableFields(object)
        .map((f) => f.name)
        .filter((n) => n !== label && readable(n)),
    ];
    if (!fields.length) return null;
    // The filter language's `contains` (escaped ILIKE, bound parameters) — the same compiler as lists.
    const filter = { and: words.map((w) => ({ or: fields.map((f) => ({ [f]: { contains: w } })) })) };
    const projection = [...new Set(['id', ...(readable(label) ? [label] : []), ...fields])];
    const page = await this.deps.records.list(ctx, object.name, {
      filter,
      fields: projection.join(','),
      sort: '-updated_at',
      limit: perObject,
    });
    const first = (words[0] ?? '').toLowerCase();
    const items = page.items.map((r): SearchHit => {
      const name = r[label];
      const hit: SearchHit = { id: String(r.id), label: name === null || name === undefined ? '' : String(name) };
      const other = fields.find(
        (f) =>
          f !== label &&
          String(r[f] ?? '')
            .toLowerCase()
            .includes(first),
      );
      if (other && !hit.label.toLowerCase().includes(first))
        hit.match = { field: other, value: String(r[other]).slice(0, 120) };
      return hit;
    });
    return { object: object.name, items, more: page.nextCursor !== null };
  }
}
