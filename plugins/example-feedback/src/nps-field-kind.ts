import type { FieldKind } from '@forma/platform/plugin-api';

/**
 * A field kind: `{"type": "integer", "x-kind": "nps"}` is a 0–10 score, stored as a smallint-sized
 * bigint, shown with the `nps` widget (a 0–10 scale the web app draws from `widgetSpec`), filterable
 * like a number.
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
  // Drawn by the web app from this description: eleven choices, captioned at both ends.
  widgetSpec: {
    type: 'scale',
    min: 0,
    max: 10,
    low: 'Not likely',
    high: 'Very likely',
    'x-i18n': { 'zh-CN': { low: '不太可能', high: '非常可能' } },
  },
  operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
};
