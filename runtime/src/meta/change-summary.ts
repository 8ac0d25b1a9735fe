import { isDeepStrictEqual } from 'node:util';
import type { FieldDefinition, MetadataDocument, ObjectDefinition } from '@forma/metadata';
import type { Renames } from './document-patch';
import { META_SECTIONS, type MetaSection } from './section-checks';

export interface SectionSummary {
  added: string[];
  removed: string[];
  changed: string[];
  renamed?: Array<{ from: string; to: string }>;
}

export interface FieldsSummary {
  added: string[];
  removed: string[];
  changed: string[];
  renamed: Array<{ from: string; to: string }>;
}

/** What a metadata change did, for the history: per section, and per field of changed objects. */
export type ChangeSummary = Partial<Record<MetaSection, SectionSummary>> & { fields?: Record<string, FieldsSummary> };

export function summarizeChange(current: MetadataDocument, next: MetadataDocument, renames: Renames): ChangeSummary {
  const out: ChangeSummary = {};
  const renamedObjects = new Map(renames.objects.map((r) => [r.to, r.from]));
  for (const section of META_SECTIONS) {
    const before = (current[section] ?? {}) as Record<string, unknown>;
    const after = (next[section] ?? {}) as Record<string, unknown>;
    const s: SectionSummary = { added: [], removed: [], changed: [] };
    const renamedFrom = new Set(section === 'objects' ? renamedObjects.values() : []);
    for (const [name, item] of Object.entries(after)) {
      const old = section === 'objects' ? (renamedObjects.get(name) ?? name) : name;
      if (!(old in before)) s.added.push(name);
      else if (!isDeepStrictEqual(before[old], item)) s.changed.push(name);
    }
    for (const name of Object.keys(before)) if (!(name in after) && !renamedFrom.has(name)) s.removed.push(name);
    if (section === 'objects' && renames.objects.length) s.renamed = renames.objects;
    if (s.added.length || s.removed.length || s.changed.length || s.renamed?.length) out[section] = s;
  }
  const fields: Record<string, FieldsSummary> = {};
  for (const name of out.objects?.changed ?? []) {
    const before =
      (current.objects?.[renamedObjects.get(name) ?? name] as ObjectDefinition | undefined)?.properties ?? {};
    const after = (next.objects?.[name] as ObjectDefinition | undefined)?.properties ?? {};
    const renamed = renames.fields.filter((r) => r.object === name).map(({ from, to }) => ({ from, to }));
    const fromNames = new Map(renamed.map((r) => [r.to, r.from]));
    const f: FieldsSummary = { added: [], removed: [], changed: [], renamed };
    for (const [fname, def] of Object.entries(after) as Array<[string, FieldDefinition]>) {
      const old = fromNames.get(fname) ?? fname;
      if (!before[old]) f.added.push(fname);
      else if (!isDeepStrictEqual(before[old], def)) f.changed.push(fname);
    }
    const renamedAway = new Set(fromNames.values());
    for (const fname of Object.keys(before)) if (!after[fname] && !renamedAway.has(fname)) f.removed.push(fname);
    if (f.added.length || f.removed.length || f.changed.length || f.renamed.length) fields[name] = f;
  }
  if (Object.keys(fields).length) out.fields = fields;
  return out;
}
