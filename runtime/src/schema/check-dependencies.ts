/**
 * What uses each object, field and role: lookups, line items, roll-ups, formulas, label fields,
 * scripts (best effort: `record.<field>`, `old.<field>`, `set('<field>'`, `error('<field>'`,
 * `query('<object>'`), workflows, views, forms, roles and segments. Removing or renaming something that the
 * next document still uses is refused with the list of its users.
 */
import {
  type Filter,
  type MetadataDocument,
  type MetadataIssue,
  type ObjectDefinition,
  parseFormula,
  pointer,
  USER_REF,
} from '@forma/metadata';

export interface Dependent {
  /** What kind of metadata uses it. */
  via:
    | 'lookup'
    | 'line-items'
    | 'roll-up'
    | 'formula'
    | 'label'
    | 'script'
    | 'workflow'
    | 'view'
    | 'form'
    | 'role'
    | 'segment';
  /** Who: `deal.net`, `script deal_check`, `view open_deals`, … */
  name: string;
  path: string;
  /** The user's label where it has one (segment, view, workflow, role), so a refusal names it as people know it. */
  label?: string;
}

/** `object:deal`, `field:deal.amount`, `role:director`. */
export type DependencyTarget = string;

export const objectTarget = (object: string): DependencyTarget => `object:${object}`;
export const fieldTarget = (object: string, field: string): DependencyTarget => `field:${object}.${field}`;
export const roleTarget = (role: string): DependencyTarget => `role:${role}`;

