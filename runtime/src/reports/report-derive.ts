/**
 * Derived report columns (`derive: [{as, expr}]`): arithmetic over one row's columns, evaluated
 * after aggregation. The expression is parsed with acorn and walked over a short allow-list of node
 * types — never handed to a JavaScript engine — so a report definition cannot run code.
 */
import type { MetadataIssueCode } from '@forma/metadata';
import { type Node, parseExpressionAt } from 'acorn';

export type Row = Record<string, unknown>;

/**
 * Evaluates the expression for row `i` of `rows` (functions look at neighbouring rows). `ordered`:
 * the value depends on the order of the rows (prev, first, running, remaining, or a column that
 * does), so it is computed once the rows are in the report's final order.
 */
export type Derived = ((rows: readonly Row[], i: number) => number | null) & { ordered?: boolean };

const FUNCTIONS: Record<string, number> = {
  prev: 1,
  total: 1,
  remaining: 1,
  running: 1,
  first: 1,
  round: 2,
  abs: 1,
};
/** Functions whose value for a row depends on the rows before or after it. */
const ORDERED_FUNCTIONS = new Set(['prev', 'remaining', 'running', 'first']);
const MAX_NODES = 200;

type Ast = Node & Record<string, unknown>;

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

/**
 * A refused derived expression: the English `message`, and a metadata issue code with its facts so
 * the designer can say the same in the admin's language.
 */
export class DeriveError extends Error {
  constructor(
    message: string,
    readonly code: MetadataIssueCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'DeriveError';
  }
}

