import type { MetadataDocument, TemplateDocument } from '@forma/platform/plugin-api';

type Doc = Omit<MetadataDocument, 'version'>;
type Section = 'objects' | 'roles' | 'workflows' | 'scripts' | 'forms' | 'views' | 'automations';
const SECTIONS: Section[] = ['objects', 'roles', 'workflows', 'scripts', 'forms', 'views', 'automations'];

/** `base` with `extra`'s items added or replacing same-named ones, section by section. */
export function compose(base: Doc, extra: Partial<Record<Section, Record<string, unknown>>>): Doc {
  const out = structuredClone(base) as Record<Section, Record<string, unknown> | undefined>;
  for (const s of SECTIONS) if (extra[s]) out[s] = { ...(out[s] ?? {}), ...structuredClone(extra[s]) };
  return out as unknown as Doc;
}

/** Adds fields to one object of a document (industry templates extend core objects this way). */
export function addFields(doc: Doc, object: string, fields: Record<string, unknown>): Doc {
  const o = (doc.objects as unknown as Record<string, { properties: Record<string, unknown> }>)[object];
  if (!o) throw new Error(`addFields: no object ${object}`);
  o.properties = { ...o.properties, ...fields };
  return doc;
}

/** A template from a document built with the loose builders of fields.ts (checked when registered). */
export function template(
  t: Omit<TemplateDocument, 'document'> & { document: Doc | Record<string, unknown> },
): TemplateDocument {
  return t as TemplateDocument;
}
