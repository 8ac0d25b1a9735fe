import type { Ctx } from '../ctx';
import { badRequest, forbidden, isAppError, notFound, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { Model, ObjectModel } from '../model/load-model';
import type { RecordService } from '../records/record-service';
import { Readable } from 'node:stream';
import type { WordTags } from './word-template';
import { type DocumentWorkers, workerData } from './document-workers';
import type { PageSetup } from './html-to-pdf';
import { type DocumentImages, type ImageBytes, inlineImages } from './document-images';
import { compileTemplate } from './document-templates';
import { htmlToText } from './mail-merge-text';
import { checkTemplate } from './print-template-check';
import { type PrintTemplate, printTemplateStore } from './print-template-store';
import { checkWordFields, unknownWordTags } from './word-template-check';

export interface DocumentServiceDeps {
  meta: MetaService;
  records: Pick<RecordService, 'get' | 'list'>;
  /** Parses and draws documents off the event loop. */
  workers: DocumentWorkers;
  /** The tenant's images templates draw (the logo). */
  images: DocumentImages;
}

export interface PrintTemplateInput {
  label?: string;
  html: string;
  header?: string;
  footer?: string;
  page?: PageSetup;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_HTML = 200_000;
const MAX_LINES = 2_000;
const SIZES = new Set(['A4', 'A5', 'LETTER', 'LEGAL']);

export { compileTemplate, compileTextTemplate } from './document-templates';

const compile = compileTemplate;

/**
 * Print templates (HTML + Handlebars → PDF): admins save them per object, users print the records
 * they may read. Data comes through the records service with the caller's context, so scopes and
 * field security apply: a hidden field is simply absent and prints blank.
 */
export class DocumentService {
  /** The tenant's images templates draw (`<img src="image:logo">`): upload, list, delete. */
  readonly images: DocumentImages;

  constructor(private readonly deps: DocumentServiceDeps) {
    this.images = deps.images;
  }

  async listTemplates(ctx: Ctx, object?: string): Promise<PrintTemplate[]> {
    if (object !== undefined) this.objectOf(await this.deps.meta.model(ctx), object);
    return printTemplateStore.list(ctx, object);
  }

  async getTemplate(ctx: Ctx, object: string, name: string): Promise<PrintTemplate> {
    this.objectOf(await this.deps.meta.model(ctx), object);
    const t = await printTemplateStore.get(ctx, object, name);
    if (!t) throw notFound(`Unknown print template: ${name}`);
    return t;
  }

  async saveTemplate(ctx: Ctx, object: string, name: string, input: PrintTemplateInput): Promise<PrintTemplate> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (!NAME.test(name)) throw badRequest('Template names are lower-case letters, digits and _');
    const model = await this.deps.meta.model(ctx);
    const obj = this.objectOf(model, object);
    const page = checkInput(model, obj, input);
    await this.images.check(ctx, input.html, 'html');
    return printTemplateStore.save(ctx, {
      object,
      name,
      label: input.label?.trim() || name,
      kind: 'html',
      html: input.html,
      page: {
        ...page,
        ...(input.header ? { header: input.header } : {}),
        ...(input.footer ? { footer: input.footer } : {}),
      },
    });
  }

  /**
   * An unsaved template rendered against one record (the designer's live preview): the same checks
   * as saving, the same data as printing (the caller's read scope and field security), nothing stored.
   * `html` answers the rendered HTML and its text; `pdf` the document as printing would draw it.
   */
  async previewTemplate(
    ctx: Ctx,
    object: string,
    id: string,
    input: PrintTemplateInput,
    format: 'html' | 'pdf' = 'html',
  ): Promise<{ html: string; text: string } | { pdf: Buffer }> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const model = await this.deps.meta.model(ctx);
    const obj = this.objectOf(model, object);
    const page = checkInput(model, obj, input);
    await this.images.check(ctx, input.html, 'html');
    const data = await this.recordData(ctx, object, id);
    const html = compile(input.html)(data);
    const images = await this.images.bytesFor(ctx, html);
    if (format === 'pdf')
      return { pdf: await this.pdf(ctx.tenant, html, input.header, input.footer, data, page, images) };
    return { html: inlineImages(html, images), text: htmlToText(html) };
  }

  /**
   * A Word file's tags, read as an upload reads them (same limits and refusals) without storing it,
   * with those that name no field: the designer lists them before the admin saves.
   */
  async inspectWordTemplate(
    ctx: Ctx,
    object: string,
    docx: Buffer,
  ): Promise<{ tags: { tag: string; inside?: string }[]; unknown: string[] }> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const model = await this.deps.meta.model(ctx);
    const obj = this.objectOf(model, object);
    const found = await this.wordTags(ctx.tenant, docx);
    const tags: { tag: string; inside?: string }[] = [];
    const walk = (node: WordTags, inside?: string) => {
      for (const [raw, inner] of Object.entries(node)) {
        const tag = raw.trim();
        if (tag === '' || tag === '.') continue;
        tags.push(inside ? { tag, inside } : { tag });
        if (Object.keys(inner).length > 0) walk(inner, inside ? `${inside}.${tag}` : tag);
      }
    };
    walk(found);
    return { tags, unknown: unknownWordTags(model, obj, found) };
  }

  async deleteTemplate(ctx: Ctx, object: string, name: string): Promise<void> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    this.objectOf(await this.deps.meta.model(ctx), object);
    if (!(await printTemplateStore.delete(ctx, object, name))) throw notFound(`Unknown print template: ${name}`);
  }

  /** The record printed with the template, as a PDF stream. 404 when the record is outside the caller's scope. */
  async print(ctx: Ctx, object: string, id: string, name: string): Promise<{ pdf: Readable; filename: string }> {
    const t = await this.getTemplate(ctx, object, name);
    if (t.kind !== 'html' || !t.html) throw badRequest(`Template ${name} is not an HTML print template`);
    const data = await this.recordData(ctx, object, id);
    const html = compile(t.html)(data);
    const pdf = await this.pdf(
      ctx.tenant,
      html,
      t.header,
      t.footer,
      data,
      t.page,
      await this.images.bytesFor(ctx, html),
    );
    return { pdf: Readable.from([pdf]), filename: `${name}-${id}.pdf` };
  }

  /**
   * The record printed with an HTML template as plain text (an e-mail body: the automation `email`
   * action), rendered in process like the PDF's HTML, with the caller's permissions.
   */
  async printText(ctx: Ctx, object: string, id: string, name: string): Promise<string> {
    const t = await this.getTemplate(ctx, object, name);
    if (t.kind !== 'html' || !t.html) throw badRequest(`Template ${name} is not an HTML print template`);
    return htmlToText(compile(t.html)(await this.recordData(ctx, object, id)));
  }

  /** One record's PDF, drawn in a document worker: the HTML body and header/footer templates. */
  async pdf(
    tenant: string,
    html: string,
    header: string | null | undefined,
    footer: string | null | undefined,
    data: Record<string, unknown>,
    page: PageSetup,
    images: ImageBytes = {},
  ): Promise<Buffer> {
    const bytes = await this.deps.workers.run<Uint8Array>(tenant, {
      kind: 'pdf',
      html,
      ...(header ? { header } : {}),
      ...(footer ? { footer } : {}),
      data: workerData(data),
      page,
      images,
    });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A Word template's tags, checked (archive limits, broken tags) in a document worker. */
  wordTags(tenant: string, docx: Buffer): Promise<WordTags> {
    return this.deps.workers.run<WordTags>(tenant, { kind: 'word-tags', docx });
  }

  /** A Word template filled with one record's data (or that document's text), in a document worker. */
  async fillWord(tenant: string, docx: Buffer, data: Record<string, unknown>): Promise<Buffer> {
    const bytes = await this.deps.workers.run<Uint8Array>(tenant, {
      kind: 'word-render',
      docx,
      data: workerData(data),
    });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The text of a Word template filled with one record's data (merge previews, e-mail bodies). */
  wordText(tenant: string, docx: Buffer, data: Record<string, unknown>): Promise<string> {
    return this.deps.workers.run<string>(tenant, { kind: 'word-render', docx, data: workerData(data), text: true });
  }

  /** Stores a Word (.docx) template with `{field}` tags (tenant admins). */
  async saveWordTemplate(ctx: Ctx, object: string, name: string, docx: Buffer, label?: string): Promise<PrintTemplate> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (!NAME.test(name)) throw badRequest('Template names are lower-case letters, digits and _');
    const model = await this.deps.meta.model(ctx);
    const obj = this.objectOf(model, object);
    // A typo would print blank in every letter: refused at upload, as print templates are at save.
    checkWordFields(model, obj, await this.wordTags(ctx.tenant, docx));
    return printTemplateStore.save(ctx, { object, name, label: label?.trim() || name, kind: 'docx', docx, page: {} });
  }

  /** The record filled into a Word template, as a .docx. */
  async renderWord(ctx: Ctx, object: string, id: string, name: string): Promise<{ docx: Buffer; filename: string }> {
    const t = await this.getTemplate(ctx, object, name);
    const source = t.kind === 'docx' ? await printTemplateStore.docx(ctx, object, name) : undefined;
    if (!source) throw badRequest(`Template ${name} is not a Word template`);
    const data = await this.recordData(ctx, object, id);
    return { docx: await this.fillWord(ctx.tenant, source, data), filename: `${name}-${id}.docx` };
  }

  /**
   * What a template sees: the record's readable fields, readable lookups expanded (printing as their
   * label) and the line items the caller may read.
   */
  async recordData(ctx: Ctx, object: string, id: string): Promise<Record<string, unknown>> {
    const records = this.deps.records;
    const model = await this.deps.meta.model(ctx);
    const obj = this.objectOf(model, object);
    const plain = await records.get(ctx, object, id);
    const lookups = [...obj.fields.values()]
      .filter((f) => f.ref && f.column && f.name !== 'id' && plain[f.name] != null)
      .map((f) => f.name);
    const data = lookups.length > 0 ? await records.get(ctx, object, id, { expand: lookups.join(',') }) : { ...plain };
    for (const name of lookups) {
      const value = data[name];
      const target = model.objects.get(obj.fields.get(name)?.ref ?? '');
      if (value && typeof value === 'object') labelled(value as Record<string, unknown>, target?.labelField ?? 'name');
    }
    for (const child of obj.children) data[child.name] = await this.lines(ctx, model, child.object, child.field, id);
    return data;
  }

  /** A record's line items, their lookups expanded and printing as their label (`{{product}}`, `{{product.name}}`). */
  private async lines(
    ctx: Ctx,
    model: Model,
    object: string,
    field: string,
    parent: string,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    const lineObject = model.objects.get(object);
    // The parent lookup is the record being printed: expanding it on every line would only repeat it.
    const lookups = [...(lineObject?.fields.values() ?? [])].filter(
      (f) => f.ref && f.column && f.name !== 'id' && f.name !== field,
    );
    let cursor: string | undefined;
    try {
      do {
        const page = await this.deps.records.list(ctx, object, {
          filter: { [field]: { eq: parent } },
          limit: 500,
          ...(lookups.length > 0 ? { expand: lookups.map((f) => f.name).join(',') } : {}),
          ...(cursor ? { cursor } : {}),
        });
        for (const line of page.items)
          for (const f of lookups) {
            const value = line[f.name];
            const target = model.objects.get(f.ref ?? '');
            if (value && typeof value === 'object')
              labelled(value as Record<string, unknown>, target?.labelField ?? 'name');
          }
        out.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && out.length < MAX_LINES);
    } catch (err) {
      // No read access to the line-item object: the document prints without its lines.
      if (isAppError(err) && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) return [];
      throw err;
    }
    return out;
  }

  private objectOf(model: Model, object: string): ObjectModel {
    const obj = model.objects.get(object);
    if (!obj) throw notFound(`Unknown object: ${object}`);
    return obj;
  }
}

