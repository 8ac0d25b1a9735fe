/**
 * `runtime.meta`: the tenant's metadata as a versioned document. Reads come from a per-version
 * model cache; every change goes merge → stable ids → validation → dependency check → section
 * checks → plan → data checks → apply (one transaction) → index phase, and is recorded in history.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  compileRecordTypes,
  describeField,
  type FieldDefinition,
  type MetadataDocument,
  type MetadataIssue,
  SYSTEM_FIELD_NAMES,
  type TemplateDocument,
  validateDocument,
  validateStructure,
} from '@forma/metadata';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Clock } from '../clock';
import type { MetaConfig } from '../config';
import type { Ctx } from '../ctx';
import { conflict, forbidden, notFound, validationFailed } from '../errors';
import type { Logger } from '../logger';
import { EMPTY_DOCUMENT, loadModel, type Model } from '../model/load-model';
import { ModelCache } from '../model/model-cache';
import { recordSchema } from '../model/record-schema';
import { applyMigration, type CheckFailure, type Prepared, runChecks } from '../schema/apply-migration';
import { type Dependent, removedButUsed, stillUsedIssues } from '../schema/check-dependencies';
import { type MigrationPlan, type PlanStep, planMigration, type RollupValueSql } from '../schema/plan-migration';
import { type IndexPhaseOptions, type IndexReport, reconcileIndexes } from '../schema/reconcile-indexes';
import { type ChangeSummary, summarizeChange } from './change-summary';
import { type ChangeItem, describeChanges } from './plan-changes';
import { assignStableIds, type DocumentPatch, mergePatch, patchIssues } from './document-patch';
import { metaStore, type HistoryEntry } from './meta-store';
import { mergeTemplate } from './merge-template';
import { ownLayer } from './own-layer';
import { META_SECTIONS, type MetaSection, type SectionCheck, SectionChecks } from './section-checks';

/** A plan step as clients see it. */
export type PublicStep = Omit<PlanStep, 'action'>;

export type PlanResult = {
  /** The version the plan was made against. */
  version: number;
  /** False when the document equals the current one (applying it is a no-op). */
  changed: boolean;
  steps: PublicStep[];
  destructive: boolean;
  /** Data checks that fail now: applying would answer 409 with these. */
  conflicts: CheckFailure[];
  summary: ChangeSummary;
  /** The summary as business changes, with names and labels, for people to read. */
  changes: ChangeItem[];
};

export type ApplyResult = {
  version: number;
  changed: boolean;
  plan: { steps: PublicStep[]; destructive: boolean };
  summary: ChangeSummary;
  /** The index phase after commit (concurrent builds, INVALID index repair). */
  indexes?: IndexReport;
};

export interface ApplyOptions {
  allowDestructive?: boolean;
  /** Recorded in history: `api`, `template:core-crm@1.2.0`, … */
  source?: string;
  /**
   * The version the client's change was made against (`If-Match`, or `version` in an applied
   * document). When another change landed in between, the apply answers 409 instead of silently
   * overwriting it.
   */
  expectedVersion?: number;
}

/** One history entry with the whole document of that version. */
export type VersionEntry = HistoryEntry & { document: MetadataDocument };

/** How the next document is made from the current one (inside the lock, for applies). */
type Compute = (current: MetadataDocument, trx: Knex | Knex.Transaction) => Promise<ComputedNext> | ComputedNext;
interface ComputedNext {
  document: MetadataDocument;
  afterSteps?: (trx: Knex.Transaction) => Promise<void>;
}

interface PreparedChange extends Prepared<ChangeSummary> {
  model: Model;
}

const SYSTEM_FIELDS = new Set<string>(SYSTEM_FIELD_NAMES);

function isEmptyReport(r: IndexReport): boolean {
  return !r.created.length && !r.rebuilt.length && !r.failed.length;
}

export class MetaService {
  private readonly cache = new ModelCache();
  private readonly checks = new SectionChecks();

