import type { I18N as I18n, ReportDefinition } from '@forma/metadata';
import { fieldLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';

export type { ReportDefinition };

/** The Chinese locale key labels are written under (the app also reads `zh-cn` and `zh`). */
export const ZH = 'zh-CN';

/** One labelled column of a report: the report itself (`key` ''), a group key, a measure or a derived column. */
export interface LabelRow {
  /** '' for the report, else the column's `as` name (a group key without one: its field path). */
  key: string;
  role: 'report' | 'group' | 'measure' | 'derived';
  en: string;
  zh: string;
  /** The field (or lookup path, `account.region.name`) a group or measure reads. */
  source?: string;
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
    ...def.aggregates.map((a) => ({
      key: a.as,
      role: 'measure' as const,
      en: a.label ?? '',
      zh: zhOf(a['x-i18n']),
      ...(a.field ? { source: a.field } : {}),
    })),
    ...(def.derive ?? []).map((d) => ({
      key: d.as,
      role: 'derived' as const,
      en: d.label ?? '',
      zh: zhOf(d['x-i18n']),
    })),
    // Last, so existing row positions stay put; the editor shows them in their own card.
    ...(def.groupBy ?? []).map((g) => ({
      key: g.as ?? g.field,
      role: 'group' as const,
      en: g.label ?? '',
      zh: zhOf(g['x-i18n']),
      source: g.field,
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
    ...(def.groupBy
      ? {
          groupBy: def.groupBy.map((g) => {
            const r = find('group', g.as ?? g.field);
            return r ? relabel(g, r.en, r.zh) : g;
          }),
        }
      : {}),
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

/**
 * A field path as people read it: each step's field label in `lang`, through the lookups' target
 * objects (`account.region.name` → "Account › Region › Name"). Steps past a user lookup, or of an
 * object the document does not hold, are named by `userField` or humanized.
 */
export function pathLabel(
  objects: Record<string, ObjectSchema | null | undefined>,
  object: string,
  path: string,
  lang: string,
  userField: (name: string) => string,
): string {
  const parts: string[] = [];
  let schema: ObjectSchema | undefined = objects[object] ?? undefined;
  let inUsers = false;
  for (const seg of path.split('.')) {
    parts.push(inUsers ? userField(seg) : fieldLabel(schema, seg, lang));
    const ref: string | undefined = inUsers
      ? undefined
      : (schema?.properties?.[seg] as { 'x-ref'?: string } | undefined)?.['x-ref'];
    inUsers = ref === 'user' || (!ref && ['owner', 'created_by', 'updated_by'].includes(seg));
    schema = ref && ref !== 'user' ? (objects[ref] ?? undefined) : undefined;
  }
  return parts.join(' › ');
}