/** What saving and previewing refuse: missing or long HTML, an unknown page size, placeholders that cannot print. */
function checkInput(model: Model, obj: ObjectModel, input: PrintTemplateInput): PageSetup {
  if (typeof input.html !== 'string' || input.html.trim() === '')
    throw validationFailed('html is required', { html: 'required' });
  if (input.html.length > MAX_HTML)
    throw validationFailed('html is too long', { html: `at most ${MAX_HTML} characters` });
  const page = input.page ?? {};
  if (page.size !== undefined && !SIZES.has(page.size))
    throw validationFailed('Unknown page size', { 'page.size': 'A4, A5, LETTER or LEGAL' });
  checkTemplate(model, obj, input.html, 'html');
  if (input.header) checkTemplate(model, obj, input.header, 'header', ['page', 'pages']);
  if (input.footer) checkTemplate(model, obj, input.footer, 'footer', ['page', 'pages']);
  return page;
}

/** An expanded lookup prints as its label (`{{account}}`) while `{{account.city}}` still works. */
function labelled(record: Record<string, unknown>, labelField: string) {
  // Expanded lookups may share one object for one target (two lines of the same product).
  if (Object.hasOwn(record, 'toString')) return;
  Object.defineProperty(record, 'toString', {
    value: () => String(record[labelField] ?? record.name ?? record.id ?? ''),
    enumerable: false,
  });
}