  constructor(
    private readonly db: Knex,
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      config: MetaConfig;
      rollupValue: RollupValueSql;
      /** After a new version commits: waits until every server process serves it (auth/session-cache.ts). */
      versionCommitted?: () => Promise<void>;
      /** The connection the index phase builds on (the session URL behind a pooler; reconcile-indexes.ts). */
      indexSession?: () => pg.ClientConfig | undefined;
    },
  ) {}

  /** Adds semantic validation of one section's items at save time (see SectionCheck). */
  registerSectionCheck<T>(section: MetaSection, check: SectionCheck<T>, source?: string): () => void {
    return this.checks.register(section, check, source);
  }

  /** The tenant's current model, cached per version; a new version anywhere is seen on the next request. */
  async model(ctx: Ctx): Promise<Model> {
    const version = ctx.metaVersion ?? (await metaStore.currentVersion(ctx.db, ctx.schema));
    return this.cache.get(ctx.tenant, version, async () =>
      loadModel(await metaStore.document(ctx.db, ctx.schema, version), version),
    );
  }

  /**
   * `model(ctx)` when the request knows its version and that version's model is built: without a
   * promise. Else undefined (ask `model`).
   */
  modelIfBuilt(ctx: Ctx): Model | undefined {
    return ctx.metaVersion === undefined ? undefined : this.cache.peek(ctx.tenant, ctx.metaVersion);
  }

  /** `GET /api/meta`: the whole document with its version (admins). */
  async get(ctx: Ctx): Promise<MetadataDocument & { version: number }> {
    requireAdmin(ctx);
    const model = await this.model(ctx);
    return { version: model.version, ...model.document };
  }

  /** What the end-user app needs to render lists and forms: objects, forms, views (any signed-in user). */
  async app(ctx: Ctx): Promise<Pick<MetadataDocument, 'objects' | 'forms' | 'views'> & { version: number }> {
    const model = await this.model(ctx);
    const { objects = {}, forms = {}, views = {} } = model.document;
    return { version: model.version, objects: withWidgets(objects), forms, views };
  }

  /** Plans a change without applying it: steps, destructive flag, and the data checks that fail now. */
  async plan(ctx: Ctx, patch: unknown): Promise<PlanResult> {
    requireAdmin(ctx);
    const typed = this.checkPatch(patch);
    return this.planWith(ctx, (cur) => ({ document: mergePatch(cur, typed) }));
  }

  /** The plan that reverting to `version` would run now (nothing changes). */
  async planRevert(ctx: Ctx, version: number): Promise<PlanResult> {
    requireAdmin(ctx);
    const target = await this.versionDocument(ctx, version);
    return this.planWith(ctx, () => ({ document: structuredClone(target) }));
  }

  /**
   * Makes the document of an earlier version current again, as a new version with its own plan:
   * history is never rewritten. Stable ids make renames since then renames back; fields added since
   * are dropped (destructive: needs allowDestructive); data checks apply as for any change.
   * Template layers are left as they are.
   */
  async revert(ctx: Ctx, version: number, opts: ApplyOptions = {}): Promise<ApplyResult> {
    requireAdmin(ctx);
    const target = await this.versionDocument(ctx, version);
    return this.change(ctx, () => ({ document: structuredClone(target) }), { source: `revert:${version}`, ...opts });
  }

  /** One version with its document (admins); 404 when there is no such version. */
  async version(ctx: Ctx, version: number): Promise<VersionEntry> {
    requireAdmin(ctx);
    const entry = await metaStore.entry(ctx.db, ctx.schema, version);
    if (!entry) throw notFound(`No metadata version ${version}`);
    return entry;
  }

  private async versionDocument(ctx: Ctx, version: number): Promise<MetadataDocument> {
    return (await this.version(ctx, version)).document;
  }

  private async planWith(ctx: Ctx, compute: Compute): Promise<PlanResult> {
    return this.db.transaction(
      async (trx) => {
        const version = await metaStore.currentVersion(trx, ctx.schema);
        const document = await metaStore.document(trx, ctx.schema, version);
        const prepared = await this.prepare(ctx, { version, document }, trx, compute);
        if (!prepared)
          return { version, changed: false, steps: [], destructive: false, conflicts: [], summary: {}, changes: [] };
        return {
          version,
          changed: true,
          steps: publicSteps(prepared.plan),
          destructive: prepared.plan.destructive,
          conflicts: await runChecks(trx, prepared.plan.checks),
          summary: prepared.summary,
          changes: describeChanges(document, prepared.next, prepared.summary),
        };
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
  }

  /** Applies a (partial) document: see DocumentPatch for the merge rules. */
  async apply(ctx: Ctx, patch: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
    requireAdmin(ctx);
    const typed = this.checkPatch(patch);
    const bodyVersion = typed.version;
    if (bodyVersion !== undefined && !(Number.isSafeInteger(bodyVersion) && (bodyVersion as number) >= 0))
      throw validationFailed('The metadata is not valid', { '/version': 'must be a non-negative integer' });
    const expectedVersion = opts.expectedVersion ?? (bodyVersion as number | undefined);
    return this.change(ctx, (cur) => ({ document: mergePatch(cur, typed) }), {
      ...opts,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
  }

  /** `PUT /api/meta/<section>/<name>`: one item created or replaced. */
  async put(
    ctx: Ctx,
    section: MetaSection,
    name: string,
    item: unknown,
    opts: ApplyOptions = {},
  ): Promise<ApplyResult> {
    const value =
      section === 'forms' && item && typeof item === 'object' && !Array.isArray(item) && !('object' in item)
        ? { ...item, object: name }
        : item;
    if (value === null)
      throw validationFailed('The metadata is not valid', { [`/${section}/${name}`]: 'must be an object' });
    return this.apply(ctx, { [section]: { [name]: value } }, opts);
  }

  /** `DELETE /api/meta/<section>/<name>`. */
  async remove(ctx: Ctx, section: MetaSection, name: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
    requireAdmin(ctx);
    const model = await this.model(ctx);
    if (!(name in ((model.document[section] ?? {}) as Record<string, unknown>)))
      throw notFound(`No ${section.replace(/s$/, '')} named ${name}`);
    return this.apply(ctx, { [section]: { [name]: null } }, opts);
  }

  /** Applies a template as a layer: a three-way merge with what the tenant changed since last time. */
  async applyTemplate(ctx: Ctx, template: TemplateDocument, opts: ApplyOptions = {}): Promise<ApplyResult> {
    requireAdmin(ctx);
    return this.change(
      ctx,
      async (cur, trx) => {
        const layer = (await metaStore.templateLayers(trx, ctx.schema)).find((l) => l.name === template.name);
        return {
          document: mergeTemplate(layer?.document ?? EMPTY_DOCUMENT, cur, template.document),
          afterSteps: (t) =>
            metaStore.saveTemplateLayer(t, ctx.schema, {
              name: template.name,
              version: template.version,
              document: template.document,
              applied_by: ctx.user.id,
            }),
        };
      },
      { source: `template:${template.name}@${template.version}`, ...opts },
    );
  }

  /** The templates applied to the tenant (admins): the gallery marks them. */
  async appliedTemplates(ctx: Ctx): Promise<Map<string, { version: string; at: string }>> {
    requireAdmin(ctx);
    const rows = await metaStore.appliedTemplates(ctx.db, ctx.schema);
    return new Map(rows.map((r) => [r.name, { version: r.version, at: new Date(r.applied_at).toISOString() }]));
  }

  /** The plan applying (or re-applying) `template` would run now, merged as applyTemplate does; nothing changes. */
  async planTemplate(ctx: Ctx, template: TemplateDocument): Promise<PlanResult> {
    requireAdmin(ctx);
    return this.planWith(ctx, async (cur, trx) => {
      const layer = (await metaStore.templateLayers(trx, ctx.schema)).find((l) => l.name === template.name);
      return { document: mergeTemplate(layer?.document ?? EMPTY_DOCUMENT, cur, template.document) };
    });
  }

  async history(ctx: Ctx, opts: { limit?: number; before?: number } = {}): Promise<HistoryEntry[]> {
    requireAdmin(ctx);
    return metaStore.history(ctx.db, ctx.schema, {
      limit: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      ...(opts.before !== undefined ? { before: opts.before } : {}),
    });
  }

  /**
   * The tenant's metadata as a template document; applying it to a fresh tenant reproduces it.
   * `layer: 'own'` leaves out what applied templates provide unchanged (see ownLayer): the tenant's
   * customizations, to be applied on top of the same templates.
   */
  async exportTemplate(ctx: Ctx, info: { label?: string; layer?: 'all' | 'own' } = {}): Promise<TemplateDocument> {
    requireAdmin(ctx);
    const model = await this.model(ctx);
    let document = Object.fromEntries(META_SECTIONS.map((s) => [s, model.document[s] ?? {}])) as MetadataDocument;
    let description = `Metadata of ${ctx.tenant} at version ${model.version}`;
    if (info.layer === 'own') {
      const layers = await metaStore.templateLayers(ctx.db, ctx.schema);
      document = ownLayer(
        document,
        layers.map((l) => l.document),
      );
      if (layers.length)
        description = `Customizations of ${ctx.tenant} at version ${model.version} on top of ${layers.map((l) => `${l.name}@${l.version}`).join(', ')}`;
    }
    return {
      name: ctx.tenant,
      label: info.label ?? ctx.tenant,
      version: `${model.version}.0.0`,
      description,
      document,
    };
  }

  /** TypeScript declarations of the tenant's records (for plugin authors). */
  async recordTypes(ctx: Ctx): Promise<string> {
    requireAdmin(ctx);
    const model = await this.model(ctx);
    const objects = [...model.objects.values()].map((o) => ({ name: o.name, schema: recordSchema(o) }));
    return compileRecordTypes(
      objects,
      `/**\n * Record types of tenant ${ctx.tenant}, metadata version ${model.version}.\n * Generated by Forma (npm run types); do not edit.\n */`,
    );
  }

  private indexOptions(): IndexPhaseOptions {
    return this.deps.indexSession ? { session: this.deps.indexSession } : {};
  }

  /** Re-runs the index phase: builds missing indexes, rebuilds INVALID ones. Idempotent. */
  async repairIndexes(ctx: Ctx): Promise<IndexReport> {
    requireAdmin(ctx);
    return reconcileIndexes(this.db, ctx.schema, await this.model(ctx), this.indexOptions());
  }

  private checkPatch(patch: unknown): DocumentPatch {
    const issues = patchIssues(patch);
    if (issues.length) throw invalid(issues);
    return patch as DocumentPatch;
  }

  private async change(ctx: Ctx, compute: Compute, opts: ApplyOptions): Promise<ApplyResult> {
    const outcome = await applyMigration(
      this.db,
      {
        versions: metaStore,
        tenant: ctx.tenant,
        schema: ctx.schema,
        author: { id: ctx.user.id, name: ctx.user.name },
        source: opts.source ?? 'api',
        allowDestructive: Boolean(opts.allowDestructive),
        prepare: (current, trx) => {
          // Checked under the lock, so two writers holding the same version cannot both pass.
          if (opts.expectedVersion !== undefined && opts.expectedVersion !== current.version)
            throw staleVersion(opts.expectedVersion, current.version);
          return this.prepare(ctx, current, trx, compute);
        },
      },
      { ...this.deps.config, now: () => this.deps.clock.now() },
    );
    if (outcome.changed) await this.deps.versionCommitted?.();
    const model = await this.cache.get(ctx.tenant, outcome.version, async () =>
      loadModel(outcome.document, outcome.version),
    );
    // Also after a no-op apply: re-sending a change is how an admin repairs an index phase a crash cut.
    const indexes = await this.indexPhase(ctx, model);
    if (!outcome.changed || !outcome.plan) {
      return {
        version: outcome.version,
        changed: false,
        plan: { steps: [], destructive: false },
        summary: {},
        ...(indexes && !isEmptyReport(indexes) ? { indexes } : {}),
      };
    }
    return {
      version: outcome.version,
      changed: true,
      plan: { steps: publicSteps(outcome.plan), destructive: outcome.plan.destructive },
      summary: outcome.summary ?? {},
      ...(indexes ? { indexes } : {}),
    };
  }

  /**
   * The index phase of `ctx`'s tenant for `model` (runtime/src/schema/reconcile-indexes.ts). Its
   * failures are logged, never thrown: the metadata is committed, and the next apply, start-up or
   * `repairIndexes` finishes it; unique fields without their index refuse writes meanwhile.
   */
  private async indexPhase(ctx: Ctx, model: Model): Promise<IndexReport | undefined> {
    try {
      const indexes = await reconcileIndexes(this.db, ctx.schema, model, this.indexOptions());
      if (indexes.failed.length)
        this.deps.logger.warn({ tenant: ctx.tenant, failed: indexes.failed }, 'index build failed');
      if (indexes.created.length || indexes.rebuilt.length)
        this.deps.logger.info(
          { tenant: ctx.tenant, created: indexes.created, rebuilt: indexes.rebuilt },
          'indexes built by the index phase',
        );
      return indexes;
    } catch (err) {
      this.deps.logger.error({ err, tenant: ctx.tenant }, 'index phase failed');
      return undefined;
    }
  }

  /**
   * Start-up: the index phase of one tenant against its current model (a crash may have cut the
   * last apply's index phase, and indexes new to this version of Forma are built here).
   */
  async reconcileTenantIndexes(ctx: Ctx): Promise<IndexReport | undefined> {
    const { metaVersion: _known, ...current } = ctx;
    return this.indexPhase(ctx, await this.model(current));
  }

  /** From the current document to a validated, planned next one; null when nothing changes. */
  private async prepare(
    ctx: Ctx,
    current: { version: number; document: MetadataDocument },
    trx: Knex | Knex.Transaction,
    compute: Compute,
  ): Promise<PreparedChange | null> {
    const computed = await compute(current.document, trx);
    const structural = validateStructure('document', computed.document);
    if (structural.length) throw invalid(structural);
    const { document: next, renames, issues: idIssues } = assignStableIds(current.document, computed.document);
    if (idIssues.length) throw invalid(idIssues);

    const used = removedButUsed(current.document, next, SYSTEM_FIELDS);
    if (Object.keys(used).length) throw stillUsed(used, current.document);
    const issues = validateDocument(next);
    if (issues.length) {
      // With valid objects the model can still be built: the capabilities' checks add their issues,
      // so one answer lists every problem of a workflow or script, not just the first layer's.
      if (!issues.some((i) => i.path.startsWith('/objects/'))) {
        const more = await this.sectionIssuesOf(ctx, current, next).catch((err) => {
          this.deps.logger.warn({ err, tenant: ctx.tenant }, 'section checks skipped on an invalid document');
          return [];
        });
        issues.push(...more.filter((m) => !issues.some((i) => i.path === m.path && i.message === m.message)));
      }
      throw invalid(issues);
    }
    if (isDeepStrictEqual(normalized(next), normalized(current.document))) return null;

    const model = loadModel(next, current.version + 1);
    const sectionIssues = await this.runSectionChecks(ctx, current.document, next, model);
    if (sectionIssues.length) throw invalid(sectionIssues);

    const changedTables = changedObjectTables(current.document, next);
    const tablesWithRows = await metaStore.tablesWithRows(trx, ctx.schema, changedTables);
    const plan = planMigration(current.document, next, {
      schema: ctx.schema,
      tablesWithRows,
      rollupValue: this.deps.rollupValue,
    });
    if (plan.errors.length) throw invalid(plan.errors);
    return {
      next,
      plan,
      summary: summarizeChange(current.document, next, renames),
      model,
      ...(computed.afterSteps ? { afterSteps: computed.afterSteps } : {}),
    };
  }

  private async sectionIssuesOf(
    ctx: Ctx,
    current: { version: number; document: MetadataDocument },
    next: MetadataDocument,
  ): Promise<MetadataIssue[]> {
    return this.runSectionChecks(ctx, current.document, next, loadModel(next, current.version + 1));
  }

  private async runSectionChecks(
    ctx: Ctx,
    current: MetadataDocument,
    next: MetadataDocument,
    model: Model,
  ): Promise<MetadataIssue[]> {
    const issues: MetadataIssue[] = [];
    for (const section of META_SECTIONS) {
      const checks = this.checks.for(section);
      if (!checks.length) continue;
      const before = (current[section] ?? {}) as Record<string, unknown>;
      for (const [name, item] of Object.entries((next[section] ?? {}) as Record<string, unknown>)) {
        if (isDeepStrictEqual(before[name], item)) continue;
        for (const check of checks) {
          const found = await check(ctx, { name, item, previous: before[name], document: next, model });
          for (const i of found) issues.push({ ...i, path: `/${section}/${name}${i.path === '/' ? '' : i.path}` });
        }
      }
    }
    return issues;
  }
}

function requireAdmin(ctx: Ctx): void {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
}

function invalid(issues: readonly MetadataIssue[]) {
  const fields: Record<string, string> = {};
  for (const i of issues) fields[i.path] ??= i.message;
  const first = issues[0];
  return validationFailed(
    issues.length === 1 && first
      ? `The metadata is not valid: ${first.path}: ${first.message}`
      : `The metadata is not valid (${issues.length} problems)`,
    fields,
    { issues },
  );
}

function staleVersion(expected: number, current: number) {
  return conflict(
    `The metadata changed since version ${expected} (it is now at version ${current}): reload, review and retry`,
    { expectedVersion: expected, currentVersion: current },
  );
}

function stillUsed(used: Record<string, Dependent[]>, current: MetadataDocument) {
  const what = Object.entries(used)
    .map(([target, users]) => `${target.replace(/^\w+:/, '')} (used by ${users.map((u) => u.name).join(', ')})`)
    .join('; ');
  return conflict(`Cannot remove or rename what is still in use: ${what}`, {
    dependents: used,
    issues: stillUsedIssues(used, current),
  });
}

function publicSteps(plan: MigrationPlan): PublicStep[] {
  return plan.steps.map(({ action: _action, ...s }) => s);
}

/** Sections absent and empty are the same document. */
function normalized(doc: MetadataDocument): MetadataDocument {
  return Object.fromEntries(META_SECTIONS.map((s) => [s, doc[s] ?? {}])) as MetadataDocument;
}

/** Current tables of objects whose definition changes (the only ones the planner touches). */
function changedObjectTables(current: MetadataDocument, next: MetadataDocument): string[] {
  const nextById = new Map(Object.entries(next.objects ?? {}).map(([n, o]) => [o?.['x-id'] ?? n, o]));
  return Object.entries(current.objects ?? {})
    .filter(([n, o]) => {
      const after = nextById.get(o?.['x-id'] ?? n);
      return after !== undefined && !isDeepStrictEqual(after, o);
    })
    .map(([n]) => n);
}

/**
 * Fields of kinds that describe their widget as data (plugin kinds the web app has no code for)
 * carry it as `x-widget: {name, ...spec}`, so the app can draw them.
 */
function withWidgets(objects: NonNullable<MetadataDocument['objects']>): NonNullable<MetadataDocument['objects']> {
  let out = objects;
  for (const [name, object] of Object.entries(objects)) {
    if (!object) continue;
    let properties: Record<string, unknown> | undefined;
    for (const [field, definition] of Object.entries(object.properties ?? {})) {
      const kind = definition && describeField(definition as FieldDefinition)?.kind;
      if (!kind?.widgetSpec) continue;
      properties ??= { ...object.properties };
      properties[field] = { ...definition, 'x-widget': { name: kind.widget, ...kind.widgetSpec } };
    }
    if (properties) out = { ...out, [name]: { ...object, properties } as typeof object };
  }
  return out;
}