const RECORD_READ = /\b(?:record|old)\s*\.\s*([a-z][a-z0-9_]{0,62})\b/g;
const RECORD_INDEX = /\b(?:record|old)\s*\[\s*['"]([a-z][a-z0-9_]{0,62})['"]\s*\]/g;
const FIELD_CALL = /\b(?:set|error)\s*\(\s*['"]([a-z][a-z0-9_]{0,62})['"]/g;
const QUERY_CALL = /\bquery\s*\(\s*['"]([a-z][a-z0-9_]{0,62})['"]/g;

/** Fields of `object` a piece of code reads or writes, found by scanning (scripts may be TypeScript). */
export function scanCodeFields(code: string): string[] {
  const out = new Set<string>();
  for (const re of [RECORD_READ, RECORD_INDEX, FIELD_CALL]) for (const m of code.matchAll(re)) out.add(m[1]!);
  return [...out];
}

export function scanCodeObjects(code: string): string[] {
  return [...new Set([...code.matchAll(QUERY_CALL)].map((m) => m[1]!))];
}

class Collector {
  readonly uses = new Map<DependencyTarget, Dependent[]>();
  constructor(private readonly objects: Record<string, ObjectDefinition>) {}

  add(target: DependencyTarget, dep: Dependent): void {
    const list = this.uses.get(target) ?? [];
    if (!list.some((d) => d.path === dep.path && d.via === dep.via)) list.push(dep);
    this.uses.set(target, list);
  }

  /** `field` of `object` or a path through lookups (`account.region.name`): every field it crosses. */
  addPath(object: string, path: string, dep: Dependent): void {
    let on: string | undefined = object;
    for (const seg of path.split('.')) {
      if (!on) return;
      this.add(fieldTarget(on, seg), dep);
      const ref: string | undefined = this.objects[on]?.properties[seg]?.['x-ref'];
      on = ref && ref !== USER_REF ? ref : undefined;
    }
  }

  addFilter(object: string, filter: Filter | undefined, dep: Dependent): void {
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (key === 'and' || key === 'or') for (const sub of (value as Filter[]) ?? []) this.addFilter(object, sub, dep);
      else this.addPath(object, key, dep);
    }
  }

  addCode(object: string, code: string | undefined, dep: Dependent): void {
    if (!code) return;
    for (const f of scanCodeFields(code)) this.add(fieldTarget(object, f), dep);
    for (const o of scanCodeObjects(code)) this.add(objectTarget(o), dep);
  }
}

/** Every dependency the document declares, by what is used. */
export function findDependencies(doc: MetadataDocument): Map<DependencyTarget, Dependent[]> {
  const objects = (doc.objects ?? {}) as Record<string, ObjectDefinition>;
  const c = new Collector(objects);
  for (const [oname, def] of Object.entries(objects)) {
    const label = def['x-label-field'];
    if (label)
      c.add(fieldTarget(oname, label), {
        via: 'label',
        name: oname,
        path: `${pointer('objects', oname)}/x-label-field`,
      });
    for (const [fname, f] of Object.entries(def.properties)) {
      if (!f) continue;
      const path = pointer('objects', oname, 'properties', fname);
      const name = `${oname}.${fname}`;
      if (f['x-ref'] && f['x-ref'] !== USER_REF) c.add(objectTarget(f['x-ref']), { via: 'lookup', name, path });
      const children = f['x-children'];
      if (children) {
        c.add(objectTarget(children.object), { via: 'line-items', name, path });
        if (children.field) c.add(fieldTarget(children.object, children.field), { via: 'line-items', name, path });
      }
      const rollup = f['x-rollup'];
      if (rollup?.children !== undefined) {
        c.add(fieldTarget(oname, rollup.children), { via: 'roll-up', name, path });
        const child = def.properties[rollup.children]?.['x-children']?.object;
        if (child && rollup.field) c.add(fieldTarget(child, rollup.field), { via: 'roll-up', name, path });
      } else if (rollup?.object) {
        const dep: Dependent = { via: 'roll-up', name, path };
        c.add(objectTarget(rollup.object), dep);
        if (rollup.via) c.add(fieldTarget(rollup.object, rollup.via), dep);
        if (rollup.field) c.add(fieldTarget(rollup.object, rollup.field), dep);
        c.addFilter(rollup.object, rollup.filter, dep);
      }
      if (f['x-formula'] !== undefined) {
        const parsed = parseFormula(f['x-formula']);
        if (parsed.ok) for (const read of parsed.reads) c.add(fieldTarget(oname, read), { via: 'formula', name, path });
      }
    }
  }
  for (const [sname, s] of Object.entries(doc.scripts ?? {})) {
    if (!s) continue;
    const dep: Dependent = { via: 'script', name: `script ${sname}`, path: pointer('scripts', sname) };
    c.add(objectTarget(s.object), dep);
    c.addCode(s.object, s.code, dep);
  }
  for (const [wname, w] of Object.entries(doc.workflows ?? {})) {
    if (!w) continue;
    const dep: Dependent = {
      via: 'workflow',
      name: `workflow ${wname}`,
      path: pointer('workflows', wname),
      ...(w.label ? { label: w.label } : {}),
    };
    c.add(objectTarget(w.object), dep);
    c.addCode(w.object, w.trigger?.condition, dep);
    for (const e of w.edges) c.addCode(w.object, e.data?.condition, dep);
    for (const n of w.nodes) {
      for (const key of Object.keys(n.data.set ?? {})) c.add(fieldTarget(w.object, key), dep);
      for (const a of [...(n.data.approvers ?? []), ...(n.data.escalation?.to ? [n.data.escalation.to] : [])]) {
        if ('field' in a) c.add(fieldTarget(w.object, a.field), dep);
        if ('role' in a) c.add(roleTarget(a.role), dep);
      }
    }
  }
  for (const [vname, v] of Object.entries(doc.views ?? {})) {
    if (!v) continue;
    const dep: Dependent = {
      via: 'view',
      name: `view ${vname}`,
      path: pointer('views', vname),
      ...(v.label ? { label: v.label } : {}),
    };
    c.add(objectTarget(v.object), dep);
    for (const col of v.columns) c.addPath(v.object, col, dep);
    for (const key of v.sort ?? []) c.addPath(v.object, key.replace(/^-/, ''), dep);
    c.addFilter(v.object, v.filter, dep);
  }
  for (const [fname, form] of Object.entries(doc.forms ?? {})) {
    if (!form) continue;
    const dep: Dependent = { via: 'form', name: `form ${fname}`, path: pointer('forms', fname) };
    c.add(objectTarget(form.object), dep);
    for (const key of Object.keys(form.uiSchema)) if (!key.startsWith('ui:')) c.add(fieldTarget(form.object, key), dep);
    const order = form.uiSchema['ui:order'];
    if (Array.isArray(order))
      for (const key of order) if (typeof key === 'string' && key !== '*') c.add(fieldTarget(form.object, key), dep);
  }
  for (const [rname, role] of Object.entries(doc.roles ?? {})) {
    if (!role) continue;
    const dep: Dependent = {
      via: 'role',
      name: `role ${rname}`,
      path: pointer('roles', rname),
      ...(role.label ? { label: role.label } : {}),
    };
    for (const [object, grant] of Object.entries(role.objects ?? {})) {
      c.add(objectTarget(object), dep);
      for (const f of Object.keys(grant?.fields ?? {})) c.add(fieldTarget(object, f), dep);
    }
    for (const rule of role.sharing ?? []) {
      c.add(objectTarget(rule.object), dep);
      c.addFilter(rule.object, rule.filter, dep);
    }
  }
  for (const [sname, seg] of Object.entries(doc.segments ?? {})) {
    if (!seg) continue;
    const dep: Dependent = {
      via: 'segment',
      name: `segment ${sname}`,
      path: pointer('segments', sname),
      label: seg.label,
    };
    c.add(objectTarget(seg.object), dep);
    c.addFilter(seg.object, seg.filter as Filter, dep);
    for (const r of seg.roles ?? []) c.add(roleTarget(r), dep);
  }
  return c.uses;
}

/** Objects, fields and roles of a document, as dependency targets. */
export function targetsOf(doc: MetadataDocument): Set<DependencyTarget> {
  const out = new Set<DependencyTarget>();
  for (const [oname, def] of Object.entries(doc.objects ?? {})) {
    if (!def) continue;
    out.add(objectTarget(oname));
    for (const fname of Object.keys(def.properties)) out.add(fieldTarget(oname, fname));
  }
  for (const r of Object.keys(doc.roles ?? {})) out.add(roleTarget(r));
  return out;
}

/**
 * Things present in `current`, gone from `next` (removed or renamed), and still used by `next`,
 * each with its users.
 */
export function removedButUsed(
  current: MetadataDocument,
  next: MetadataDocument,
  systemFields: ReadonlySet<string>,
): Record<DependencyTarget, Dependent[]> {
  const before = targetsOf(current);
  const after = targetsOf(next);
  const out: Record<DependencyTarget, Dependent[]> = {};
  for (const [target, users] of findDependencies(next)) {
    if (after.has(target) || !before.has(target)) continue;
    if (target.startsWith('field:') && systemFields.has(target.split('.').pop() ?? '')) continue;
    out[target] = users;
  }
  return out;
}

/**
 * The refusal of `removedButUsed` as coded issues (`still_used`), one per user, so a client says it
 * in its language: what is gone (`kind`, `what`, and its label in `current`) and who still uses it
 * (`via`, `name`, and its label when it has one). The path is the user's: that is what to change.
 */
export function stillUsedIssues(
  used: Record<DependencyTarget, Dependent[]>,
  current: MetadataDocument,
): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  for (const [target, users] of Object.entries(used)) {
    const [kind, what] = target.split(/:(.*)/s) as [string, string];
    const whatLabel = labelOf(current, kind, what);
    for (const u of users) {
      const name = u.name.replace(/^\w+ /, '');
      const user = u.label ?? name;
      const gone = `${kind === 'field' ? 'Field' : kind === 'object' ? 'Object' : 'Role'} "${whatLabel}" (${what})`;
      const by = u.label ? `${u.via} "${u.label}" (${name})` : `${u.via} ${name}`;
      issues.push({
        path: u.path,
        code: 'still_used',
        message: `${gone} is still used by ${by}: change or remove that first`,
        params: { kind, what, whatLabel, via: u.via, name, user },
      });
    }
  }
  return issues;
}

function labelOf(doc: MetadataDocument, kind: string, what: string): string {
  if (kind === 'object') return doc.objects?.[what]?.title ?? what;
  if (kind === 'role') return doc.roles?.[what]?.label ?? what;
  const [object = '', field = ''] = what.split('.');
  return doc.objects?.[object]?.properties[field]?.title ?? what;
}
