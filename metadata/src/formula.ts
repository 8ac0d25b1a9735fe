import { parseExpressionAt, type Node } from 'acorn';
import { simple } from 'acorn-walk';

/**
 * `reads`: the fields of the record the value depends on (ordering and cycle checks). `reveals`:
 * every field whose value can show through the result — `reads` plus `old.<field>` reads — or `'all'`
 * when the expression reaches the record or its old values some other way (`record[key]`,
 * `JSON.stringify(record)`, `arguments`), so field security can hide the formula from whoever may not
 * read one of them.
 */
export type ParsedFormula = { ok: true; reads: string[]; reveals: string[] | 'all' } | { ok: false; error: string };

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
  const reads = recordReads(ast);
  return { ok: true, reads, reveals: revealedFields(ast, reads) };
}

/** The fields an expression can show (see `ParsedFormula.reveals`). */
function revealedFields(ast: Node, reads: string[]): string[] | 'all' {
  const names = new Set(['record', 'old']);
  const fields = new Set(reads);
  let staticUses = 0;
  let uses = 0;
  let opaque = false;
  simple(ast, {
    Identifier(node) {
      const name = (node as unknown as { name: string }).name;
      if (name === 'arguments') opaque = true;
      if (names.has(name)) uses += 1;
    },
    MemberExpression(node) {
      const m = node as unknown as {
        object: { type: string; name?: string };
        property: { type: string; name?: string; value?: unknown };
        computed: boolean;
      };
      if (m.object.type !== 'Identifier' || !names.has(m.object.name ?? '')) return;
      const field =
        !m.computed && m.property.type === 'Identifier'
          ? m.property.name
          : m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string'
            ? m.property.value
            : undefined;
      if (field === undefined) return;
      staticUses += 1;
      fields.add(field);
    },
  });
  // Any use of `record` or `old` other than `.field` can reach every field.
  return opaque || uses > staticUses ? 'all' : [...fields];
}
