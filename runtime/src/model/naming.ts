/**
 * The only place physical SQL identifiers are produced. Every name that reaches SQL passes one of
 * these checks first, and is then always bound through knex identifiers (`??`), never concatenated.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../errors';

export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
export const TENANT_ID = /^[a-z][a-z0-9_]{1,30}$/;
export const PLATFORM_SCHEMA = 'platform';

export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

export function assertIdentifier(name: unknown, what = 'name'): string {
  if (!isIdentifier(name)) {
    throw badRequest(`Invalid ${what}: must match ${IDENTIFIER.source}`);
  }
  return name;
}

export function isTenantId(id: unknown): id is string {
  return typeof id === 'string' && TENANT_ID.test(id);
}

/** PostgreSQL schema holding one tenant's metadata, data, audit and workflow tables. */
export function tenantSchema(tenantId: string): string {
  if (!isTenantId(tenantId)) throw badRequest(`Invalid tenant id: must match ${TENANT_ID.source}`);
  return `t_${tenantId}`;
}

/**
 * System tables of a tenant start with an underscore, which object names cannot, so an object can
 * never collide with one of them.
 */
export const SYSTEM_TABLE = {
  users: '_users',
  /** Outbound webhook subscriptions (webhooks/webhook-service.ts). */
  webhooks: '_webhooks',
  /** One row per event sent to a webhook: its payload, status and last answer. */
  webhookDeliveries: '_webhook_deliveries',
  /** API keys of service accounts: the SHA-256 of each token, never the token. */
  apiKeys: '_api_keys',
  sessions: '_sessions',
  /** E-mailed invitations: the SHA-256 of each link's token, its user and when it expires. */
  userInvitations: '_user_invitations',
  /** Closure table of the manager hierarchy: (ancestor, descendant, depth), self rows at depth 0. */
  userTree: '_user_tree',
  /** Manual shares of one record with a user or a role: (object, record_id, user_id | role, level). */
  recordShares: '_record_shares',
  /** Metadata: one row per version (document, plan, author, summary). */
  metaVersions: '_meta_versions',
  /** Metadata: the current version number, one row, read with every authenticated request. */
  metaState: '_meta_state',
  /** Metadata: the template layers applied to the tenant (their base documents). */
  metaTemplates: '_meta_templates',
  /** Autonumber counters: (field id, scope) → last value, incremented in the save transaction. */
  autonumbers: '_autonumbers',
  /** Record imports: who imported what into which object, counts, and whether it was reverted. */
  imports: '_imports',
  /** The records each import created or changed (with the values it replaced), for reverting it. */
  importRows: '_import_rows',
  /** Approval instances: one run of a workflow on one record, with the definition it started with. */
  wfInstances: '_wf_instances',
  /** Approval tasks: one approver's share of one visit of an approval step. */
  wfTasks: '_wf_tasks',
  /** Approval history: every submit, decision, delegation, escalation, recall and override. */
  wfEvents: '_wf_events',
  /** Dated delegations (out of office): a user's approvals go to another user between two instants. */
  wfDelegations: '_wf_delegations',
  /** Single-use approval links already spent (by token id). */
  wfLinksUsed: '_wf_links_used',
  /** In-app notifications per user. */
  notifications: '_notifications',
  /** E-mails waiting to be sent (and sent ones, for a while). */
  emailOutbox: '_email_outbox',
  /** Automation runs already done per (rule, record, period), so schedules never act twice. */
  automationRuns: '_automation_runs',
  /** Print templates per object (documents/print-template-store.ts). */
  printTemplates: '_print_templates',
  /** Files attached to records, contents inline (documents/file-store.ts). */
  files: '_files',
  /** Images print templates draw, the company logo first (documents/document-images.ts). */
  documentImages: '_document_images',
  /** Message ids of e-mails received into and sent from records (inbound-mail/): how replies thread. */
  inboundMail: '_inbound_mail',
  /** Satisfaction surveys sent: one row per link, answered once (surveys/survey-migration.ts). */
  surveyInvitations: '_survey_invitations',
  /** Customer portal: e-mailed sign-in links (SHA-256 of the token, contact, expiry, use). */
  portalLinks: '_portal_links',
  /** Customer portal sessions, apart from staff sessions (runtime/src/portal). */
  portalSessions: '_portal_sessions',
  /** Customer portal sign-in requests, counted per address and per e-mail for the rate limits. */
  portalLoginRequests: '_portal_login_requests',
  /** Saved segments: the stored members of each segment (segment, record_id, entered_at). */
  segmentMembers: '_segment_members',
  /** Saved segments: one row per refresh (count, entered, left, when, how long). */
  segmentRefreshes: '_segment_refreshes',
  /** Saved segments: who entered or left in each refresh, read by automation rules in pages. */
  segmentChanges: '_segment_changes',
} as const;

/**
 * `schema.table` for knex, which quotes each part. Needed where `withSchema` does not reach (joins,
 * sub-queries); both parts must already be validated identifiers.
 */
export function qualified(schema: string, table: string): string {
  if (!IDENTIFIER.test(schema) || !/^_?[a-z][a-z0-9_]{0,61}$/.test(table)) throw badRequest('Invalid identifier');
  return `${schema}.${table}`;
}

/** Data table of an object: the object's name. Object names never start with `_`, system tables do. */
export function tableOf(object: string): string {
  return assertIdentifier(object, 'object name');
}

/** Column of a field: the field's name. */
export function columnOf(field: string): string {
  return assertIdentifier(field, 'field name');
}

const MAX_IDENTIFIER_BYTES = 63;

/**
 * Name of an index or constraint, built from stable ids (`uq_<fieldId>`, `pk_<objectId>`) so renaming
 * a field or object never orphans it. Deterministic; a name that would pass 63 bytes keeps a prefix
 * and a hash of the whole.
 */
export function constraintName(prefix: 'pk' | 'ix' | 'uq' | 'fk' | 'ck', ...parts: string[]): string {
  const name = [prefix, ...parts].join('_');
  if (!IDENTIFIER.test(name.slice(0, MAX_IDENTIFIER_BYTES)) || !/^[a-z0-9_]+$/.test(name))
    throw badRequest('Invalid identifier');
  if (name.length <= MAX_IDENTIFIER_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_IDENTIFIER_BYTES - 13)}_${hash}`;
}

/** Which migrations of which plugin each tenant schema has applied: (plugin, id, applied_at). */
export const PLUGIN_MIGRATIONS_TABLE = '_plugin_migrations';

/**
 * Prefix of a plugin's own tables in a tenant schema (`core-crm` → `_p_core_crm_`): the leading
 * underscore keeps them apart from object tables, the plugin name apart from other plugins.
 */
export function pluginTablePrefix(plugin: string): string {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(plugin)) throw badRequest('Invalid plugin name');
  return `_p_${plugin.replace(/-/g, '_')}_`;
}

/** A plugin's own table: `_p_<plugin>_<name>`, a valid identifier of at most 63 bytes. */
export function pluginTable(plugin: string, name: string): string {
  const table = `${pluginTablePrefix(plugin)}${name}`;
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name) || table.length > MAX_IDENTIFIER_BYTES)
    throw badRequest(`Invalid plugin table name: ${String(name).slice(0, 80)}`);
  return table;
}
