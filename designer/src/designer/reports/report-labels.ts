import type { I18N as I18n, ReportDefinition } from '@forma/metadata';

export type { ReportDefinition };

/** The Chinese locale key labels are written under (the app also reads `zh-cn` and `zh`). */
export const ZH = 'zh-CN';

/** One labelled column of a report: the report itself (`key` ''), a measure or a derived column. */
export interface LabelRow {
  /** '' for the report, else the column's `as` name. */
  key: string;
  role: 'report' | 'measure' | 'derived';
  en: string;
  zh: string;
}

/**
 * The Chinese label of a node: `x-i18n['zh-CN'].label`, else `.title` (core-crm's reports use
 * `title`, hand-written ones `label`; the app reads both).
 */
function zhOf(i18n: I18n | undefined): string {
  const entry = i18n?.[ZH];
  return entry?.label ?? entry?.title ?? '';
}

/** The labels this screen edits, read from a stored report. */
export function labelsOf(def: ReportDefinition): LabelRow[] {
  return [
    { key: '', role: 'report', en: def.label, zh: zhOf(def['x-i18n']) },
    ...def.aggregates.map((a) => ({ key: a.as, role: 'measure' as const, en: a.label ?? '', zh: zhOf(a['x-i18n']) })),
    ...(def.derive ?? []).map((d) => ({
      key: d.as,
      role: 'derived' as const,
      en: d.label ?? '',
      zh: zhOf(d['x-i18n']),
    })),
  ];
}

/**
 * `i18n` with its Chinese label set to `zh` (or removed when blank), under `label` — the spelling
 * `itemLabel` reads first; a stale `title` is dropped so the two can never disagree. Other
 * languages and keys (description) are kept.
 */
function withZh(i18n: I18n | undefined, zh: string): I18n | undefined {
  const { label: _l, title: _t, ...restZh } = i18n?.[ZH] ?? {};
  const entry = zh.trim() ? { ...restZh, label: zh.trim() } : restZh;
  const { [ZH]: _old, ...others } = i18n ?? {};
  const next: I18n = Object.keys(entry).length ? { ...others, [ZH]: entry } : others;
  return Object.keys(next).length ? next : undefined;
}

/** `node` with `label` and `x-i18n` replaced; a blank optional label is removed (the column's name shows). */
function relabel<T extends { label?: string; 'x-i18n'?: I18n }>(node: T, en: string, zh: string): T {
  const { label: _l, 'x-i18n': i18n, ...rest } = node;
  const nextI18n = withZh(i18n, zh);
  return {
    ...rest,
    ...(en.trim() ? { label: en.trim() } : {}),
    ...(nextI18n ? { 'x-i18n': nextI18n } : {}),
  } as T;
}

/** The stored report with only its labels changed: everything else is passed through untouched. */
export function applyLabels(def: ReportDefinition, rows: LabelRow[]): ReportDefinition {
  const find = (role: LabelRow['role'], key: string) => rows.find((r) => r.role === role && r.key === key);
  const top = find('report', '');
  const next = top ? { ...relabel(def, top.en, top.zh), label: top.en.trim() || def.label } : def;
  return {
    ...next,
    aggregates: def.aggregates.map((a) => {
      const r = find('measure', a.as);
      return r ? relabel(a, r.en, r.zh) : a;
    }),
    ...(def.derive
      ? {
          derive: def.derive.map((d) => {
            const r = find('derived', d.as);
            return r ? relabel(d, r.en, r.zh) : d;
          }),
        }
      : {}),
  };
}

export type LabelProblem = 'required' | 'tooLong';

/** Problems per row index: the report needs an English label; no label may pass 200 characters. */
export function labelProblems(rows: LabelRow[]): Record<string, LabelProblem> {
  const out: Record<string, LabelProblem> = {};
  rows.forEach((r, i) => {
    if (r.role === 'report' && !r.en.trim()) out[`${i}.en`] = 'required';
    if (r.en.trim().length > 200) out[`${i}.en`] = 'tooLong';
    if (r.zh.trim().length > 200) out[`${i}.zh`] = 'tooLong';
  });
  return out;
}
