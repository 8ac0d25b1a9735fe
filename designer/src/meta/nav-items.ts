import { objectLabel } from '../i18n/pick-label';
import type { AppMeta, ObjectSchema } from './meta-types';

export interface NavItem {
  object: string;
  label: string;
  path: string;
  /** lucide icon name from `x-icon`, or a guess from well-known CRM object names. */
  icon: string;
}

const WELL_KNOWN_ICONS: Record<string, string> = {
  account: 'building-2',
  company: 'building-2',
  contact: 'user',
  lead: 'user-plus',
  deal: 'handshake',
  opportunity: 'handshake',
  quote: 'file-text',
  contract: 'file-signature',
  order: 'shopping-cart',
  product: 'package',
  invoice: 'receipt',
  case: 'life-buoy',
  ticket: 'life-buoy',
  task: 'check-square',
  project: 'folder-kanban',
};

/** An object's icon: its `x-icon`, else a guess from well-known CRM object names, else a box. */
export function objectIcon(object: string, schema: ObjectSchema | undefined): string {
  const given = schema?.['x-icon'];
  return typeof given === 'string' && given ? given : (WELL_KNOWN_ICONS[object] ?? 'box');
}

/** Objects that live under a parent: another object's line-items field (`x-children`) names them. */
export function childObjects(meta: AppMeta): Set<string> {
  const out = new Set<string>();
  for (const schema of Object.values(meta.objects))
    for (const field of Object.values(schema?.properties ?? {})) {
      const child = (field as { 'x-children'?: { object?: unknown } } | undefined)?.['x-children']?.object;
      if (typeof child === 'string') out.add(child);
    }
  return out;
}

/**
 * The objects to list in the navigation: everything in the user's metadata (the server already
 * leaves out what they may not read) but child objects (unless pinned with `x-nav: true`) and
 * hidden ones (`x-nav: false`), ordered by `x-order`, then in the metadata's order: the admin's
 * order, never re-sorted by the translated label (which would reshuffle the menu per language).
 */
export function navItemsFromMeta(meta: AppMeta | null | undefined, lang: string): NavItem[] {
  if (!meta) return [];
  const children = childObjects(meta);
  return (
    Object.entries(meta.objects)
      .filter(
        ([object, schema]) =>
          schema &&
          typeof schema === 'object' &&
          (schema['x-nav'] === true || (schema['x-nav'] !== false && !children.has(object))),
      )
      .map(([object, schema]) => ({
        object,
        label: objectLabel(object, schema, lang),
        path: `/o/${encodeURIComponent(object)}`,
        icon: objectIcon(object, schema),
        order: typeof schema['x-order'] === 'number' ? schema['x-order'] : Number.POSITIVE_INFINITY,
      }))
      // Array.prototype.sort is stable: equal positions keep the metadata's order.
      .sort((a, b) => (a.order === b.order ? 0 : a.order - b.order))
      .map(({ order: _order, ...item }) => item)
  );
}
