/**
 * Turns one CSV cell (always text) into the JSON value its field expects, so CSV rows go through the
 * same ajv validators as JSON records. The written forms are exactly what the CSV export produces,
 * so an exported file imports back unchanged. JSON imports keep their typed values as given.
 */
import type { FieldModel } from '../model/load-model';
import { unescapeFormula } from './csv-formula-escape';

export type Coerced = { ok: true; value: unknown } | { ok: false; error: string };

/** Separator of multi-select values in one CSV cell (`hot;cold`). */
export const MULTI_SEPARATOR = ';';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

function schemaType(field: FieldModel): string | undefined {
  const t = field.valueSchema.type;
  return typeof t === 'string' ? t : undefined;
}

/**
 * An empty cell means "no value": null. Numbers are plain decimals (`1234.5`, no thousands
 * separators, so `1,5` is never silently read as 15); booleans accept true/false, yes/no, 1/0.
 */
export function coerceCell(field: FieldModel, written: string): Coerced {
  // The export's formula escape (`'=…`) comes off again, so an exported file imports back unchanged.
  const cell = unescapeFormula(written);
  const text = cell.trim();
  if (text === '') return { ok: true, value: null };
  switch (schemaType(field)) {
    case 'number':
      return DECIMAL.test(text) ? { ok: true, value: Number(text) } : { ok: false, error: 'Not a number' };
    case 'integer': {
      if (!INTEGER.test(text)) return { ok: false, error: 'Not an integer' };
      const n = Number(text);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, error: 'Integer out of range' };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, error: 'Not a yes/no value (true/false)' };
    }
    case 'array':
      return {
        ok: true,
        value: text
          .split(MULTI_SEPARATOR)
          .map((s) => s.trim())
          .filter(Boolean),
      };
    default:
      // Text keeps inner whitespace as written; only the cell's edges are trimmed for non-text kinds.
      return { ok: true, value: field.resultKind === 'text' || field.resultKind === 'textarea' ? cell : text };
  }
}
