/**
 * The formula editor's function list: what a declarative formula may call (the server's formula
 * sandbox, docs/metadata.md "Formula fields"), each with the text inserted at the cursor and where
 * the cursor lands afterwards (inside the parentheses, at the first argument).
 */
export interface FormulaFunction {
  /** Locale key `objectDesigner.formulaFn_<id>`. */
  id: string;
  /** How it is shown in the list. */
  shown: string;
  /** What is inserted; `caret` is where the cursor goes in it. */
  text: string;
  caret: number;
}

const call = (id: string, name: string, args: string): FormulaFunction => ({
  id,
  shown: `${name}(${args})`,
  text: `${name}()`,
  caret: name.length + 1,
});
const op = (id: string, symbol: string): FormulaFunction => ({
  id,
  shown: symbol,
  text: ` ${symbol} `,
  caret: symbol.length + 2,
});

export const FORMULA_FUNCTIONS: FormulaFunction[] = [
  call('round', 'Math.round', 'x'),
  call('floor', 'Math.floor', 'x'),
  call('ceil', 'Math.ceil', 'x'),
  call('abs', 'Math.abs', 'x'),
  call('min', 'Math.min', 'a, b'),
  call('max', 'Math.max', 'a, b'),
  { id: 'today', shown: 'today()', text: 'today()', caret: 7 },
  call('days_since', 'days_since', 'date'),
  call('days_between', 'days_between', 'a, b'),
  op('add', '+'),
  op('subtract', '-'),
  op('multiply', '*'),
  op('divide', '/'),
  { id: 'parens', shown: '( )', text: '()', caret: 1 },
  { id: 'condition', shown: 'a ? b : c', text: ' ?  : ', caret: 3 },
  op('equals', '==='),
  op('notEquals', '!=='),
  op('greater', '>'),
  op('greaterOrEqual', '>='),
  op('less', '<'),
  op('lessOrEqual', '<='),
  op('and', '&&'),
  op('or', '||'),
  op('orElse', '??'),
];

/**
 * `text` with the function put in place of the selection [start, end): the new text and the cursor.
 * A function call wraps the selection (`record.amount` selected → `Math.round(record.amount)`).
 */
export function insertFunction(
  text: string,
  start: number,
  end: number,
  fn: FormulaFunction,
): { text: string; caret: number } {
  const selected = text.slice(start, end);
  const wraps = selected !== '' && fn.text.endsWith('()');
  const inserted = wraps ? `${fn.text.slice(0, -1)}${selected})` : fn.text;
  const caret = start + (wraps ? inserted.length : fn.caret);
  return { text: `${text.slice(0, start)}${inserted}${text.slice(end)}`, caret };
}
