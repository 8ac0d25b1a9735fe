import type { Ctx } from '../ctx';
import { SYSTEM_TABLE } from '../model/naming';
import type { PageSetup } from './html-to-pdf';

export interface PrintTemplate {
  object: string;
  name: string;
  label: string;
  kind: 'html' | 'docx';
  html: string | null;
  header: string | null;
  footer: string | null;
  page: PageSetup;
  version: number;
  updatedAt: string;
}

interface Row {
  object: string;
  name: string;
  label: string;
  kind: 'html' | 'docx';
  html: string | null;
  page: PageSetup & { header?: string; footer?: string };
  version: number;
  updated_at: Date;
}

const COLUMNS = ['object', 'name', 'label', 'kind', 'html', 'page', 'version', 'updated_at'];

const toTemplate = (r: Row): PrintTemplate => {
  const { header, footer, ...page } = r.page ?? {};
  return {
    object: r.object,
    name: r.name,
    label: r.label,
    kind: r.kind,
    html: r.html,
    header: header ?? null,
    footer: footer ?? null,
    page,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
};

/** Rows of `_print_templates`; callers check names and permissions. */
export const printTemplateStore = {
  async list(ctx: Ctx, object?: string): Promise<PrintTemplate[]> {
    const q = ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.printTemplates)
      .select(COLUMNS)
      .orderBy(['object', 'name']);
    if (object) q.where({ object });
    return ((await q) as Row[]).map(toTemplate);
  },
  async get(ctx: Ctx, object: string, name: string): Promise<PrintTemplate | undefined> {
    const row = (await ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.printTemplates)
      .select(COLUMNS)
      .where({ object, name })
      .first()) as Row | undefined;
    return row && toTemplate(row);
  },
  async docx(ctx: Ctx, object: string, name: string): Promise<Buffer | undefined> {
    const row = await ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.printTemplates)
      .select('docx')
      .where({ object, name, kind: 'docx' })
      .first();
    return row?.docx ?? undefined;
  },
  /** Insert or replace; concurrent savers both succeed, the later one wins with version + 1. */
  async save(
    ctx: Ctx,
    t: {
      object: string;
      name: string;
      label: string;
      kind: 'html' | 'docx';
      html?: string;
      docx?: Buffer;
      page: object;
    },
  ): Promise<PrintTemplate> {
    const row = {
      object: t.object,
      name: t.name,
      label: t.label,
      kind: t.kind,
      html: t.html ?? null,
      docx: t.docx ?? null,
      page: JSON.stringify(t.page),
      updated_by: ctx.user.id,
      updated_at: ctx.db.fn.now(),
    };
    const [saved] = (await ctx.db
      .withSchema(ctx.schema)
      .into(SYSTEM_TABLE.printTemplates)
      .insert(row)
      .onConflict(['object', 'name'])
      .merge({ ...row, version: ctx.db.raw('??.?? + 1', [SYSTEM_TABLE.printTemplates, 'version']) })
      .returning(COLUMNS)) as Row[];
    return toTemplate(saved as Row);
  },
  async delete(ctx: Ctx, object: string, name: string): Promise<boolean> {
    const n = await ctx.db.withSchema(ctx.schema).from(SYSTEM_TABLE.printTemplates).where({ object, name }).delete();
    return n > 0;
  },
};
