/**
 * From "what the client sent" to "the next document": a (partial) document is merged into the
 * current one item by item, then every object and field gets its stable `x-id` (kept across
 * renames, assigned on first save).
 */
import { randomBytes } from 'node:crypto';
import {
  type FieldDefinition,
  type MetadataDocument,
  type MetadataIssue,
  type ObjectDefinition,
  pointer,
} from '@forma/metadata';
import { META_SECTIONS, type MetaSection } from './section-checks';

/**
 * A partial document: sections that are absent stay as they are; inside a section, each item given
 * replaces the item of that name, and `null` removes it.
 */
export type DocumentPatch = Partial<Record<MetaSection, Record<string, unknown>>> & { version?: unknown };

/** Shape problems of a patch (the merged document is validated in full afterwards). */
export function patchIssues(patch: unknown): MetadataIssue[] {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch))
    return [{ path: '/', message: 'must be a metadata document (a JSON object)' }];
  const issues: MetadataIssue[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'version') continue;
    if (!(META_SECTIONS as readonly string[]).includes(key)) {
      issues.push({ path: pointer(key), message: `unknown section "${key}"` });
    } else if (!value || typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ path: pointer(key), message: 'must be an object of items by name' });
    }
  }
  return issues;
}

export function mergePatch(current: MetadataDocument, patch: DocumentPatch): MetadataDocument {
  const next: MetadataDocument = {};
  for (const section of META_SECTIONS) {
    const items: Record<string, unknown> = { ...((current[section] as Record<string, unknown> | undefined) ?? {}) };
    for (const [name, item] of Object.entries(patch[section] ?? {})) {
      if (item === null) delete items[name];
      else items[name] = structuredClone(item);
    }
    (next as Record<string, unknown>)[section] = items;
  }
  dropRenamedObjects(current, next, patch);
  return next;
}

/**
 * An object sent under a new name that identifies a current object (by x-id or x-renamed-from) is
 * a rename: the old key goes away unless the patch says otherwise about it.
 */
function dropRenamedObjects(current: MetadataDocument, next: MetadataDocument, patch: DocumentPatch): void {
  const currentObjects = current.objects ?? {};
  const nextObjects = next.objects as Record<string, ObjectDefinition>;
  for (const [name, item] of Object.entries(patch.objects ?? {})) {
    if (!item || typeof item !== 'object') continue;
    const def = item as Partial<ObjectDefinition>;
    const old =
      (def['x-renamed-from'] && currentObjects[def['x-renamed-from']] ? def['x-renamed-from'] : undefined) ??
      Object.entries(currentObjects).find(([, o]) => def['x-id'] && o?.['x-id'] === def['x-id'])?.[0];
    if (old && old !== name && !(old in (patch.objects ?? {}))) delete nextObjects[old];
  }
}

export function newStableId(): string {
  // 12 characters of base 36 (~62 bits): unique within a tenant for all practical purposes.
  const n = randomBytes(8).readBigUInt64BE(0);
  return `f${n.toString(36).padStart(13, '0').slice(0, 12)}`;
}

export interface Renames {
  objects: Array<{ from: string; to: string }>;
  fields: Array<{ object: string; from: string; to: string }>;
}

/**
 * Gives every object and field of `next` its stable id: the id it already carries, else the id of
 * the current item it renames (`x-renamed-from`), else of the current item with the same name, else
 * a new one. Returns the document without `x-renamed-from`, the renames found, and id problems.
 */
