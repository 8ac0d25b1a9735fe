import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE } from '../model/naming';

/**
 * Print templates and record files live in tenant system tables rather than in the metadata
 * document: they are content edited by admins day to day (and files are data), so they should not
 * create metadata versions, plans or template-merge conflicts.
 */
export const documentsMigration: Migration = {
  id: 'documents_0001_templates_files',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.printTemplates, (t) => {
      t.text('object').notNullable();
      t.text('name').notNullable();
      t.text('label').notNullable();
      /** `html` (rendered to PDF) or `docx` (a Word document with `{field}` tags). */
      t.text('kind').notNullable().defaultTo('html');
      t.text('html');
      t.binary('docx');
      t.jsonb('page').notNullable().defaultTo('{}');
      t.integer('version').notNullable().defaultTo(1);
      t.uuid('updated_by');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.primary(['object', 'name']);
    });
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.files, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('object').notNullable();
      t.uuid('record_id').notNullable();
      t.text('name').notNullable();
      t.text('content_type').notNullable();
      t.integer('size').notNullable();
      t.binary('sha256').notNullable();
      t.binary('content').notNullable();
      t.uuid('created_by');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.index(['object', 'record_id']);
    });
  },
};
