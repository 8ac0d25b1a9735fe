import type { TFunction } from 'i18next';
import type { PlanChange } from '../common/meta-write-api';
import { type PlanChangeLine, planChangeLines } from '../common/plan-change-text';
import { sectionLabel } from '../common/publish-problems';

export interface PlanGroup {
  key: string;
  heading: string;
  lines: PlanChangeLine[];
}

function translated(c: PlanChange, lang: string, param: string): string | undefined {
  const labels = c.labels ?? {};
  const own = labels[lang] ?? labels[lang.split('-')[0] ?? lang] ?? {};
  return own[param];
}

/**
 * A template's plan, grouped the way a consultant reads it: one group per object (the object and
 * its fields together, headed by the object's label), then one per other section (roles, workflows,
 * reports…). A template adds dozens of fields: a flat list of sentences would bury the objects.
 */
export function templatePlanGroups(
  t: TFunction,
  lang: string,
  changes: readonly PlanChange[] | undefined,
): PlanGroup[] {
  const objects = new Map<string, { heading: string; changes: PlanChange[] }>();
  const sections = new Map<string, { heading: string; changes: PlanChange[] }>();
  for (const c of changes ?? []) {
    if (c.section === 'objects' || c.section === 'fields') {
      const object = c.section === 'objects' ? c.name : (c.name.split('.')[0] ?? c.name);
      const heading =
        c.section === 'objects'
          ? (translated(c, lang, 'label') ?? c.label)
          : (translated(c, lang, 'objectLabel') ?? String(c.params.objectLabel ?? object));
      const g = objects.get(object) ?? { heading, changes: [] };
      // The object's own change names it best (its label as the template defines it).
      if (c.section === 'objects') g.heading = heading;
      g.changes.push(c);
      objects.set(object, g);
    } else {
      const g = sections.get(c.section) ?? { heading: sectionLabel(t, c.section), changes: [] };
      g.changes.push(c);
      sections.set(c.section, g);
    }
  }
  return [
    ...[...objects].map(([name, g]) => ({
      key: `object:${name}`,
      heading: g.heading,
      lines: planChangeLines(t, lang, g.changes),
    })),
    ...[...sections].map(([section, g]) => ({
      key: `section:${section}`,
      heading: g.heading,
      lines: planChangeLines(t, lang, g.changes),
    })),
  ];
}