export function assignStableIds(
  current: MetadataDocument,
  next: MetadataDocument,
  newId: () => string = newStableId,
): { document: MetadataDocument; renames: Renames; issues: MetadataIssue[] } {
  const issues: MetadataIssue[] = [];
  const renames: Renames = { objects: [], fields: [] };
  const doc = structuredClone(next);
  const curObjects = (current.objects ?? {}) as Record<string, ObjectDefinition>;
  const nextObjects = (doc.objects ?? {}) as Record<string, ObjectDefinition>;
  const curById = new Map(Object.entries(curObjects).map(([n, o]) => [o['x-id'] ?? n, n]));
  const fieldOwner = new Map<string, string>();
  for (const [oname, o] of Object.entries(curObjects))
    for (const [fname, f] of Object.entries(o.properties)) fieldOwner.set(f?.['x-id'] ?? `${oname}.${fname}`, oname);

  const claimedObjects = new Map<string, string>();
  const usedIds = new Map<string, string>();
  const claimId = (id: string, path: string) => {
    const other = usedIds.get(id);
    if (other) issues.push({ path: `${path}/x-id`, message: `x-id "${id}" is already used at ${other}` });
    else usedIds.set(id, path);
  };

  // Objects: explicit ids and renames claim first, same-name matches take what is left.
  const objectMatch = new Map<string, string | undefined>();
  for (const [name, def] of Object.entries(nextObjects)) {
    const path = pointer('objects', name);
    let match: string | undefined;
    if (def['x-id']) match = curById.get(def['x-id']);
    else if (def['x-renamed-from']) {
      match = curObjects[def['x-renamed-from']] ? def['x-renamed-from'] : undefined;
      if (!match)
        issues.push({ path: `${path}/x-renamed-from`, message: `No object "${def['x-renamed-from']}" to rename` });
    }
    if (match) {
      if (claimedObjects.has(match))
        issues.push({ path, message: `"${match}" is already renamed to ${claimedObjects.get(match)}` });
      else claimedObjects.set(match, name);
    }
    objectMatch.set(name, match);
  }
  for (const [name, def] of Object.entries(nextObjects)) {
    if (objectMatch.get(name) || def['x-id'] || def['x-renamed-from']) continue;
    if (curObjects[name] && !claimedObjects.has(name)) {
      claimedObjects.set(name, name);
      objectMatch.set(name, name);
    }
  }

  for (const [name, def] of Object.entries(nextObjects)) {
    const path = pointer('objects', name);
    const matched = objectMatch.get(name);
    const cur = matched ? curObjects[matched] : undefined;
    def['x-id'] = def['x-id'] ?? cur?.['x-id'] ?? newId();
    delete def['x-renamed-from'];
    claimId(def['x-id'], path);
    if (matched && matched !== name) renames.objects.push({ from: matched, to: name });
    assignFieldIds(name, def, matched, cur, { fieldOwner, claimId, newId, issues, renames });
  }
  return { document: doc, renames, issues };
}

function assignFieldIds(
  name: string,
  def: ObjectDefinition,
  matched: string | undefined,
  cur: ObjectDefinition | undefined,
  ctx: {
    fieldOwner: Map<string, string>;
    claimId: (id: string, path: string) => void;
    newId: () => string;
    issues: MetadataIssue[];
    renames: Renames;
  },
): void {
  const curFields = (cur?.properties ?? {}) as Record<string, FieldDefinition>;
  const curFieldById = new Map(Object.entries(curFields).map(([n, f]) => [f['x-id'] ?? n, n]));
  const claimed = new Map<string, string>();
  const match = new Map<string, string | undefined>();
  const fields = def.properties as Record<string, FieldDefinition>;
  for (const [fname, f] of Object.entries(fields)) {
    if (!f || typeof f !== 'object') continue;
    const path = pointer('objects', name, 'properties', fname);
    let m: string | undefined;
    if (f['x-id']) {
      m = curFieldById.get(f['x-id']);
      const owner = ctx.fieldOwner.get(f['x-id']);
      if (!m && owner && owner !== matched)
        ctx.issues.push({
          path: `${path}/x-id`,
          message: `That field belongs to ${owner}: fields cannot move between objects`,
        });
    } else if (f['x-renamed-from']) {
      m = curFields[f['x-renamed-from']] ? f['x-renamed-from'] : undefined;
      if (!m)
        ctx.issues.push({ path: `${path}/x-renamed-from`, message: `No field "${f['x-renamed-from']}" to rename` });
    }
    if (m) {
      if (claimed.has(m)) ctx.issues.push({ path, message: `"${m}" is already renamed to ${claimed.get(m)}` });
      else claimed.set(m, fname);
    }
    match.set(fname, m);
  }
  for (const [fname, f] of Object.entries(fields)) {
    if (!f || match.get(fname) || f['x-id'] || f['x-renamed-from']) continue;
    if (curFields[fname] && !claimed.has(fname)) {
      claimed.set(fname, fname);
      match.set(fname, fname);
    }
  }
  for (const [fname, f] of Object.entries(fields)) {
    if (!f || typeof f !== 'object') continue;
    const m = match.get(fname);
    f['x-id'] = f['x-id'] ?? (m ? curFields[m]?.['x-id'] : undefined) ?? ctx.newId();
    delete f['x-renamed-from'];
    ctx.claimId(f['x-id'], pointer('objects', name, 'properties', fname));
    if (m && m !== fname) ctx.renames.fields.push({ object: name, from: m, to: fname });
  }
}
