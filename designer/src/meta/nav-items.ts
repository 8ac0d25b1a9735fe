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

/**
 * The objects to list in the navigation: everything in the user's metadata (the server already
 * leaves out what they may not read), ordered by `x-order` then label, hidden ones (`x-nav: false`)
 * left out.
 */
export function navItemsFromMeta(meta: AppMeta | null | undefined, lang: string): NavItem[] {
  if (!meta) return [];
  const collator = new Intl.Collator(lang);
  return Object.entries(meta.objects)
    .filter(([, schema]) => schema && typeof schema === 'object' && schema['x-nav'] !== false)
    .map(([object, schema]) => ({
      object,
      label: objectLabel(object, schema, lang),
      path: `/o/${encodeURIComponent(object)}`,
      icon: objectIcon(object, schema),
      order: typeof schema['x-order'] === 'number' ? schema['x-order'] : Number.POSITIVE_INFINITY,
    }))
    .sort((a, b) => a.order - b.order || collator.compare(a.label, b.label))
    .map(({ order: _order, ...item }) => item);
}
