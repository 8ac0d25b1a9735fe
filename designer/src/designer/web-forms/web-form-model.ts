import type { WebFormDefinition } from '@forma/metadata';
import type { ObjectSchema } from '../../meta/meta-types';

export type { WebFormDefinition };

/** What the editor holds: the definition's keys it edits, as plain inputs; the rest kept as they were. */
export interface WebFormDraft {
  label: string;
  labelZh: string;
  object: string;
  fields: Array<{ field: string; required: boolean }>;
  hidden: Array<{ field: string; value: string }>;
  /** '' = the tenant's first active admin (the server's default). */
  owner: string;
  thankYou: string;
  thankYouZh: string;
  redirectUrl: string;
  active: boolean;
  proofOfWork: boolean;
}

export function newDraft(object: string, label: string): WebFormDraft {
  return {
    label,
    labelZh: '',
    object,
    fields: [],
    hidden: [],
    owner: '',
    thankYou: '',
    thankYouZh: '',
    redirectUrl: '',
    active: true,
    proofOfWork: true,
  };
}

export function draftOf(def: WebFormDefinition): WebFormDraft {
  const zh = def['x-i18n']?.['zh-CN'];
  return {
    label: def.label,
    labelZh: zh?.label ?? '',
    object: def.object,
    fields: def.fields.map((f) => ({ field: f.field, required: f.required === true })),
    hidden: Object.entries(def.hidden ?? {}).map(([field, value]) => ({ field, value: String(value) })),
    owner: def.owner ?? '',
    thankYou: def.thankYou ?? '',
    thankYouZh: zh?.thankYou ?? '',
    redirectUrl: def.redirectUrl ?? '',
    active: def.active !== false,
    proofOfWork: def.proofOfWork !== false,
  };
}

/**
 * The definition to publish: the draft's keys over the stored form, so what this screen does not
 * edit (description, defaults, limits, per-field labels, other languages) survives a save.
 */
export function definitionOf(
  draft: WebFormDraft,
  stored: WebFormDefinition | undefined,
  schema: ObjectSchema | undefined,
): WebFormDefinition {
  const sameObject = stored?.object === draft.object;
  const before = new Map((sameObject ? stored?.fields : [])?.map((f) => [f.field, f]) ?? []);
  const { label: _l, thankYou: _t, ...otherZh } = stored?.['x-i18n']?.['zh-CN'] ?? {};
  const zh = {
    ...otherZh,
    ...(draft.labelZh.trim() ? { label: draft.labelZh.trim() } : {}),
    ...(draft.thankYouZh.trim() ? { thankYou: draft.thankYouZh.trim() } : {}),
  };
  const { 'zh-CN': _zh, ...otherLangs } = stored?.['x-i18n'] ?? {};
  const i18n = Object.keys(zh).length ? { ...otherLangs, 'zh-CN': zh } : otherLangs;
  const {
    label: _a,
    object: _b,
    fields: _c,
    hidden: _d,
    owner: _e,
    thankYou: _f,
    redirectUrl: _g,
    active: _h,
    proofOfWork: _i,
    'x-i18n': _j,
    defaults,
    ...rest
  } = stored ?? ({} as Partial<WebFormDefinition>);
  const shown = new Set(draft.fields.map((f) => f.field));
  // Defaults of fields no longer on the form would be refused; they go with their field.
  const keptDefaults = Object.fromEntries(
    Object.entries(sameObject ? (defaults ?? {}) : {}).filter(([f]) => shown.has(f)),
  );
  const hidden = Object.fromEntries(
    draft.hidden.filter((h) => h.field).map((h) => [h.field, hiddenValue(schema, h.field, h.value)]),
  );
  return {
    ...rest,
    label: draft.label.trim(),
    object: draft.object,
    fields: draft.fields.map((f) => {
      const { required: _r, ...kept } = before.get(f.field) ?? { field: f.field };
      return { ...kept, field: f.field, ...(f.required ? { required: true } : {}) };
    }),
    ...(Object.keys(hidden).length ? { hidden } : {}),
    ...(Object.keys(keptDefaults).length ? { defaults: keptDefaults } : {}),
    ...(draft.owner ? { owner: draft.owner } : {}),
    ...(draft.thankYou.trim() ? { thankYou: draft.thankYou.trim() } : {}),
    ...(draft.redirectUrl.trim() ? { redirectUrl: draft.redirectUrl.trim() } : {}),
    active: draft.active,
    proofOfWork: draft.proofOfWork,
    ...(Object.keys(i18n).length ? { 'x-i18n': i18n } : {}),
  };
}

/** A hidden value as its field stores it: numbers and yes/no are not text. */
function hiddenValue(schema: ObjectSchema | undefined, field: string, raw: string): string | number | boolean {
  const type = schema?.properties?.[field]?.type;
  const t = Array.isArray(type) ? type.find((x) => x !== 'null') : type;
  if (t === 'boolean') return raw === 'true';
  if ((t === 'number' || t === 'integer') && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}

const COMPUTED_KINDS = new Set(['formula', 'autonumber', 'rollup', 'children', 'lookup', 'lines']);

/**
 * Fields a visitor may be given: what the server would refuse (computed, lookups, line items,
 * read-only) is not offered. The server still checks; this only keeps the picker honest.
 */
export function eligibleFields(schema: ObjectSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([name, f]) => {
      if (name === 'website_url' || name === 'altcha') return false;
      if (f.readOnly || f['x-ref'] || f['x-formula'] || f['x-autonumber'] || f['x-rollup']) return false;
      if (f['x-kind'] && COMPUTED_KINDS.has(String(f['x-kind']))) return false;
      return !(f.type === 'array' && (f.items as { type?: string } | undefined)?.type === 'object');
    })
    .map(([name]) => name);
}

export type LocalProblem =
  | { code: 'required' | 'noFields' | 'url' | 'hiddenField' }
  | { code: 'requiredLeftOff'; field: string };

/**
 * Local problems, by the same paths the server uses, before anything is sent. A required field left
 * off is the server's check too, said here first in the admin's language with the field's label.
 */
export function localProblems(draft: WebFormDraft, schema: ObjectSchema | undefined): Record<string, LocalProblem> {
  const out: Record<string, LocalProblem> = {};
  if (!draft.label.trim()) out['/label'] = { code: 'required' };
  if (!draft.fields.length) out['/fields'] = { code: 'noFields' };
  else {
    const given = new Set([...draft.fields.map((f) => f.field), ...draft.hidden.map((h) => h.field)]);
    const missing = (schema?.required ?? []).find(
      (f) => !given.has(f) && schema?.properties?.[f] && schema.properties[f].default === undefined,
    );
    if (missing) out['/fields'] = { code: 'requiredLeftOff', field: missing };
  }
  if (draft.redirectUrl.trim() && !/^https?:\/\/\S+$/.test(draft.redirectUrl.trim()))
    out['/redirectUrl'] = { code: 'url' };
  draft.hidden.forEach((h, i) => {
    if (!h.field) out[`/hiddenRow/${i}`] = { code: 'hiddenField' };
  });
  return out;
}

/** The public page's address and the two snippets an admin pastes into another site. */
export function embedSnippets(origin: string, tenant: string, name: string, label: string, lang = 'en') {
  const url = `${origin}/f/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`;
  const title = label.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return {
    url,
    iframe: `<iframe src="${url}?lang=${lang}" style="width:100%;max-width:680px;height:900px;border:0" title="${title}"></iframe>`,
    link: `<a href="${url}?lang=${lang}">${title}</a>`,
  };
}
