import { isDeepStrictEqual } from 'node:util';
import { type FieldDefinition, kindOf, type MetadataDocument, type ObjectDefinition } from '@forma/metadata';
import type { ChangeSummary, SectionSummary } from './change-summary';

/**
 * One change of a plan as a business sentence's ingredients: the designer turns `code` into words in
 * the admin's language. Params carry names (stable, for tests and links) and labels (what people read);
 * `labels` has the labels' translations from the metadata's x-i18n, per language.
 */
export type ChangeItem = {
  /** The metadata section the change is about (roles, objects, fields, workflows, …). */
  section: string;
  /** The item the change is about: a role, object, workflow name, or `object.field`. */
  name: string;
  /** The item's label (falls back to its name), for the sentence's subject. */
  label: string;
  code: string;
  params: Record<string, string | number | boolean>;
  labels?: Record<string, Record<string, string>>;
};

type Doc = Partial<MetadataDocument>;
type Obj = Record<string, unknown>;

const OPERATIONS = ['create', 'read', 'update', 'delete'] as const;

function asObj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function labelOf(item: unknown, key: 'title' | 'label', fallback: string): string {
  const l = asObj(item)?.[key];
  return typeof l === 'string' && l ? l : fallback;
}

/** Translated labels of an item from its x-i18n: language → its title/label. */
function i18nOf(item: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [lang, t] of Object.entries(asObj(asObj(item)?.['x-i18n']) ?? {})) {
    const tt = asObj(t);
    const l = tt?.title ?? tt?.label;
    if (typeof l === 'string' && l) out[lang] = l;
  }
  return out;
}

/** Collects translations of labelled params into item.labels. */
class Labels {
  readonly byLang: Record<string, Record<string, string>> = {};
  add(param: string, item: unknown) {
    for (const [lang, l] of Object.entries(i18nOf(item))) {
      const bucket = this.byLang[lang] ?? {};
      bucket[param] = l;
      this.byLang[lang] = bucket;
    }
  }
  get(): Record<string, Record<string, string>> | undefined {
    return Object.keys(this.byLang).length ? this.byLang : undefined;
  }
}

function scopeOf(v: unknown): string {
  if (v === true) return 'all';
  return typeof v === 'string' && v ? v : 'none';
}

/**
 * The plan's changes as business changes: who may now do what (roles), which objects and fields
 * come and go or change label, type or being required, and a generic line for the other sections.
 * Built from the same `summary` the history keeps, plus both documents for the details.
 */
