import type { MetadataDocument, MetadataIssue } from '@forma/metadata';
import type { Ctx } from '../ctx';
import type { Model } from '../model/load-model';

export const META_SECTIONS = [
  'objects',
  'roles',
  'workflows',
  'scripts',
  'forms',
  'views',
  'reports',
  'dashboards',
  'automations',
  'surveys',
  'webForms',
  'segments',
] as const;
export type MetaSection = (typeof META_SECTIONS)[number];

export interface SectionCheckInput<T = unknown> {
  /** The item's key in its section (a form's key is its object's name). */
  name: string;
  item: T;
  /** The item in the current version, when it existed. */
  previous: T | undefined;
  /** The whole next document and its model (objects, fields, kinds) as they will be. */
  document: MetadataDocument;
  model: Model;
}

/**
 * Semantic validation a capability adds to a metadata section (scripts compile, workflow graphs are
 * well formed, …). Runs at save time for every item that is new or changed; returns issues whose
 * paths are relative to the item (`/code`, `/nodes/2`), or an empty list.
 */
export type SectionCheck<T = unknown> = (
  ctx: Ctx,
  input: SectionCheckInput<T>,
) => MetadataIssue[] | Promise<MetadataIssue[]>;

export class SectionChecks {
  private readonly checks = new Map<MetaSection, Array<{ check: SectionCheck; source: string }>>();

  register<T>(section: MetaSection, check: SectionCheck<T>, source = 'core'): () => void {
    const list = this.checks.get(section) ?? [];
    const entry = { check: check as SectionCheck, source };
    list.push(entry);
    this.checks.set(section, list);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  for(section: MetaSection): readonly SectionCheck[] {
    return (this.checks.get(section) ?? []).map((c) => c.check);
  }
}
