import type { FieldKind } from '@forma/platform/plugin-api';

/**
 * A field kind: `{"type": "integer", "x-kind": "nps"}` is a 0–10 score, stored as a smallint-sized
 * bigint, shown with the `nps` widget, filterable like a number.
 */
export const npsFieldKind: FieldKind = {
  name: 'nps',
  label: 'NPS score (0–10)',
  priority: 50,
  matches: (f) => f.type === 'integer' && f['x-kind'] === 'nps',
  keywords: ['x-kind', 'default', 'x-index'],
  valueSchema: () => ({ type: 'integer', minimum: 0, maximum: 10 }),
  column: () => ({ base: 'bigint' }),
  widget: 'nps',
  operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
};
