/** `x-widget` of a field whose kind describes its widget as data (a plugin's kind, e.g. an NPS score). */
export interface ScaleSpec {
  name: string;
  type: 'scale';
  min: number;
  max: number;
  low?: string;
  high?: string;
  'x-i18n'?: Record<string, { low?: string; high?: string }>;
  [key: string]: unknown;
}

export function isScaleSpec(v: unknown): v is ScaleSpec {
  const s = v as Partial<ScaleSpec> | null;
  return (
    !!s &&
    s.type === 'scale' &&
    Number.isInteger(s.min) &&
    Number.isInteger(s.max) &&
    (s.max as number) >= (s.min as number) &&
    (s.max as number) - (s.min as number) <= 20
  );
}
