import type { TFunction } from 'i18next';
import { ApiError } from '../../api/api-error';
import { fieldLabel, itemLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import type { ChangeSummary, FullMetaDocument } from './meta-write-api';

/** One line of what went wrong, with the JSON path of the offending part when the server named it. */
export interface PublishProblem {
  path?: string;
  message: string;
  /** The server's code for the problem (workflow graph issues), for saying it in the admin's language. */
  code?: string;
  params?: Record<string, string | number>;
}

export type PublishFailure =
  | { kind: 'invalid'; message: string; problems: PublishProblem[] }
  | { kind: 'stale'; message: string; problems: PublishProblem[]; currentVersion?: number }
  | { kind: 'conflict'; message: string; problems: PublishProblem[] }
  | { kind: 'other'; message: string; problems: PublishProblem[] };

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function issuesOf(details: Record<string, unknown> | undefined): PublishProblem[] {
  const issues = Array.isArray(details?.issues) ? details.issues : [];
  return issues.flatMap((i) => {
    const r = asRecord(i);
    if (!r || typeof r.message !== 'string') return [];
    const params = asRecord(r.params) as Record<string, string | number> | undefined;
    return [
      {
        ...(typeof r.path === 'string' ? { path: r.path } : {}),
        message: r.message,
        ...(typeof r.code === 'string' ? { code: r.code } : {}),
        ...(params ? { params } : {}),
      },
    ];
  });
}

/**
 * Reads the server's refusal of a plan or apply (docs/metadata.md, Errors) into lines a person can
 * act on: validation issues by JSON path, dependents still using what is removed, data checks,
 * destructive steps, or a newer version published meanwhile.
 */
export function describePublishError(e: unknown): PublishFailure {
  if (!(e instanceof ApiError)) return { kind: 'other', message: String(e), problems: [] };
  const details = e.details;
  if (e.code === 'VALIDATION_FAILED' || e.code === 'BAD_REQUEST') {
    const fromIssues = issuesOf(details);
    const problems = fromIssues.length
      ? fromIssues
      : Object.entries(e.fields ?? {}).map(([path, message]) => ({ path, message }));
    return { kind: 'invalid', message: e.message, problems };
  }
  if (e.code === 'CONFLICT') {
    if (details && typeof details.currentVersion === 'number') {
      return { kind: 'stale', message: e.message, problems: [], currentVersion: details.currentVersion };
    }
    // Coded issues (`still_used`) say the same as `dependents` in words the app can translate.
    const problems: PublishProblem[] = issuesOf(details);
    if (!problems.length)
      for (const [what, users] of Object.entries(asRecord(details?.dependents) ?? {})) {
        for (const u of Array.isArray(users) ? users : []) {
          const r = asRecord(u) ?? {};
          const by = [r.via, r.name].filter((x) => typeof x === 'string').join(' ');
          problems.push({
            ...(typeof r.path === 'string' ? { path: r.path } : {}),
            message: by ? `${what} ← ${by}` : what,
          });
        }
      }
    for (const c of Array.isArray(details?.checks) ? details.checks : []) {
      const r = asRecord(c);
      if (r && typeof r.message === 'string') {
        problems.push({ ...(typeof r.path === 'string' ? { path: r.path } : {}), message: r.message });
      }
    }
    for (const d of Array.isArray(details?.destructive) ? details.destructive : []) {
      const r = asRecord(d);
      const message = typeof d === 'string' ? d : typeof r?.description === 'string' ? r.description : undefined;
      if (message) problems.push({ message });
    }
    const step = asRecord(details?.step);
    if (step && typeof step.description === 'string') problems.push({ message: step.description });
    return { kind: 'conflict', message: e.message, problems };
  }
  return { kind: 'other', message: e.message, problems: [] };
}

/**
 * The server's issues about one item of a section (`/<section>/<name>/…`) by their path inside the
 * item, so an editor can show each at its own control; issues elsewhere keep their path, one without
 * a path lands at `/`, and several at one path are joined.
 */
export function itemIssues(
  section: string,
  name: string,
  issues: Array<{ path?: string; message: string }>,
): Record<string, string> {
  const prefix = `/${section}/${name}`;
  const out: Record<string, string> = {};
  for (const i of issues) {
    // The item's own path or below it: `/segments/big` is not the start of `/segments/bigger`.
    const inside = i.path === prefix || i.path?.startsWith(`${prefix}/`);
    const path = inside ? (i.path as string).slice(prefix.length) || '/' : (i.path ?? '/');
    out[path] = out[path] ? `${out[path]}; ${i.message}` : i.message;
  }
  return out;
}

/** The messages at `path` or below it (a recipient's problem shows at the recipients). */
export function errorsUnder(errors: Record<string, string>, path: string): string | undefined {
  const hits = Object.entries(errors)
    .filter(([p]) => p === path || p.startsWith(`${path}/`))
    .map(([, m]) => m);
  return hits.length ? hits.join('; ') : undefined;
}

export interface SummaryLine {
  section: string;
  change: 'added' | 'removed' | 'changed' | 'renamed';
  /** `deal`, `deal.amount` for fields, `old → new` for renames. */
  name: string;
}

/** The change summary of a plan or history entry as flat lines, sections first, then fields. */
export function summaryLines(summary: ChangeSummary | undefined | null): SummaryLine[] {
  if (!summary) return [];
  const out: SummaryLine[] = [];
  const push = (section: string, s: Partial<Record<'added' | 'removed' | 'changed', unknown>>, prefix = '') => {
    for (const change of ['added', 'removed', 'changed'] as const) {
      const names = s[change];
      if (Array.isArray(names)) for (const n of names) out.push({ section, change, name: `${prefix}${n}` });
    }
    const renamed = (s as { renamed?: unknown }).renamed;
    if (Array.isArray(renamed)) {
      for (const r of renamed) {
        const rr = asRecord(r);
        if (rr) out.push({ section, change: 'renamed', name: `${prefix}${rr.from} → ${prefix}${rr.to}` });
      }
    }
  };
  for (const [section, s] of Object.entries(summary)) {
    if (section === 'fields' || !asRecord(s)) continue;
    push(section, s as Record<string, unknown>);
  }
  for (const [object, s] of Object.entries(asRecord(summary.fields) ?? {})) {
    if (asRecord(s)) push('fields', s as Record<string, unknown>, `${object}.`);
  }
  return out;
}

const SECTIONS = new Set(['objects', 'fields', 'forms', 'views', 'roles', 'workflows', 'scripts', 'automations']);

/** A summary line's section in the user's language (unknown sections as they are). */
export function sectionLabel(t: TFunction, section: string): string {
  if (section === 'reports') return t('reportLabels.section');
  if (section === 'webForms') return t('webFormsDesigner.section');
  if (section === 'segments') return t('segmentsDesigner.section');
  return SECTIONS.has(section) ? t(`objectDesigner.section_${section as 'objects'}`) : section;
}

/**
 * A `still_used` problem with the labels the server sent in English swapped for the admin's
 * language, read from the published document (what is removed and its users are still in it).
 */
export function localizedProblem(p: PublishProblem, doc: FullMetaDocument | undefined, lang: string): PublishProblem {
  if (p.code !== 'still_used' || !p.params || !doc) return p;
  const { kind, what, via, name } = p.params;
  const params = { ...p.params };
  const [object = '', field = ''] = String(what).split('.');
  const schema = doc.objects[object] as ObjectSchema | undefined;
  if (kind === 'field' && schema?.properties?.[field]) params.whatLabel = fieldLabel(schema, field, lang);
  if (kind === 'object' && schema) params.whatLabel = objectLabel(object, schema, lang);
  if (kind === 'role' && doc.roles[String(what)])
    params.whatLabel = itemLabel(doc.roles[String(what)] ?? undefined, lang, String(what));
  const users = (doc as unknown as Record<string, Record<string, object | null> | undefined>)[`${via}s`];
  const user = users?.[String(name)];
  if ((via === 'segment' || via === 'view' || via === 'workflow' || via === 'role') && user)
    params.user = itemLabel(user, lang, String(params.user));
  return { ...p, params };
}
