import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE } from '../model/naming';

/**
 * Metadata documents as `json`, not `jsonb`: jsonb reorders object keys (shortest first), and the
 * order of an object's properties is its field order (forms, lists, generated types). Every process
 * must read a version back exactly as it was written. Rows stored before this keep jsonb's order.
 */
export const metaDocumentOrderMigration: Migration = {
  id: 'meta_0002_document_order',
  async up(trx, schema) {
    for (const table of [SYSTEM_TABLE.metaVersions, SYSTEM_TABLE.metaTemplates])
      await trx.raw('alter table ??.?? alter column ?? type json using ??::json', [
        schema,
        table,
        'document',
        'document',
      ]);
  },
};
