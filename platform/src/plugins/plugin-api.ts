/**
 * The public plugin API (`@forma/platform/plugin-api`): what a plugin author imports. A plugin is a
 * package whose default export is `definePlugin({...})`; the server loads it at start (from the
 * `plugins/*` workspace packages and from the npm packages named in `FORMA_PLUGINS`).
 */
import type { FieldKind, MetadataDocument, TemplateDocument } from '@forma/metadata';
import type {
  ActionHook,
  AutomationActionType,
  Ctx,
  FilterHook,
  Logger,
  NewTenant,
  PluginMigration,
  Runtime,
  WorkflowNodeType,
} from '@forma/runtime';
import type { FastifyInstance } from 'fastify';

export type {
  ActionCheck,
  ActionHook,
  ActionResult,
  ActionStep,
  AutomationActionType,
  Ctx,
  FilterHook,
  PluginMigration,
  Runtime,
  WorkflowNodeType,
  WorkflowRun,
} from '@forma/runtime';
export { recordWorkflowEvent, setWorkflowFields } from '@forma/runtime';
export { AppError, badRequest, conflict, forbidden, notFound, runInUnitOfWork, validationFailed } from '@forma/runtime';
export { pluginTable, pluginTablePrefix } from '@forma/runtime';
/** The RFM segments of customer value analyses (names in English and Chinese), for fields that store them. */
export { RFM_SEGMENTS } from '@forma/runtime';
export type { FieldKind, MetadataDocument, TemplateDocument, WorkflowDefinition } from '@forma/metadata';

/** Plugin names: lower-case, digits and dashes; they become URL segments and table prefixes. */
export const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** What every contribution callback gets: the runtime services and a logger named after the plugin. */
export interface PluginContext {
  plugin: { name: string; version: string };
  runtime: Runtime;
  logger: Logger;
}

/** A script item of the metadata document (`scripts.<name>`), as plugins ship them. */
export interface PluginScript {
  object: string;
  event: 'validate' | 'beforeSave' | 'afterSave' | 'action';
  code: string;
  language?: 'js' | 'ts';
  label?: string;
  description?: string;
}

/**
 * Server routes: an encapsulated fastify plugin mounted under `/api/plugins/<name>`. Every route
 * requires a signed-in user (`request.ctx` is their `Ctx`) unless its `config.public` is true.
 * `app.requireAdmin` is available as a preHandler for admin-only routes.
 */
export type PluginRoutes = (app: FastifyInstance, context: PluginContext) => Promise<void>;

/**
 * A hook that concerns some objects only: it runs for records of `objects` and never for others.
 * Declaring them lets work that has no hooks skip the per-record path (a CSV import of another
 * object is then written set-based). A plain function concerns every object.
 */
export interface ObjectHook<H> {
  /** Object names (at least one). */
  objects: readonly string[];
  handler: H;
}

/** Record lifecycle and other hook-bus events (`record.beforeCreate`, `record.afterUpdate`, …). */
export interface PluginHooks {
  /** In the transaction, in order; may change the payload or abort by throwing an AppError. */
  // biome-ignore lint/suspicious/noExplicitAny: each event has its own payload (docs/records.md)
  filters?: Record<string, FilterHook<any> | ObjectHook<FilterHook<any>>>;
  /** After commit; failures are logged and never undo the saved data. */
  // biome-ignore lint/suspicious/noExplicitAny: each event has its own payload (docs/records.md)
  actions?: Record<string, ActionHook<any> | ObjectHook<ActionHook<any>>>;
}

/** `handler` for the records of `objects` only (see `ObjectHook`). */
export function forObjects<H>(objects: readonly string[], handler: H): ObjectHook<H> {
  return { objects, handler };
}

/**
 * A scheduled job: `cron` (5 fields, UTC) runs `run` once per active tenant per tick, as the
 * tenant's system identity. Several server processes never run the same tick twice.
 */
export interface PluginJob {
  name: string;
  cron: string;
  run(ctx: Ctx, context: PluginContext & { now: Date }): Promise<void>;
}

export interface PluginDefinition {
  name: string;
  /** Semantic version of the plugin. */
  version: string;
  description?: string;
  /** `forma`: a semver range the server's version must satisfy (e.g. `^0.1.0`); else the plugin fails to load. */
  engines?: { forma?: string };
  /**
   * The plugin's own metadata (objects, roles, forms, views, workflows, scripts), registered as a
   * template named after the plugin: tenants get it with `POST /api/tenants {template}` or
   * `POST /api/templates/<name>/apply`.
   */
  metadata?: Omit<MetadataDocument, 'version'>;
  /** Label, description and sample data of the template `metadata` becomes. */
  template?: { label?: string; description?: string; sampleData?: TemplateDocument['sampleData'] };
  /** More templates (e.g. industry variants); names must be unique across the installation. */
  templates?: TemplateDocument[];
  /** Scripts added to the plugin's metadata document (so they can live in their own files). */
  scripts?: Record<string, PluginScript>;
  fieldKinds?: FieldKind[];
  /** Workflow node types (docs/plugins.md "Workflow node types and automation actions"). */
  nodeTypes?: WorkflowNodeType[];
  /** Automation action kinds, e.g. sending an SMS (docs/plugins.md). */
  automationActions?: AutomationActionType[];
  routes?: PluginRoutes;
  /** Hook-bus handlers, or a function building them from the plugin's context (to reach runtime services). */
  hooks?: PluginHooks | ((context: PluginContext) => PluginHooks);
  /** After a tenant has been created (and its template applied), as the tenant's first admin. */
  onTenantCreated?: (ctx: Ctx, input: NewTenant, context: PluginContext) => Promise<void>;
  jobs?: PluginJob[];
  /**
   * Migrations of the plugin's own tables, applied to every tenant schema (new tenants at creation,
   * existing ones at start-up) and tracked per plugin. Name tables through `tenant.table(name)`
   * (`_p_<plugin>_<name>`); a migration creating any other table is refused and rolled back.
   */
  migrations?: PluginMigration[];
  /** Anything else at load time (register section checks, outbox topics, …); may return a teardown. */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets a plain `setup() {…}` return nothing
  setup?: (context: PluginContext) => void | (() => void) | Promise<void | (() => void)>;
}

/** Declares a plugin; the identity function gives plugin authors types and editor help. */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}
