/**
 * Templates: packaged metadata documents (industry templates from plugins, exports of tenants)
 * that can be applied to a tenant as a layer. Registered in process by plugins at start-up.
 */
import { type TemplateDocument, validateDocument, validateStructure } from '@forma/metadata';
import type { TemplateApplyResult, TemplateInfo } from '@forma/metadata/api-types';
import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Logger } from '../logger';
import type { ApplyResult, MetaService, PlanResult } from '../meta/meta-service';
import type { NewTenant } from '../tenants/tenant-service';

export type TemplateDefinition = TemplateDocument;

// `GET /api/templates` items and the apply answer: the contract's shapes (metadata/schemas/api.schema.json).
export type { TemplateApplyResult, TemplateInfo };

/** What loading a template's sample data created: users (with their published passwords) and records. */
export interface SampleDataOutcome {
  users: NonNullable<TemplateApplyResult['sampleUsers']>;
  records: number;
}

/**
 * Inserts a template's sample records through the records engine (validation, owners, autonumbers,
 * audit): load-sample-data.ts. Without one, sample data is skipped.
 */
export type SampleDataLoader = (ctx: Ctx, template: TemplateDefinition) => Promise<SampleDataOutcome>;

export class TemplateRegistry {
  private readonly templates = new Map<string, TemplateDefinition>();

  constructor(
    private readonly meta: Pick<MetaService, 'planTemplate' | 'applyTemplate' | 'appliedTemplates'>,
    private readonly logger: Logger,
    private readonly sampleDataLoader?: SampleDataLoader,
  ) {}

  /** Adds (or replaces) a template; an invalid template is a programming error and throws. */
  register(template: TemplateDefinition): () => void {
    const issues = validateStructure('template', template);
    if (!issues.length) issues.push(...validateDocument(template.document));
    if (issues.length) {
      throw new Error(
        `Template ${String(template?.name)} is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    }
    const frozen = structuredClone(template);
    this.templates.set(template.name, frozen);
    return () => {
      if (this.templates.get(template.name) === frozen) this.templates.delete(template.name);
    };
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  list(): TemplateInfo[] {
    return this.names().map((name) => {
      const t = this.templates.get(name)!;
      const counts = Object.entries(t.sampleData ?? {}).map(([k, rows]) => [k, rows?.length ?? 0] as const);
      const users = counts.find(([k]) => k === 'users')?.[1] ?? 0;
      const records = counts.reduce((n, [k, c]) => (k === 'users' ? n : n + c), 0);
      return {
        name,
        label: t.label,
        version: t.version,
        ...(t.description ? { description: t.description } : {}),
        objects: Object.keys(t.document.objects ?? {}),
        hasSampleData: users + records > 0,
        sampleCounts: { users, records },
      };
    });
  }

  /** The templates as a tenant's admin sees them: those applied carry their applied version and time. */
  async listFor(ctx: Ctx): Promise<TemplateInfo[]> {
    const applied = await this.meta.appliedTemplates(ctx);
    return this.list().map((t) => {
      const a = applied.get(t.name);
      return a ? { ...t, applied: a } : t;
    });
  }

  get(name: string): TemplateDefinition {
    const t = this.templates.get(name);
    if (!t) throw notFound(`Unknown template: ${name}`);
    return t;
  }

  /** What applying the template would change now (the metadata plan; sample data is not part of it). */
  async plan(ctx: Ctx, name: string): Promise<PlanResult & { template: { name: string; version: string } }> {
    const template = this.get(name);
    return { ...(await this.meta.planTemplate(ctx, template)), template: { name, version: template.version } };
  }

  /** Applies (or re-applies a newer version of) a template, keeping the tenant's customizations. */
  async apply(
    ctx: Ctx,
    name: string,
    opts: { sampleData?: boolean; allowDestructive?: boolean } = {},
  ): Promise<ApplyResult & TemplateApplyResult> {
    const template = this.get(name);
    const result = await this.meta.applyTemplate(ctx, template, {
      ...(opts.allowDestructive ? { allowDestructive: true } : {}),
    });
    let sampleData: TemplateApplyResult['sampleData'] = 'none';
    let outcome: SampleDataOutcome | undefined;
    if (opts.sampleData && template.sampleData) {
      if (this.sampleDataLoader) {
        // The request's ctx carries the version it was authenticated with, from before this apply.
        outcome = await this.sampleDataLoader({ ...ctx, metaVersion: result.version }, template);
        sampleData = 'inserted';
      } else {
        this.logger.info({ template: name }, 'sample data skipped: no sample data loader');
        sampleData = 'skipped';
      }
    }
    return {
      ...result,
      template: { name, version: template.version },
      sampleData,
      ...(outcome ? { sampleUsers: outcome.users, sampleRecords: outcome.records } : {}),
    };
  }

  /** TenantService hook: `POST /api/tenants {template}` applies it right after the tenant exists. */
  readonly onTenantCreated = async (ctx: Ctx, input: NewTenant): Promise<void> => {
    if (input.template) await this.apply(ctx, input.template, { sampleData: Boolean(input.sampleData) });
  };
}
