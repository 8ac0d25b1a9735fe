import { itemLabel } from '../../i18n/pick-label';

type Labelled = { label?: string; 'x-i18n'?: unknown; [key: string]: unknown };

/** What people read for a script: its label in their language, else its label, else its name. */
export function scriptLabel(script: Labelled | null | undefined, lang: string, name: string): string {
  return itemLabel(script ?? undefined, lang, name);
}

/** The script's label in `lang` (its `x-i18n`), '' when it has none. */
export function scriptLabelIn(script: Labelled, lang: string): string {
  const i18n = script['x-i18n'] as Record<string, Record<string, unknown>> | undefined;
  const v = i18n?.[lang]?.label;
  return typeof v === 'string' ? v : '';
}

/** The script with its label in `lang` set, or removed when `label` is blank (empty maps go too). */
export function withScriptLabelIn<T extends Labelled>(script: T, lang: string, label: string): T {
  const i18n = { ...((script['x-i18n'] as Record<string, Record<string, unknown>> | undefined) ?? {}) };
  const entry = { ...(i18n[lang] ?? {}) };
  if (label.trim()) entry.label = label;
  else delete entry.label;
  if (Object.keys(entry).length) i18n[lang] = entry;
  else delete i18n[lang];
  const next = { ...script };
  if (Object.keys(i18n).length) next['x-i18n'] = i18n;
  else delete next['x-i18n'];
  return next;
}
