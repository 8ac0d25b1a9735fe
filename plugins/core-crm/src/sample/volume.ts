import type { TemplateDocument } from '@forma/platform/plugin-api';
import { type Random, random } from './random';

/**
 * Bulk sample data ("volume") on top of a template's named sample records ("the story"). Each
 * template lists generators (templates/extras/); each generator adds rows through a context that
 * follows the template's document: a field the document does not have, or computes (formula,
 * roll-up, autonumber), is left out, so a consultant's or another module's change to an object does
 * not break the sample data. Every row is marked `_volume` (the loader skips those when the runtime
 * keeps sample data to the story, as tests do) and dates are relative (`$today-30`, resolved by the
 * loader with the runtime clock when the tenant is created).
 */
export type Row = Record<string, unknown>;
export type SampleData = Record<string, Row[]>;

type Property = Record<string, unknown> & { enum?: unknown[] };
type ObjectDef = { properties?: Record<string, Property>; required?: string[] };

export interface VolumeContext {
  readonly template: TemplateDocument;
  readonly rnd: Random;
  /** The story's rows and users (read only). */
  readonly story: SampleData;
  /** Rows generated so far, per object (generators later in the list build on earlier ones). */
  readonly rows: SampleData;
  /** What generators share (the core's accounts, deals, products…), by name. */
  readonly shared: Record<string, unknown>;
  /** Whether the template has this object (and field). */
  has(object: string, field?: string): boolean;
  /** The values of a select field, or undefined when it is free text (or absent). */
  choices(object: string, field: string): string[] | undefined;
  /** Adds a row (fitted to the document) and returns its `_key`; false when the object is absent. */
  add(object: string, row: Row): boolean;
}

export interface VolumeGenerator {
  name: string;
  generate(ctx: VolumeContext): void;
}

/** A relative date for the loader: `day(-30)` → `"$today-30"`, resolved when the tenant is created. */
export const day = (offset: number): string =>
  offset === 0 ? '$today' : `$today${offset > 0 ? '+' : '-'}${Math.abs(Math.round(offset))}`;

/** A relative date-time: `hoursFromNow(-2)` → `"$now-2h"`. */
export const hoursFromNow = (offset: number): string =>
  offset === 0 ? '$now' : `$now${offset > 0 ? '+' : '-'}${Math.abs(Math.round(offset))}h`;

function objects(t: TemplateDocument): Record<string, ObjectDef> {
  return (t.document.objects ?? {}) as unknown as Record<string, ObjectDef>;
}

const COMPUTED = ['x-formula', 'x-rollup', 'x-autonumber'];

/** Keeps the fields the document lets a client write; line items are fitted to their own object. */
function fit(defs: Record<string, ObjectDef>, object: string, row: Row): Row {
  const props = defs[object]?.properties ?? {};
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === '_then' || name === '_finally') {
      // Later steps (docs/plugins.md) are fitted like the row: a field the document lacks is left out.
      const steps = (value as Row[]).map((step) => fit(defs, object, step)).filter((step) => Object.keys(step).length);
      if (steps.length) out[name] = steps;
      continue;
    }
    if (name.startsWith('_')) {
      out[name] = value;
      continue;
    }
    const p = props[name];
    if (!p || COMPUTED.some((k) => k in p)) continue;
    const kids = p['x-children'] as { object: string } | undefined;
    out[name] = kids && Array.isArray(value) ? value.map((v) => fit(defs, kids.object, v as Row)) : value;
  }
  return out;
}

/**
 * The template with its volume generated (seeded: the same template gives the same rows) and merged
 * after the story, objects ordered so that every `"@key"` points at a row inserted before it.
 */
export function withVolume(template: TemplateDocument, generators: VolumeGenerator[], seed: number): TemplateDocument {
  if (!generators.length) return template;
  const defs = objects(template);
  const story = (template.sampleData ?? {}) as SampleData;
  const rows: SampleData = {};
  const ctx: VolumeContext = {
    template,
    rnd: random(seed),
    story,
    rows,
    shared: {},
    has: (object, field) => Boolean(defs[object] && (!field || defs[object]!.properties?.[field])),
    choices(object, field) {
      const values = defs[object]?.properties?.[field]?.enum;
      return Array.isArray(values) ? values.map(String) : undefined;
    },
    add(object, row) {
      if (object !== 'users' && !defs[object]) return false;
      if (!rows[object]) rows[object] = [];
      rows[object].push({ ...(object === 'users' ? row : fit(defs, object, row)), _volume: true });
      return true;
    },
  };
  for (const g of generators) g.generate(ctx);
  return { ...template, sampleData: merge(story, rows) as TemplateDocument['sampleData'] };
}

/**
 * Story rows first, then volume rows, object by object; objects ordered by the references their rows
 * actually make (a row's `"@key"` names a row of another object that must be inserted first).
 * Within an object, volume rows are grouped by owner: the loader inserts a run of one owner's rows
 * in one batch.
 */
export function merge(story: SampleData, volume: SampleData): SampleData {
  const names = [...new Set(['users', ...Object.keys(story), ...Object.keys(volume)])];
  const all: SampleData = {};
  for (const n of names) {
    const v = volume[n] ?? [];
    const refersToOwn = v.some((r) => refs(r).some((k) => v.some((o) => o._key === k)));
    const ordered = refersToOwn ? v : stableGroupBy(v, (r) => String(r._owner ?? ''));
    const rows = [...(story[n] ?? []), ...ordered];
    if (rows.length) all[n] = rows;
  }
  const owner = new Map<string, string>();
  for (const [n, rows] of Object.entries(all)) for (const r of rows) if (r._key) owner.set(String(r._key), n);
  const deps = new Map<string, Set<string>>();
  for (const [n, rows] of Object.entries(all)) {
    const d = new Set<string>();
    for (const r of rows)
      for (const k of refs(r)) {
        const o = owner.get(k);
        if (o && o !== n && o !== 'users') d.add(o);
      }
    deps.set(n, d);
  }
  const order: string[] = [];
  const left = Object.keys(all);
  while (left.length) {
    const i = left.findIndex((n) => [...deps.get(n)!].every((d) => order.includes(d)));
    // A cycle cannot be ordered: keep the remaining objects as they were listed.
    const next = left.splice(Math.max(i, 0), 1)[0]!;
    order.push(next);
  }
  if (order.includes('users')) {
    order.splice(order.indexOf('users'), 1);
    order.unshift('users');
  }
  return Object.fromEntries(order.map((n) => [n, all[n]!]));
}

function refs(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.startsWith('@')) out.push(value.slice(1));
  else if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (k !== '_key') refs(v, out);
  return out;
}

function stableGroupBy(rows: Row[], key: (r: Row) => string): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].flat();
}
