import { sessionNotifyMigration } from '../auth/session-notify-migration';
import type { Migration } from '../db/run-migrations';
import { addAuditCause, createAuditTable } from '../records/audit';
import { importJournalNoForeignKeyMigration, importLogMigration } from '../records/import-log';
import { permissionMigration } from '../permissions/permission-migration';
import { workflowMigration } from '../workflows/workflow-migration';
import { documentImagesMigration } from '../documents/document-images';
import { documentsMigration } from '../documents/documents-migration';
import { surveyInvitationsMigration } from '../surveys/survey-migration';
import {
  emailOutboxAttachmentMigration,
  emailOutboxRecordMigration,
  emailOutboxRetryMigration,
} from '../mail/email-outbox-migration';
import { automationRunsMigration } from '../automations/automation-migration';
import { portalMigration } from '../portal/portal-migration';
import { usersAdminMigration } from '../users/user-admin-migration';
import { metaDocumentOrderMigration } from '../meta/meta-document-order-migration';
import { integrationsMigration } from '../webhooks/integrations-migration';
import { webhookNotifyMigration } from '../webhooks/webhook-notify-migration';
import { inboundMailMigration } from '../inbound-mail/inbound-mail-migration';
import { idempotencyMigration } from '../records/idempotent-write';
import { rfmSnapshotsMigration } from '../reports/rfm-store';
import { segmentsMigration } from '../segments/segment-migration';

/**
 * System tables inside every tenant schema, applied in order to new tenants and to existing ones at
 * start-up. Append only: each capability adds its own entry with a stable id.
 */
export const tenantMigrations: Migration[] = [
  {
    id: '0001_users_sessions',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('_users', (t) => {
        t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
        t.text('email').notNullable();
        t.text('name').notNullable();
        t.text('password_hash').notNullable();
        t.specificType('roles', 'text[]').notNullable().defaultTo('{}');
        t.uuid('manager').references('id').inTable(`${schema}._users`);
        t.boolean('active').notNullable().defaultTo(true);
        t.text('locale');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
      await trx.raw('create unique index ?? on ??.?? (lower(email))', ['_users_email_key', schema, '_users']);
      await trx.schema.withSchema(schema).createTable('_sessions', (t) => {
        t.binary('token_hash').primary();
        t.uuid('user_id').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.text('ip');
        t.text('user_agent');
        t.index(['user_id']);
      });
    },
  },
  {
    id: 'meta_0001_versions',
    async up(trx, schema) {
      // Every metadata version with its plan and author: the history, and what rollbacks diff against.
      await trx.schema.withSchema(schema).createTable('_meta_versions', (t) => {
        t.integer('version').primary();
        t.jsonb('document').notNullable();
        t.jsonb('plan').notNullable().defaultTo('[]');
        t.jsonb('summary').notNullable().defaultTo('{}');
        t.uuid('author');
        t.text('author_name');
        t.text('source').notNullable().defaultTo('api');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
      // One row: the current version. Read by the authentication query, so every server process
      // notices a new version on the next request without any in-memory coordination.
      await trx.schema.withSchema(schema).createTable('_meta_state', (t) => {
        t.smallint('id').primary().defaultTo(1);
        t.integer('version').notNullable().defaultTo(0);
        t.check('?? = 1', ['id']);
      });
      await trx.withSchema(schema).insert({ id: 1, version: 0 }).into('_meta_state');
      // Template layers: the base document of each template applied, so a newer template version can
      // be merged three-way with the tenant's own customizations.
      await trx.schema.withSchema(schema).createTable('_meta_templates', (t) => {
        t.text('name').primary();
        t.text('version').notNullable();
        t.jsonb('document').notNullable();
        t.uuid('applied_by');
        t.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
      // Gapless autonumbers: the records engine increments a row in the save transaction.
      await trx.schema.withSchema(schema).createTable('_autonumbers', (t) => {
        t.text('field_id').notNullable();
        t.text('scope').notNullable();
        t.bigInteger('value').notNullable();
        t.primary(['field_id', 'scope']);
      });
    },
  },
  metaDocumentOrderMigration,
  workflowMigration,
  permissionMigration,
  {
    // Records engine: the audit trail (per-field diffs of every change, see records/audit.ts).
    id: 'records_0001_audit',
    up: (trx, schema) => createAuditTable(trx, schema),
  },
  // Records import journal (records/import-log.ts): imports can be listed and reverted.
  importLogMigration,
  // Print templates and record files (documents/documents-migration.ts).
  documentsMigration,
  // Retry backoff of the e-mail sender (mail/email-sender.ts).
  emailOutboxRetryMigration,
  // Automation rules: outcome, error and loop depth of each run (automations/automation-migration.ts).
  automationRunsMigration,
  // E-mail attachments: a `_files` row per queued e-mail (mail/email-outbox-migration.ts).
  emailOutboxAttachmentMigration,
  {
    // What caused a change (a workflow step, a rule, an import), shown in the record's history.
    id: 'records_0002_audit_cause',
    up: (trx, schema) => addAuditCause(trx, schema),
  },
  // The record an e-mail is about, for the record's activity timeline (mail/email-outbox-migration.ts).
  emailOutboxRecordMigration,
  // Outbound webhooks, service accounts and API keys (webhooks/integrations-migration.ts).
  integrationsMigration,
  // The users screen: last sign-in and e-mailed invitations (users/user-admin-migration.ts).
  usersAdminMigration,
  // E-mail to case: message ids for threading, threading headers on the outbox (inbound-mail/).
  inboundMailMigration,
  // Satisfaction survey invitations, answered once through a signed link (surveys/survey-migration.ts).
  surveyInvitationsMigration,
  // The customer portal: sign-in links, portal sessions, sign-in requests (portal/portal-migration.ts).
  portalMigration,
  // Images print templates draw: the company logo (documents/document-images.ts).
  documentImagesMigration,
  // Idempotency keys of record writes: a retried write applies once (records/idempotent-write.ts).
  idempotencyMigration,
  // Every process's session cache hears of sign-outs, user changes and new metadata versions (auth/).
  sessionNotifyMigration,
  // RFM segments per customer and refresh day, for segment movement (reports/rfm-store.ts).
  rfmSnapshotsMigration,
  // Saved segments: stored members, the history of refreshes, entered/left per refresh (segments/).
  segmentsMigration,
  // The import journal without its per-row foreign-key check (records/import-log.ts).
  importJournalNoForeignKeyMigration,
  // Every process's cache of webhook subscriptions hears of their changes (webhooks/subscription-cache.ts).
  webhookNotifyMigration,
];
