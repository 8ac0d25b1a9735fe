import type { ApiError } from '../../api/api-error';
import type { PageSetup, PrintTemplate, TemplateInput } from '../../documents/documents-api';
import { nameFromLabel } from '../objects/identifier';

/** Template names: the server's rule (`^[a-z][a-z0-9_]{0,62}$`). */
const NAME = /^[a-z][a-z0-9_]{0,62}$/;

export type TemplateNameProblem = 'empty' | 'pattern' | 'taken';

export function templateNameProblem(name: string, taken: string[]): TemplateNameProblem | null {
  if (!name) return 'empty';
  if (!NAME.test(name)) return 'pattern';
  return taken.includes(name) ? 'taken' : null;
}

/** `Sales letter` → `sales_letter`; Chinese labels give `template` (the admin may type another). */
export const suggestName = (label: string) => (label.trim() ? nameFromLabel(label, 'template') : '');

/** What the editor edits; empty header/footer mean none. */
export interface TemplateDraft {
  label: string;
  html: string;
  header: string;
  footer: string;
  size: NonNullable<PageSetup['size']>;
  orientation: NonNullable<PageSetup['orientation']>;
  margin: number;
}

export const STARTER_HTML = '<h1>{{name}}</h1>\n<p></p>';

export function draftOf(t: PrintTemplate | undefined, label = ''): TemplateDraft {
  return {
    label: t?.label ?? label,
    html: t?.html ?? STARTER_HTML,
    header: t?.header ?? '',
    footer: t?.footer ?? '',
    size: t?.page?.size ?? 'A4',
    orientation: t?.page?.orientation ?? 'portrait',
    margin: t?.page?.margin ?? 50,
  };
}

export function inputOf(d: TemplateDraft): TemplateInput {
  return {
    label: d.label.trim(),
    html: d.html,
    ...(d.header.trim() ? { header: d.header } : {}),
    ...(d.footer.trim() ? { footer: d.footer } : {}),
    page: { size: d.size, orientation: d.orientation, margin: d.margin },
  };
}

export type DraftPart = 'label' | 'html' | 'header' | 'footer' | 'page';

/** The parts that differ from the published template (all of them for a new one). */
export function changedParts(published: TemplateDraft | undefined, d: TemplateDraft): DraftPart[] {
  if (!published)
    return [
      'label',
      'html',
      ...(d.header ? ['header' as const] : []),
      ...(d.footer ? ['footer' as const] : []),
      'page',
    ];
  const out: DraftPart[] = [];
  if (published.label !== d.label.trim()) out.push('label');
  if (published.html !== d.html) out.push('html');
  if (published.header !== d.header) out.push('header');
  if (published.footer !== d.footer) out.push('footer');
  if (published.size !== d.size || published.orientation !== d.orientation || published.margin !== d.margin)
    out.push('page');
  return out;
}

/** The problems the browser sees before asking the server: a label, a body, a margin in range. */
export function draftProblems(d: TemplateDraft): Partial<Record<DraftPart, 'required' | 'margin'>> {
  const out: Partial<Record<DraftPart, 'required' | 'margin'>> = {};
  if (!d.label.trim()) out.label = 'required';
  if (!d.html.trim()) out.html = 'required';
  if (!(d.margin >= 0 && d.margin <= 144)) out.page = 'margin';
  return out;
}

export interface PartProblem {
  /** `unknown`: placeholders naming no field; `syntax`/`other`: the server's words. */
  kind: 'unknown' | 'syntax' | 'other';
  names?: string[];
  message?: string;
  line?: number;
}

/**
 * A 400 of the server spread over the editor's parts: `fields["html.nope"]` (an unknown
 * placeholder) becomes the body's "unknown: nope"; `fields.html` (a syntax error or a construct that
 * cannot print) the body's message with its line.
 */
export function problemsOf(e: ApiError): Partial<Record<DraftPart, PartProblem>> {
  const out: Partial<Record<DraftPart, PartProblem>> = {};
  const line = typeof e.details?.line === 'number' ? e.details.line : undefined;
  for (const [key, message] of Object.entries(e.fields ?? {})) {
    const [head, ...rest] = key.split('.');
    const part: DraftPart =
      head === 'html' || head === 'header' || head === 'footer' ? head : head === 'page' ? 'page' : 'html';
    if (rest.length > 0 && message === 'unknown field' && part !== 'page') {
      const cur = out[part];
      const names = [...(cur?.kind === 'unknown' ? (cur.names ?? []) : []), rest.join('.')];
      out[part] = { kind: 'unknown', names };
    } else
      out[part] = {
        kind: /syntax/i.test(e.message) ? 'syntax' : 'other',
        message,
        ...(line !== undefined ? { line } : {}),
      };
  }
  if (Object.keys(out).length === 0) out.html = { kind: 'other', message: e.message };
  return out;
}
