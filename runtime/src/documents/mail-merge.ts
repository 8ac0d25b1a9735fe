/**
 * Mail merge: one print template (HTML → PDF, or Word → .docx) applied to every record of a
 * filtered list, read in keyset pages with the caller's context (their row scope and field
 * security), as one PDF (each record its own part with its own page numbers), a ZIP of PDFs or of
 * .docx files, a three-document preview, or personalised e-mails queued in the outbox (optionally
 * each with its record's document attached). Output is produced while records are read and waits
 * for the consumer, so memory stays bounded whatever the number of records.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest, forbidden, isAppError, notFound, rateLimited, tooLarge, validationFailed } from '../errors';
import { archiver } from '../lazy-module';
import type { MetaService } from '../meta/meta-service';
import type { ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import { maySendEmail } from '../permissions/may-send-email';
import type { PermissionEngine } from '../permissions/object-access';
import type { RecordService } from '../records/record-service';
import type { RateLimiter } from '../security/rate-limiter';
import { compileTemplate, compileTextTemplate, type DocumentService } from './document-service';
import type { FileService } from './file-service';
import { type ImageBytes, inlineImages } from './document-images';
import { type PageSetup, type PdfPart, renderPdf } from './html-to-pdf';
import { htmlToText } from './mail-merge-text';
import { checkTemplate } from './print-template-check';
import { stripUnsafeChars } from './strip-unsafe-chars';
import { printTemplateStore } from './print-template-store';
import { unknownWordTags } from './word-template-check';

export interface MailMergeInput {
  /** An HTML print template (PDF output); exactly one of `template` and `wordTemplate`. */
  template?: string;
  /** A Word template (.docx output, a ZIP for the documents). */
  wordTemplate?: string;
  filter?: unknown;
  /**
   * The audience is a saved segment's members (those the caller may read), narrowed by `filter`
   * when both are given: `{"id": {"inSegment": segment}}` in the filter language.
   */
  segment?: string;
  sort?: string;
  /** `pdf` (default for HTML templates) or `zip` (the only one for Word templates). */
  format?: 'pdf' | 'zip';
  dryRun?: boolean;
  /** Queue one e-mail per record instead of producing documents. */
  email?: {
    to: string;
    subject: string;
    /** A plain-text template for the body; default: the merged document's text. */
    body?: string;
    /** Attach each record's merged document (PDF or .docx), stored among the record's files. */
    attach?: boolean;
  };
}

/** What a merge asks of the document service: record data, and documents made in its workers. */
type MergeDocuments = Pick<DocumentService, 'recordData' | 'pdf' | 'fillWord' | 'wordText' | 'wordTags' | 'images'>;

export interface MailMergeDeps {
  meta: Pick<MetaService, 'model'>;
  documents: MergeDocuments;
  records: Pick<RecordService, 'list'>;
  permissions: PermissionEngine;
  files: Pick<FileService, 'attachGenerated' | 'maxBytes'>;
  clock: Clock;
  /** The per-tenant budget of merge e-mails (shared by every server process). */
  limiter: RateLimiter;
  emailsPerHour: number;
  /** Records read per keyset page (default 100). */
  pageSize?: number;
}

export interface MergePreview {
  id: string;
  label: string;
  /** HTML templates only: the merged HTML. */
  html?: string;
  text: string;
  email?: { to: string | null; subject: string; body: string; attachment?: string };
}

export interface MergeEmailReport {
  queued: number;
  /** Records without an address in the `to` field (at most 1,000 listed; `missingCount` has them all). */
  missing: Array<{ id: string; label: string }>;
  missingCount: number;
  /** Records whose document could not be made or stored (at most 1,000 listed); the others are queued. */
  failed: Array<{ id: string; label: string; error: string }>;
  failedCount: number;
}

/** Output buffered ahead of the reader before the merge waits for it (bytes). */
const HIGH_WATER = 1 << 20;
const ZIP_HIGH_WATER = 256 << 10;
const MAX_LISTED = 1000;
/** E-mail bodies from a body template are cut here (the outbox is not a file store). */
const MAX_BODY = 100_000;

