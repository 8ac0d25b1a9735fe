import { parseExpressionAt, type Node } from 'acorn';
import { simple } from 'acorn-walk';

export type ParsedFormula = { ok: true; reads: string[] } | { ok: false; error: string };

/** Reads of `record.<field>` / `record['<field>']` in a parsed expression or program. */
export function recordReads(ast: Node, recordName = 'record'): string[] {
  const reads = new Set<string>();
  simple(ast, {
    MemberExpression(node) {
      const m = node as unknown as {
        object: { type: string; name?: string };
        property: { type: string; name?: string; value?: unknown };
        computed: boolean;
      };
      if (m.object.type !== 'Identifier' || m.object.name !== recordName) return;
      if (!m.computed && m.property.type === 'Identifier' && m.property.name) reads.add(m.property.name);
      else if (m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string')
        reads.add(m.property.value);
    },
  });
  return [...reads];
}

/**
 * Parses an `x-formula` expression (never evaluates it: that happens in the script sandbox) to
 * refuse syntax errors and to find the fields it reads, for dependency tracking and cycle checks.
 */
export function parseFormula(expression: string): ParsedFormula {
  let ast: Node;
  try {
    ast = parseExpressionAt(expression, 0, { ecmaVersion: 2022 });
  } catch (e) {
    return { ok: false, error: `Syntax error: ${(e as Error).message}` };
  }
  if (expression.slice(ast.end).trim() !== '') {
    return { ok: false, error: `Unexpected text after the expression at position ${ast.end}` };
  }
  return { ok: true, reads: recordReads(ast) };
}