export function describeChanges(current: Doc, next: Doc, summary: ChangeSummary): ChangeItem[] {
  const out: ChangeItem[] = [];
  const objectOf = (name: string) => next.objects?.[name] ?? current.objects?.[name];
  const objectLabel = (name: string) => labelOf(objectOf(name), 'title', name);
  const fieldOf = (object: string, field: string) =>
    (next.objects?.[object] as ObjectDefinition | undefined)?.properties?.[field] ??
    (current.objects?.[object] as ObjectDefinition | undefined)?.properties?.[field];

  for (const [section, entry] of Object.entries(summary)) {
    if (section === 'fields' || !entry) continue;
    const s = entry as SectionSummary;
    const before = (current as Record<string, Obj | undefined>)[section] ?? {};
    const after = (next as Record<string, Obj | undefined>)[section] ?? {};
    const key = section === 'objects' ? 'title' : 'label';
    const subject = (name: string, item: unknown) => {
      const labels = new Labels();
      labels.add('label', item);
      return { section, name, label: labelOf(item, key, name), labels };
    };
    const push = (name: string, item: unknown, code: string, params: ChangeItem['params'] = {}, extra?: Labels) => {
      const sub = subject(name, item);
      if (extra)
        for (const [lang, m] of Object.entries(extra.byLang))
          sub.labels.byLang[lang] = { ...sub.labels.byLang[lang], ...m };
      const labels = sub.labels.get();
      out.push({ section, name, label: sub.label, code, params, ...(labels ? { labels } : {}) });
    };
    for (const name of s.added) {
      push(name, after[name], 'added');
      if (section === 'scripts') scriptRunsOn(undefined, asObj(after[name]) ?? {}, objectLabel, objectOf, push, name);
    }
    for (const name of s.removed) push(name, before[name], 'removed');
    for (const r of s.renamed ?? []) push(r.to, after[r.to], 'renamed', { from: r.from, to: r.to });
    for (const name of s.changed) {
      const b = before[section === 'objects' ? (s.renamed?.find((r) => r.to === name)?.from ?? name) : name];
      const a = after[name];
      const n = out.length;
      const oldLabel = labelOf(b, key, name);
      const newLabel = labelOf(a, key, name);
      if (oldLabel !== newLabel) push(name, a, 'labelChanged', { from: oldLabel, to: newLabel });
      if (section === 'roles') roleChanges(asObj(b) ?? {}, asObj(a) ?? {}, objectLabel, fieldOf, objectOf, push, name);
      if (section === 'objects') {
        const bo = asObj(b) ?? {};
        const ao = asObj(a) ?? {};
        const br = new Set((bo.required as string[] | undefined) ?? []);
        const ar = new Set((ao.required as string[] | undefined) ?? []);
        for (const f of new Set([...br, ...ar])) {
          if (br.has(f) === ar.has(f) || !asObj(ao.properties)?.[f] || !asObj(bo.properties)?.[f]) continue;
          const labels = new Labels();
          labels.add('fieldLabel', fieldOf(name, f));
          push(
            name,
            a,
            'fieldRequired',
            { field: f, fieldLabel: labelOf(fieldOf(name, f), 'title', f), required: ar.has(f) },
            labels,
          );
        }
      }
      if (section === 'workflows') {
        const ids = (w: unknown) =>
          new Map(((asObj(w)?.nodes as Obj[] | undefined) ?? []).map((node) => [String(node.id), node]));
        const bn = ids(b);
        const an = ids(a);
        let steps = 0;
        for (const [id, node] of an) {
          const old = bn.get(id);
          if (!old || !isDeepStrictEqual({ ...old, position: 0 }, { ...node, position: 0 })) steps++;
        }
        for (const id of bn.keys()) if (!an.has(id)) steps++;
        if (steps) push(name, a, 'stepsChanged', { count: steps });
      }
      let moved = false;
      if (section === 'scripts') {
        const bs = asObj(b) ?? {};
        const as = asObj(a) ?? {};
        moved = bs.object !== as.object || bs.event !== as.event;
        if (bs.code !== as.code || (bs.language ?? 'js') !== (as.language ?? 'js')) push(name, a, 'codeChanged');
        if ((bs.active ?? true) !== (as.active ?? true))
          push(name, a, 'activeChanged', { active: as.active !== false });
      }
      // Anything the details above do not name is still said, in general words.
      if (out.length === n && !moved && !(section === 'objects' && summary.fields?.[name])) push(name, a, 'changed');
      // What a script change affects: the event and object it runs on (and where it ran before, if moved).
      if (section === 'scripts') scriptRunsOn(asObj(b) ?? {}, asObj(a) ?? {}, objectLabel, objectOf, push, name);
    }
  }

  for (const [object, f] of Object.entries(summary.fields ?? {})) {
    const objLabel = objectLabel(object);
    const pushField = (field: string, code: string, params: ChangeItem['params'] = {}) => {
      const def = fieldOf(object, field);
      const labels = new Labels();
      labels.add('objectLabel', objectOf(object));
      labels.add('fieldLabel', def);
      const fieldLabel = labelOf(def, 'title', field);
      const merged: Record<string, Record<string, string>> = {};
      for (const [lang, m] of Object.entries(labels.byLang))
        merged[lang] = { label: `${m.objectLabel ?? objLabel} · ${m.fieldLabel ?? fieldLabel}`, ...m };
      out.push({
        section: 'fields',
        name: `${object}.${field}`,
        label: `${objLabel} · ${fieldLabel}`,
        code,
        params: { object, objectLabel: objLabel, field, fieldLabel, ...params },
        ...(Object.keys(merged).length ? { labels: merged } : {}),
      });
    };
    const kindName = (def: unknown) => (def ? (kindOf(def as FieldDefinition)?.name ?? '') : '');
    for (const field of f.added) pushField(field, 'added', { kind: kindName(fieldOf(object, field)) });
    for (const field of f.removed) {
      const def = (current.objects?.[object] as ObjectDefinition | undefined)?.properties?.[field];
      pushField(field, 'removed', { kind: kindName(def) });
    }
    for (const r of f.renamed) pushField(r.to, 'renamed', { from: r.from, to: r.to });
    for (const field of f.changed) {
      const b = (current.objects?.[object] as ObjectDefinition | undefined)?.properties?.[field];
      const a = (next.objects?.[object] as ObjectDefinition | undefined)?.properties?.[field];
      const n = out.length;
      const oldLabel = labelOf(b, 'title', field);
      const newLabel = labelOf(a, 'title', field);
      if (oldLabel !== newLabel) pushField(field, 'labelChanged', { from: oldLabel, to: newLabel });
      const bk = kindName(b);
      const ak = kindName(a);
      if (bk !== ak) pushField(field, 'kindChanged', { from: bk, to: ak });
      if (out.length === n) pushField(field, 'changed');
    }
  }
  return out;
}