interface Prepared {
  object: ObjectModel;
  name: string;
  label: string;
  ext: 'pdf' | 'docx';
  page: PageSetup;
  /** The record as a PDF part (HTML templates). */
  render?: (data: Record<string, unknown>) => PdfPart;
  /** The header and footer templates of an HTML template (drawn per page in a document worker). */
  header?: string | null;
  footer?: string | null;
  /** The Word template's bytes (Word templates). */
  docx?: Buffer;
  /** Word tags naming no field (a template uploaded before fields were checked, or a field removed since). */
  unknown?: string[];
  /** Record ids in list order, read page by page. */
  ids: () => AsyncGenerator<string>;
  /** The tenant's images the HTML template draws (its logo), read once for the whole merge. */
  images: ImageBytes;
}

export class MailMerge {
  private readonly pageSize: number;

  constructor(private readonly deps: MailMergeDeps) {
    this.pageSize = deps.pageSize ?? 100;
  }

  /** The merged PDF, streamed: each record starts on a new page with its own header/footer numbers. */
  async pdf(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<{ stream: Readable; filename: string }> {
    const p = await this.prepare(ctx, objectName, input);
    const render = p.render;
    if (!render) throw badRequest('A Word merge answers a ZIP of .docx files: use format "zip"');
    const documents = this.deps.documents;
    let doc: PDFKit.PDFDocument | undefined;
    const parts = async function* () {
      for await (const id of p.ids()) {
        // Wait for the reader: a slow client must not make the whole merge pile up in memory.
        while (doc && doc.readableLength > HIGH_WATER && !doc.destroyed) await new Promise((r) => setTimeout(r, 10));
        if (doc?.destroyed) return;
        yield render(await documents.recordData(ctx, objectName, id));
      }
    };
    doc = renderPdf(parts(), p.page, p.images);
    return { stream: doc, filename: `${p.name}-merge.pdf` };
  }

  /** A ZIP with one PDF (or .docx) per record, each entry written before the next record is read. */
  async zip(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<{ stream: Readable; filename: string }> {
    const p = await this.prepare(ctx, objectName, input);
    const documents = this.deps.documents;
    // archiver's own buffers default to 1 MiB per stream: smaller ones make a slow reader pause the merge sooner.
    const archive = archiver()('zip', { zlib: { level: 6 }, highWaterMark: ZIP_HIGH_WATER });
    const out = new PassThrough();
    // A client that goes away stops the merge: no entry is awaited forever, no PDF left rendering.
    const stop = new AbortController();
    out.on('close', () => {
      if (!out.writableFinished) {
        stop.abort();
        archive.abort();
      }
    });
    archive.on('error', (err) => out.destroy(err));
    archive.pipe(out);
    void (async () => {
      try {
        let n = 0;
        const used = new Set<string>();
        for await (const id of p.ids()) {
          if (stop.signal.aborted) break;
          const data = await documents.recordData(ctx, objectName, id);
          n += 1;
          const name = entryName(n, String(data[p.object.labelField] ?? ''), id, used, p.ext);
          const bytes = await document(documents, ctx.tenant, p, data);
          if (stop.signal.aborted) break;
          archive.append(bytes, { name });
          // archiver takes entries one at a time; waiting for each keeps one PDF in flight.
          await once(archive, 'entry', { signal: stop.signal });
        }
        if (!stop.signal.aborted) await archive.finalize();
      } catch (err) {
        if (!stop.signal.aborted) out.destroy(err as Error);
      }
    })();
    return { stream: out, filename: `${p.name}-merge.zip` };
  }

  /**
   * The first three merged documents as text (and HTML for HTML templates; a Word document's text is
   * read back from the generated .docx), with their e-mail when asked, and a Word template's tags
   * that name no field (they print blank). Nothing is queued or stored.
   */
  async preview(
    ctx: Ctx,
    objectName: string,
    input: MailMergeInput,
  ): Promise<{ documents: MergePreview[]; unknown?: string[] }> {
    const p = await this.prepare(ctx, objectName, input, 3);
    const mail = input.email ? this.mail(input.email) : undefined;
    const out: MergePreview[] = [];
    for await (const id of p.ids()) {
      const data = await this.deps.documents.recordData(ctx, objectName, id);
      const label = String(data[p.object.labelField] ?? id);
      const html = p.render?.(data).html;
      const text =
        html !== undefined ? htmlToText(html) : await this.deps.documents.wordText(ctx.tenant, p.docx!, data);
      out.push({
        id,
        label,
        ...(html !== undefined ? { html: inlineImages(html, p.images) } : {}),
        text,
        ...(mail
          ? {
              email: {
                to: address(data[mail.to]),
                subject: mail.subject(data) || p.label,
                body: mail.body ? mail.body(data) : text,
                ...(mail.attach ? { attachment: fileName(label, id, p.ext) } : {}),
              },
            }
          : {}),
      });
      if (out.length === 3) break;
    }
    return { documents: out, ...(p.unknown?.length ? { unknown: p.unknown } : {}) };
  }

  /**
   * One personalised e-mail per record queued in the tenant's outbox (sent over SMTP when it is
   * configured). The body is `email.body` or the document's text; the subject a template of its
   * own. With `attach`, each record's document is rendered (within the files size limit), stored
   * among the record's files and referenced from the outbox row; a record that fails is reported
   * and the merge goes on.
   */
  async email(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<MergeEmailReport> {
    const p = await this.prepare(ctx, objectName, input);
    if (!maySendEmail(ctx, (await this.deps.meta.model(ctx)).roles))
      throw forbidden('Sending e-mail needs a role with the sendEmail permission (the preview does not)');
    const budget = await this.reserve(ctx, objectName, input);
    const mail = this.mail(input.email!);
    const files = this.deps.files;
    const report: MergeEmailReport = { queued: 0, missing: [], missingCount: 0, failed: [], failedCount: 0 };
    let batch: Array<Record<string, unknown>> = [];
    const flush = async () => {
      if (batch.length) await ctx.db.withSchema(ctx.schema).insert(batch).into(SYSTEM_TABLE.emailOutbox);
      batch = [];
    };
    try {
      for await (const id of p.ids()) {
        // Records that appeared since the count are not sent: the merge stays within what it reserved.
        if (report.queued >= budget.reserved) break;
        let label = id;
        try {
          const data = await this.deps.documents.recordData(ctx, objectName, id);
          label = String(data[p.object.labelField] ?? id);
          const to = address(data[mail.to]);
          if (!to) {
            report.missingCount += 1;
            if (report.missing.length < MAX_LISTED) report.missing.push({ id, label });
            continue;
          }
          let attachment: string | null = null;
          if (mail.attach) {
            const bytes = await document(this.deps.documents, ctx.tenant, p, data);
            if (bytes.length > files.maxBytes)
              throw tooLarge(`The document is larger than the ${files.maxBytes}-byte file limit`);
            attachment = (
              await files.attachGenerated(ctx, objectName, id, { name: fileName(label, id, p.ext), data: bytes })
            ).id;
          }
          batch.push({
            to_address: to,
            subject: mail.subject(data) || p.label,
            body: mail.body ? mail.body(data) : await documentText(this.deps.documents, ctx.tenant, p, data),
            attachment_file: attachment,
            created_at: this.deps.clock.now(),
            object: objectName,
            record_id: id,
            created_by: ctx.user.id,
          });
          report.queued += 1;
        } catch (err) {
          // One record's document (deleted meanwhile, too large, a render error) does not stop the rest.
          report.failedCount += 1;
          if (report.failed.length < MAX_LISTED) report.failed.push({ id, label, error: reason(err) });
          continue;
        }
        if (batch.length >= this.pageSize) await flush();
      }
      await flush();
    } finally {
      // Reserved and not queued (no address, failed, records gone meanwhile): back to the budget.
      await budget.release(report.queued);
    }
    return report;
  }

  /**
   * Reserves one e-mail per record the merge reads from the tenant's hourly budget, atomically and
   * before anything is queued: 429 with Retry-After when the budget cannot take them now, 400 when
   * one merge asks for more than a whole hour's budget (narrow the filter).
   */
  private async reserve(ctx: Ctx, objectName: string, input: MailMergeInput) {
    const filter = audienceFilter(input);
    const { total = 0 } = await this.deps.records.list(ctx, objectName, {
      fields: 'id',
      limit: 1,
      count: true,
      ...(filter !== undefined ? { filter } : {}),
    });
    const limit = this.deps.emailsPerHour;
    if (total > limit)
      throw validationFailed(`A merge may send at most ${limit} e-mails per hour; this one would send ${total}`, {
        filter: `matches ${total} records; at most ${limit} e-mails per hour`,
      });
    const key = `merge-email:${ctx.tenant}`;
    const taken = await this.deps.limiter.take(key, total, limit, 3600);
    if (!taken.ok)
      throw rateLimited(
        `This workspace has queued its ${limit} merge e-mails for this hour; try again later`,
        taken.retryAfterSeconds,
      );
    return {
      reserved: total,
      release: (queued: number) => this.deps.limiter.giveBack(key, taken.windowStart, total - queued),
    };
  }

  private mail(email: NonNullable<MailMergeInput['email']>) {
    const subject = compileTemplate(email.subject);
    const body = email.body ? compileTextTemplate(email.body) : undefined;
    return {
      to: email.to,
      attach: email.attach === true,
      subject: (data: Record<string, unknown>) => subjectText(subject(data)),
      body: body ? (data: Record<string, unknown>) => body(data).slice(0, MAX_BODY) : undefined,
    };
  }

  /**
   * Everything that can be refused is refused here, before a byte is streamed: unknown object or
   * template, both or neither template kind, a template of another object or of the other kind, the
   * e-mail field, subject and body, and the filter and sort (the first page is read now).
   */
  private async prepare(ctx: Ctx, objectName: string, input: MailMergeInput, max?: number): Promise<Prepared> {
    if ((input.template === undefined) === (input.wordTemplate === undefined))
      throw validationFailed('Give exactly one of template (HTML print template) and wordTemplate (Word template)', {
        template: 'exactly one of template and wordTemplate',
      });
    const word = input.wordTemplate !== undefined;
    const name = (word ? input.wordTemplate : input.template) as string;
    if (word && input.format === 'pdf')
      throw validationFailed('A Word merge answers a ZIP of .docx files', { format: 'only "zip" with wordTemplate' });
    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(objectName);
    const access = object ? await this.deps.permissions.objectAccess(ctx, objectName) : undefined;
    if (!object || !access?.can.read) throw notFound(`Unknown object: ${objectName}`);
    const template = await printTemplateStore.get(ctx, objectName, name);
    if (!template) {
      const elsewhere = (await printTemplateStore.list(ctx)).find((t) => t.name === name);
      if (elsewhere) throw badRequest(`Template ${name} prints ${elsewhere.object} records, not ${objectName}`);
      throw notFound(`Unknown ${word ? 'Word' : 'print'} template: ${name}`);
    }
    if (!word && (template.kind !== 'html' || !template.html))
      throw badRequest(`Template ${name} is a Word template: give it as wordTemplate`);
    if (word && template.kind !== 'docx')
      throw badRequest(`Template ${name} is an HTML print template: give it as template`);
    if (input.email) {
      const f = object.fields.get(input.email.to);
      if (!f || access.fields[f.name] === 'none' || f.kind !== 'email')
        throw validationFailed('email.to must be an e-mail field of the object', {
          'email.to': `Not an e-mail field of ${objectName}: ${String(input.email.to).slice(0, 64)}`,
        });
      checkTemplate(model, object, input.email.subject, 'email.subject');
      if (input.email.body) checkTemplate(model, object, input.email.body, 'email.body');
    }
    const docx = word ? await printTemplateStore.docx(ctx, objectName, name) : undefined;
    if (word && !docx) throw notFound(`Unknown Word template: ${name}`);
    const render = word ? undefined : pdfPart(template.html!, template.header, template.footer);
    const records = this.deps.records;
    const size = Math.min(this.pageSize, max ?? this.pageSize);
    const filter = audienceFilter(input);
    const list = (cursor?: string) =>
      records.list(ctx, objectName, {
        fields: 'id',
        limit: size,
        ...(filter !== undefined ? { filter } : {}),
        ...(input.sort ? { sort: input.sort } : {}),
        ...(cursor ? { cursor } : {}),
      });
    const first = await list();
    async function* ids() {
      let page = first;
      for (;;) {
        for (const r of page.items) yield String(r.id);
        if (!page.nextCursor) return;
        page = await list(page.nextCursor);
      }
    }
    return {
      object,
      name,
      label: template.label,
      ext: word ? 'docx' : 'pdf',
      page: template.page,
      images: render ? await this.deps.documents.images.bytesFor(ctx, template.html!) : {},
      ...(render ? { render, header: template.header, footer: template.footer } : {}),
      ...(docx
        ? { docx, unknown: unknownWordTags(model, object, await this.deps.documents.wordTags(ctx.tenant, docx)) }
        : {}),
      ids,
    };
  }
}

function pdfPart(html: string, headerSource: string | null, footerSource: string | null) {
  const body = compileTemplate(html);
  const header = headerSource ? compileTemplate(headerSource) : undefined;
  const footer = footerSource ? compileTemplate(footerSource) : undefined;
  return (data: Record<string, unknown>): PdfPart => ({
    html: body(data),
    ...(header ? { header: (page: number, pages: number) => header({ ...data, page, pages }) } : {}),
    ...(footer ? { footer: (page: number, pages: number) => footer({ ...data, page, pages }) } : {}),
  });
}

/** One record's document, made in a document worker: its PDF or the filled .docx. */
function document(documents: MergeDocuments, tenant: string, p: Prepared, data: Record<string, unknown>) {
  return p.render
    ? documents.pdf(tenant, p.render(data).html, p.header, p.footer, data, p.page, p.images)
    : documents.fillWord(tenant, p.docx!, data);
}

async function documentText(documents: MergeDocuments, tenant: string, p: Prepared, data: Record<string, unknown>) {
  return p.render ? htmlToText(p.render(data).html) : documents.wordText(tenant, p.docx!, data);
}

function reason(err: unknown): string {
  if (isAppError(err)) return err.message.slice(0, 300);
  return `The document could not be made: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
}

/** The subject is written like the template (HTML, values escaped): as a header it is its text on one line. */
function subjectText(html: string): string {
  return htmlToText(html).replace(/\s+/g, ' ').trim().slice(0, 500);
}

function address(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  return /^[^\s@<>",;]+@[^\s@<>",;]+$/.test(s) ? s : null;
}

/** A label made safe for every unzip tool and mail client: no path parts, quotes, control or bidi characters. */
function safeLabel(label: string): string {
  return stripUnsafeChars(label)
    .replace(/[\\/:*?"<>|]/g, '')
    .trim()
    .slice(0, 80);
}

/** An e-mail attachment's name: `Ann Lee.pdf`. */
function fileName(label: string, id: string, ext: string): string {
  return `${safeLabel(label) || id}.${ext}`;
}

/** `0007-Ann Lee.pdf`: numbered in merge order, so two records with one label never collide. */
function entryName(n: number, label: string, id: string, used: Set<string>, ext: string): string {
  let name = `${String(n).padStart(4, '0')}-${safeLabel(label) || id}.${ext}`;
  if (used.has(name)) name = `${String(n).padStart(4, '0')}-${id}.${ext}`;
  used.add(name);
  return name;
}

/** The merge's records: the filter, and a segment's membership when one is named (the records engine checks both). */
function audienceFilter(input: MailMergeInput): unknown {
  if (input.segment === undefined) return input.filter;
  const members = { id: { inSegment: input.segment } };
  return input.filter === undefined || input.filter === null ? members : { and: [members, input.filter] };
}
