import { type Node, parseExpressionAt } from 'acorn';
import { DATE_FUNCTIONS } from './formula-dates';

/**
 * Evaluates the declarative `x-formula` expressions — arithmetic, comparisons, `||`/`&&`/`??`,
 * `? :`, a few `Math` functions and the date functions (formula-dates.ts) over `record.<field>` — without a JavaScript engine: the
 * expression is walked over an allow-list of node types, with JavaScript's own semantics for each
 * operator, so a browser can show what the server's sandbox will store (a quote line's amount as the
 * user types). Anything else (a statement, a call, `old`, a loop) is not declarative: compile
 * answers undefined and the caller waits for the server.
 */
export type FormulaFn = (record: Readonly<Record<string, unknown>>) => unknown;

type Ast = Node & Record<string, unknown>;

const MATH: Record<string, (...a: number[]) => number> = {
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  abs: Math.abs,
  min: Math.min,
  max: Math.max,
};
const MAX_NODES = 300;

/* biome-ignore lint/suspicious/noExplicitAny: JavaScript's operator semantics on any operand are the point */
type Any = any;
const BINARY: Record<string, (a: Any, b: Any) => unknown> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
  '===': (a, b) => a === b,
  '!==': (a, b) => a !== b,
  // biome-ignore lint/suspicious/noDoubleEquals: mirrors the expression's own operator
  '==': (a, b) => a == b,
  // biome-ignore lint/suspicious/noDoubleEquals: mirrors the expression's own operator
  '!=': (a, b) => a != b,
};

/** The expression as a function of the record, or undefined when it is not declarative. */
export function compileDeclarativeFormula(expression: string): FormulaFn | undefined {
  let ast: Ast;
  try {
    ast = parseExpressionAt(expression, 0, { ecmaVersion: 2022 }) as Ast;
  } catch {
    return undefined;
  }
  if (expression.slice(ast.end).trim() !== '') return undefined;
  let nodes = 0;
  const build = (n: Ast): FormulaFn | undefined => {
    if (++nodes > MAX_NODES) return undefined;
    switch (n.type) {
      case 'Literal': {
        const v = n.value;
        if (v !== null && !['number', 'string', 'boolean'].includes(typeof v)) return undefined;
        return () => v;
      }
      case 'MemberExpression': {
        const object = n.object as Ast;
        const property = n.property as Ast;
        if (object.type !== 'Identifier' || object.name !== 'record' || n.optional) return undefined;
        const field =
          !n.computed && property.type === 'Identifier' ? property.name : n.computed ? property.value : null;
        if (typeof field !== 'string') return undefined;
        return (r) => (Object.hasOwn(r, field) ? r[field] : undefined);
      }
      case 'UnaryExpression': {
        const arg = build(n.argument as Ast);
        if (!arg) return undefined;
        if (n.operator === '-') return (r) => -(arg(r) as number);
        if (n.operator === '+') return (r) => +(arg(r) as number);
        if (n.operator === '!') return (r) => !arg(r);
        return undefined;
      }
      case 'BinaryExpression': {
        const op = BINARY[n.operator as string];
        const l = build(n.left as Ast);
        const r = build(n.right as Ast);
        if (!op || !l || !r) return undefined;
        return (rec) => op(l(rec), r(rec));
      }
      case 'LogicalExpression': {
        const l = build(n.left as Ast);
        const r = build(n.right as Ast);
        if (!l || !r) return undefined;
        if (n.operator === '||') return (rec) => l(rec) || r(rec);
        if (n.operator === '&&') return (rec) => l(rec) && r(rec);
        if (n.operator === '??') return (rec) => l(rec) ?? r(rec);
        return undefined;
      }
      case 'ConditionalExpression': {
        const test = build(n.test as Ast);
        const yes = build(n.consequent as Ast);
        const no = build(n.alternate as Ast);
        if (!test || !yes || !no) return undefined;
        return (rec) => (test(rec) ? yes(rec) : no(rec));
      }
      case 'CallExpression': {
        const callee = n.callee as Ast;
        if (callee.type === 'Identifier' && !n.optional && Object.hasOwn(DATE_FUNCTIONS, callee.name as string)) {
          const { arity, fn } = DATE_FUNCTIONS[callee.name as string]!;
          const args = (n.arguments as Ast[]).map(build);
          if (args.length !== arity || args.some((a) => !a)) return undefined;
          return (rec) => fn(...args.map((a) => a!(rec)));
        }
        if (callee.type !== 'MemberExpression' || callee.computed || n.optional) return undefined;
        const obj = callee.object as Ast;
        const name = (callee.property as Ast).name as string;
        if (obj.type !== 'Identifier' || obj.name !== 'Math' || !Object.hasOwn(MATH, name)) return undefined;
        const args = (n.arguments as Ast[]).map(build);
        if (args.some((a) => !a)) return undefined;
        const fn = MATH[name]!;
        return (rec) => fn(...args.map((a) => a!(rec) as number));
      }
      default:
        return undefined;
    }
  };
  return build(ast);
}