/**
 * "runs on validate of Deal": the script's event and object, by the object's label; `from…` params
 * when a changed script moved to another event or object.
 */
function scriptRunsOn(
  before: Obj | undefined,
  after: Obj,
  objectLabel: (name: string) => string,
  objectOf: (name: string) => unknown,
  push: (name: string, item: unknown, code: string, params: ChangeItem['params'], extra?: Labels) => void,
  script: string,
) {
  const object = String(after.object ?? '');
  const event = String(after.event ?? '');
  const labels = new Labels();
  labels.add('objectLabel', objectOf(object));
  const params: ChangeItem['params'] = { object, objectLabel: objectLabel(object), event };
  if (before && (before.object !== after.object || before.event !== after.event)) {
    const fromObject = String(before.object ?? '');
    labels.add('fromObjectLabel', objectOf(fromObject));
    Object.assign(params, {
      fromObject,
      fromObjectLabel: objectLabel(fromObject),
      fromEvent: String(before.event ?? ''),
    });
  }
  push(script, after, 'runsOn', params, labels);
}

function roleChanges(
  before: Obj,
  after: Obj,
  objectLabel: (name: string) => string,
  fieldOf: (object: string, field: string) => FieldDefinition | undefined,
  objectOf: (name: string) => unknown,
  push: (name: string, item: unknown, code: string, params: ChangeItem['params'], extra?: Labels) => void,
  role: string,
) {
  const bObjects = asObj(before.objects) ?? {};
  const aObjects = asObj(after.objects) ?? {};
  const roleLabel = labelOf(after, 'label', role);
  for (const object of new Set([...Object.keys(bObjects), ...Object.keys(aObjects)])) {
    const bg = asObj(bObjects[object]) ?? {};
    const ag = asObj(aObjects[object]) ?? {};
    const base = { role, roleLabel, object, objectLabel: objectLabel(object) };
    const labels = new Labels();
    labels.add('objectLabel', objectOf(object));
    labels.add('roleLabel', after);
    for (const operation of OPERATIONS) {
      const from = scopeOf(bg[operation]);
      const to = scopeOf(ag[operation]);
      if (from === to) continue;
      const code = to === 'none' ? 'revoked' : from === 'none' ? 'granted' : 'scopeChanged';
      push(role, after, code, { ...base, operation, scope: to, from }, labels);
    }
    const bf = asObj(bg.fields) ?? {};
    const af = asObj(ag.fields) ?? {};
    for (const field of new Set([...Object.keys(bf), ...Object.keys(af)])) {
      if (bf[field] === af[field]) continue;
      const def = fieldOf(object, field);
      const fl = new Labels();
      for (const [lang, m] of Object.entries(labels.byLang)) fl.byLang[lang] = { ...m };
      fl.add('fieldLabel', def);
      const access = typeof af[field] === 'string' ? (af[field] as string) : 'default';
      push(
        role,
        after,
        'fieldAccess',
        { ...base, field, fieldLabel: labelOf(def, 'title', field), access, from: String(bf[field] ?? 'default') },
        fl,
      );
    }
  }
  const bs = JSON.stringify(before.sharing ?? []);
  const as = JSON.stringify(after.sharing ?? []);
  if (bs !== as) push(role, after, 'sharingChanged', { role, roleLabel });
  if ((before.sendEmail ?? false) !== (after.sendEmail ?? false))
    push(role, after, 'sendEmail', { role, roleLabel, allowed: after.sendEmail === true });
}