/** Parses `expr`, or throws a DeriveError whose message says what is wrong (shown to the admin at save). */
export function compileDerived(
  expr: string,
  columns: ReadonlySet<string>,
  orderedColumns: ReadonlySet<string> = new Set(),
): Derived {
  let ast: Ast;
  try {
    ast = parseExpressionAt(expr, 0, { ecmaVersion: 2022 }) as Ast;
  } catch (e) {
    // acorn's position is 0-based; the admin counts characters from 1.
    const pos = (e as { pos?: number }).pos;
    throw new DeriveError(`Syntax error: ${(e as Error).message}`, 'derive_syntax', {
      position: (typeof pos === 'number' ? pos : 0) + 1,
    });
  }
  if (expr.slice(ast.end).trim() !== '')
    throw new DeriveError(`Unexpected text at position ${ast.end}`, 'derive_trailing', { position: ast.end + 1 });
  let nodes = 0;
  let ordered = false;
  const column = (n: Ast): string => {
    if (n.type !== 'Identifier')
      throw new DeriveError('Functions take a column of the report', 'derive_function_column');
    const name = String(n.name);
    if (!columns.has(name))
      throw new DeriveError(
        `Unknown column "${name}" (the report has: ${[...columns].join(', ')})`,
        'derive_unknown_column',
        { column: name, columns: [...columns].join(', ') },
      );
    if (orderedColumns.has(name)) ordered = true;
    return name;
  };
  const build = (n: Ast): Derived => {
    if (++nodes > MAX_NODES) throw new DeriveError('Expression too long', 'derive_too_long', { limit: MAX_NODES });
    switch (n.type) {
      case 'Literal': {
        const v = num(n.value);
        if (typeof n.value !== 'number' || v === null)
          throw new DeriveError('Only numbers may be written as values', 'derive_numbers_only');
        return () => v;
      }
      case 'Identifier': {
        const name = column(n);
        return (rows, i) => num(rows[i]?.[name]);
      }
      case 'UnaryExpression': {
        if (n.operator !== '-' && n.operator !== '+')
          throw new DeriveError(`Operator ${String(n.operator)} is not allowed`, 'derive_operator', {
            op: String(n.operator),
          });
        const arg = build(n.argument as Ast);
        const sign = n.operator === '-' ? -1 : 1;
        return (rows, i) => {
          const v = arg(rows, i);
          return v === null ? null : sign * v;
        };
      }
      case 'BinaryExpression': {
        const op = n.operator as string;
        if (!['+', '-', '*', '/'].includes(op))
          throw new DeriveError(`Operator ${op} is not allowed`, 'derive_operator', { op });
        const l = build(n.left as Ast);
        const r = build(n.right as Ast);
        return (rows, i) => {
          const a = l(rows, i);
          const b = r(rows, i);
          if (a === null || b === null) return null;
          if (op === '/') return b === 0 ? null : a / b;
          return op === '+' ? a + b : op === '-' ? a - b : a * b;
        };
      }
      case 'CallExpression': {
        const callee = n.callee as Ast;
        const args = n.arguments as Ast[];
        const fn = callee.type === 'Identifier' ? (callee.name as string) : '';
        if (!Object.hasOwn(FUNCTIONS, fn))
          throw new DeriveError(`Unknown function: ${fn || callee.type}`, 'derive_unknown_function', {
            fn: fn || callee.type,
          });
        if (args.length !== FUNCTIONS[fn])
          throw new DeriveError(`${fn} takes ${FUNCTIONS[fn]} argument(s)`, 'derive_arguments', {
            fn,
            count: FUNCTIONS[fn] ?? 0,
          });
        if (ORDERED_FUNCTIONS.has(fn)) ordered = true;
        if (fn === 'round') {
          const x = build(args[0]!);
          const digits = args[1]!;
          if (digits.type !== 'Literal' || typeof digits.value !== 'number')
            throw new DeriveError('round(x, digits)', 'derive_round_digits');
          const f = 10 ** Math.min(Math.max(0, Math.trunc(digits.value)), 10);
          return (rows, i) => {
            const v = x(rows, i);
            return v === null ? null : Math.round(v * f) / f;
          };
        }
        if (fn === 'abs') {
          const x = build(args[0]!);
          return (rows, i) => {
            const v = x(rows, i);
            return v === null ? null : Math.abs(v);
          };
        }
        const name = column(args[0]!);
        const at = (rows: readonly Row[], j: number) => num(rows[j]?.[name]);
        const sum = (rows: readonly Row[], from: number) => {
          let s = 0;
          for (let j = from; j < rows.length; j++) s += at(rows, j) ?? 0;
          return s;
        };
        if (fn === 'prev') return (rows, i) => (i === 0 ? null : at(rows, i - 1));
        if (fn === 'first') return (rows) => at(rows, 0);
        if (fn === 'total') return (rows) => sum(rows, 0);
        if (fn === 'running')
          return (rows, i) => {
            let s = 0;
            for (let j = 0; j <= i; j++) s += at(rows, j) ?? 0;
            return s;
          };
        return (rows, i) => sum(rows, i); // remaining: this row and every later one
      }
      default:
        throw new DeriveError(
          `${n.type} is not allowed: use numbers, columns, + - * / and the report functions`,
          'derive_not_allowed',
        );
    }
  };
  const fn: Derived = build(ast);
  fn.ordered = ordered;
  return fn;
}

/**
 * A report's derived columns in definition order, each marked `ordered` when it depends on the
 * order of the rows — directly or through an earlier derived column it reads. Throws the first
 * expression's error with its index (`index` on the error).
 */
export function compileReportDerived(
  derive: ReadonlyArray<{ as: string; expr: string }>,
  base: Iterable<string>,
): { as: string; fn: Derived }[] {
  const known = new Set(base);
  const ordered = new Set<string>();
  return derive.map((d, index) => {
    let fn: Derived;
    try {
      fn = compileDerived(d.expr, known, ordered);
    } catch (err) {
      throw Object.assign(err as Error, { index });
    }
    known.add(d.as);
    if (fn.ordered) ordered.add(d.as);
    return { as: d.as, fn };
  });
}

/** Adds each derived column to every row, in definition order (a later one may read an earlier one). */
export function applyDerived(rows: Row[], derived: ReadonlyArray<{ as: string; fn: Derived }>): Row[] {
  for (const d of derived) {
    const values = rows.map((_, i) => d.fn(rows, i));
    rows.forEach((row, i) => {
      const v = values[i] ?? null;
      row[d.as] = v === null || !Number.isFinite(v) ? null : Math.round(v * 1e6) / 1e6;
    });
  }
  return rows;
}
