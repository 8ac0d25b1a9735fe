import type { MetadataDocument } from '@forma/metadata';
import { sameContent } from './merge-template';
import { META_SECTIONS } from './section-checks';

/**
 * The tenant's own layer: the items of `current` that no applied template provides as they are now
 * (added by the tenant, or changed since a template brought them). An object the tenant changed is
 * exported whole, so the layer stays a set of valid items; what the tenant deleted from a template
 * cannot be expressed in a document and is left out.
 */
export function ownLayer(current: MetadataDocument, templates: readonly MetadataDocument[]): MetadataDocument {
  const out: MetadataDocument = {};
  for (const section of META_SECTIONS) {
    const items: Record<string, unknown> = {};
    for (const [name, item] of Object.entries((current[section] ?? {}) as Record<string, unknown>)) {
      const fromTemplate = templates.some((t) =>
        sameContent((t[section] as Record<string, unknown> | undefined)?.[name], item),
      );
      if (!fromTemplate) items[name] = item;
    }
    (out as Record<string, unknown>)[section] = items;
  }
  return out;
}
