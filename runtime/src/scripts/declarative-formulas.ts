import { compileDeclarativeFormula, type FormulaFn } from '@forma/metadata/formula-eval';
import { scriptFailed } from '../errors';
import type { RecordData } from './script-types';

/**
 * Formulas evaluated in the server process: an `x-formula` is an expression, and when it is
 * declarative (arithmetic, comparisons, `? :`, Math and date functions over `record.<field>`, the
 * allow-list of `@forma/metadata/formula-eval`, which the record form already uses to show the value
 * as people type) it needs no JavaScript engine. A save whose object has such formulas and no
 * validate/beforeSave scripts never crosses the process boundary to the sandbox; anything else
 * (`old`, `user`, a method call, a statement) still runs there, unchanged.
 *
 * The results are what the sandbox would store: the formulas run in their dependency order, each on
 * the record as JSON (what the sandbox receives) with the earlier formulas' results, and each value
 * goes through a JSON copy (`undefined` and non-finite numbers become `null`).
 */
export class DeclarativeFormulas {
  /** Expression → its compiled function, or null when it is not declarative. Bounded: cleared when full. */
  private readonly cache = new Map<string, FormulaFn | null>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The formulas compiled in order, or undefined when any of them must run in the sandbox. */
  compile(formulas: Record<string, string>): [string, FormulaFn][] | undefined {
    const out: [string, FormulaFn][] = [];
    for (const [field, expression] of Object.entries(formulas)) {
      const fn = this.compiled(expression);
      if (!fn) return undefined;
      out.push([field, fn]);
    }
    return out;
  }

  /** Runs compiled formulas on `record` and answers `field → value`, as the sandbox's save would. */
  run(object: string, compiled: [string, FormulaFn][], record: RecordData): RecordData {
    const current = JSON.parse(JSON.stringify(record)) as RecordData;
    const changes: RecordData = {};
    for (const [field, fn] of compiled) {
      let value: unknown;
      try {
        value = fn(current);
      } catch (err) {
        // The sandbox's words for a formula that throws (script-failure.ts), with the same reason.
        throw scriptFailed(`The formula of field "${field}" failed: ${(err as Error)?.message ?? String(err)}`, {
          reason: 'error',
          object,
        });
      }
      const json = value === undefined ? undefined : JSON.stringify(value);
      const copy = json === undefined ? null : (JSON.parse(json) as unknown);
      changes[field] = copy;
      current[field] = copy;
    }
    return changes;
  }

  private compiled(expression: string): FormulaFn | null {
    let fn = this.cache.get(expression);
    if (fn === undefined) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      fn = compileDeclarativeFormula(expression) ?? null;
      this.cache.set(expression, fn);
    }
    return fn;
  }
}
