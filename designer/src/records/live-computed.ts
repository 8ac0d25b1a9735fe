import { describeField } from '@forma/metadata/field-kinds';
import { compileDeclarativeFormula, type FormulaFn } from '@forma/metadata/formula-eval';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';

type Row = Record<string, unknown>;
type Objects = Record<string, ObjectSchema | undefined>;

interface Formula {
  name: string;
  fn: FormulaFn;
  scale: number | null;
}

/** The stored value's rounding, as the column the server writes it to (numeric scale, bigint). */
function scaleOf(f: FieldSchema): number | null {
  const column = describeField(f as unknown as Parameters<typeof describeField>[0])?.column;
  if (column?.base === 'bigint') return 0;
  return column?.base === 'numeric' ? (column.scale ?? null) : null;
}

function stored(v: unknown, scale: number | null): unknown {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    return scale === null ? v : Math.round(v * 10 ** scale) / 10 ** scale;
  }
  return v;
}

/** Declarative formulas of an object; a formula the browser cannot evaluate stops its dependants too. */
function formulasOf(object: ObjectSchema | undefined): Formula[] | undefined {
  const out: Formula[] = [];
  for (const [name, f] of Object.entries(object?.properties ?? {})) {
    const expr = f['x-formula'];
    if (typeof expr !== 'string') continue;
    const fn = compileDeclarativeFormula(expr);
    if (!fn) return undefined;
    out.push({ name, fn, scale: scaleOf(f) });
  }
  return out;
}

/** Formulas may read each other in any declared order: passes until nothing moves (bounded). */
function applyFormulas(row: Row, formulas: readonly Formula[]): Row {
  const out = { ...row };
  for (let pass = 0; pass < 5; pass++) {
    let moved = false;
    for (const f of formulas) {
      const v = stored(f.fn(out), f.scale);
      if (!Object.is(v, out[f.name])) {
        out[f.name] = v;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}

function aggregate(op: string, values: unknown[]): number | string | null {
  if (op === 'count') return values.length;
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  if (op === 'count_distinct') return new Set(present.map((v) => JSON.stringify(v))).size;
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (op === 'sum') return nums.reduce((a, b) => a + b, 0);
  // Dates as the API writes them (ISO 8601, one format per field): their text order is their time order.
  const texts = present.filter((v): v is string => typeof v === 'string');
  if (!nums.length && texts.length && (op === 'min' || op === 'max'))
    return texts.reduce((a, b) => ((op === 'min' ? b < a : b > a) ? b : a));
  if (!nums.length) return null;
  if (op === 'min') return Math.min(...nums);
  if (op === 'max') return Math.max(...nums);
  if (op === 'avg') return nums.reduce((a, b) => a + b, 0) / nums.length;
  return null;
}

/**
 * What the server will store for the form's computed fields, before saving: each line's formulas,
 * the parent's line-item roll-ups, then the parent's formulas — when every formula involved is
 * declarative (`compileDeclarativeFormula`). Undefined when there is nothing the browser can compute,
 * so the form shows the server's values as before.
 */
export function liveComputer(objects: Objects, object: ObjectSchema): ((data: Row) => Row) | undefined {
  const formulas = formulasOf(object);
  if (!formulas) return undefined;
  const lines: { field: string; formulas: Formula[] }[] = [];
  const rollups: { field: string; children: string; op: string; of?: string; scale: number | null }[] = [];
  for (const [name, f] of Object.entries(object.properties ?? {})) {
    const children = f['x-children'] as { object?: string } | undefined;
    if (children?.object) {
      const childFormulas = formulasOf(objects[children.object]);
      if (!childFormulas) return undefined;
      lines.push({ field: name, formulas: childFormulas });
    }
    const r = f['x-rollup'] as { children?: string; op?: string; field?: string; filter?: unknown } | undefined;
    if (r?.children && r.op) {
      // A filtered roll-up counts only some lines: the server's answer, not a guess.
      if (r.filter !== undefined) return undefined;
      rollups.push({
        field: name,
        children: r.children,
        op: r.op,
        ...(r.field ? { of: r.field } : {}),
        scale: scaleOf(f),
      });
    }
  }
  if (!formulas.length && !lines.some((l) => l.formulas.length) && !rollups.length) return undefined;
  return (data) => {
    const out: Row = { ...data };
    for (const l of lines) {
      const rows = out[l.field];
      if (Array.isArray(rows) && l.formulas.length) out[l.field] = rows.map((r: Row) => applyFormulas(r, l.formulas));
    }
    for (const r of rollups) {
      const rows = out[r.children];
      if (!Array.isArray(rows)) continue;
      out[r.field] = stored(
        aggregate(
          r.op,
          rows.map((x: Row) => (r.of ? x[r.of] : x)),
        ),
        r.scale,
      );
    }
    return applyFormulas(out, formulas);
  };
}
