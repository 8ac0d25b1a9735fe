/**
 * Mail merge: one print template applied to every record of a filtered list, read in keyset pages
 * with the caller's context (their row scope and field security), as one PDF (each record its own
 * part with its own page numbers), a ZIP of PDFs, a three-document preview, or personalised
 * e-mails queued in the outbox. Output is produced while records are read and waits for the
 * consumer, so memory stays bounded whatever the number of records.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import archiver from 'archiver';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest, notFound, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import type { RecordService } from '../records/record-service';
import { compileTemplate, type DocumentService } from './document-service';
import { type PdfPart, renderPdf } from './html-to-pdf';
import { htmlToText } from './mail-merge-text';
import { checkTemplate } from './print-template-check';
import { type PrintTemplate, printTemplateStore } from './print-template-store';

export interface MailMergeInput {
  template: string;
  filter?: unknown;
  sort?: string;
  format?: 'pdf' | 'zip';
  dryRun?: boolean;
  /** Queue one e-mail per record instead of producing documents. */
  email?: { to: string; subject: string };
}

export interface MailMergeDeps {
  meta: Pick<MetaService, 'model'>;
  documents: () => DocumentService;
  records: () => RecordService;
  permissions: () => PermissionEngine;
  clock: Clock;
  /** Records read per keyset page (default 100). */
  pageSize?: number;
}

export interface MergePreview {
  id: string;
  label: string;
  html: string;
  text: string;
  email?: { to: string | null; subject: string };
}

export interface MergeEmailReport {
  queued: number;
  /** Records without an address in the `to` field (at most 1,000 listed; `missingCount` has them all). */
  missing: Array<{ id: string; label: string }>;
  missingCount: number;
}

/** Output buffered ahead of the reader before the merge waits for it (bytes). */
const HIGH_WATER = 1 << 20;
const MAX_MISSING = 1000;

interface Prepared {
  object: ObjectModel;
  template: PrintTemplate & { html: string };
  render: (data: Record<string, unknown>) => PdfPart;
  /** Record ids in list order, read page by page. */
  ids: () => AsyncGenerator<string>;
}

export class MailMerge {
  private readonly pageSize: number;

  constructor(private readonly deps: MailMergeDeps) {
    this.pageSize = deps.pageSize ?? 100;
  }

  /** The merged PDF, streamed: each record starts on a new page with its own header/footer numbers. */
  async pdf(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<{ stream: Readable; filename: string }> {
    const p = await this.prepare(ctx, objectName, input);
    const documents = this.deps.documents();
    let doc: PDFKit.PDFDocument | undefined;
    async function* parts() {
      for await (const id of p.ids()) {
        // Wait for the reader: a slow client must not make the whole merge pile up in memory.
        while (doc && doc.readableLength > HIGH_WATER && !doc.destroyed) await new Promise((r) => setTimeout(r, 10));
        if (doc?.destroyed) return;
        yield p.render(await documents.recordData(ctx, objectName, id));
      }
    }
    doc = renderPdf(parts(), p.template.page);
    return { stream: doc, filename: `${p.template.name}-merge.pdf` };
  }

  /** A ZIP with one PDF per record, each entry written before the next record is read. */
  async zip(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<{ stream: Readable; filename: string }> {
    const p = await this.prepare(ctx, objectName, input);
    const documents = this.deps.documents();
    const archive = archiver('zip', { zlib: { level: 6 } });
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
          const name = entryName(n, String(data[p.object.labelField] ?? ''), id, used);
          archive.append(renderPdf([p.render(data)], p.template.page), { name });
          // archiver takes entries one at a time; waiting for each keeps one PDF in flight.
          await once(archive, 'entry', { signal: stop.signal });
        }
        if (!stop.signal.aborted) await archive.finalize();
      } catch (err) {
        if (!stop.signal.aborted) out.destroy(err as Error);
      }
    })();
    return { stream: out, filename: `${p.template.name}-merge.zip` };
  }

  /** The first three merged documents as HTML and text (and their e-mail headers when asked). */
  async preview(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<{ documents: MergePreview[] }> {
    const p = await this.prepare(ctx, objectName, input, 3);
    const subject = input.email ? compileTemplate(input.email.subject) : undefined;
    const out: MergePreview[] = [];
    for await (const id of p.ids()) {
      const data = await this.deps.documents().recordData(ctx, objectName, id);
      const html = p.render(data).html;
      out.push({
        id,
        label: String(data[p.object.labelField] ?? id),
        html,
        text: htmlToText(html),
        ...(input.email && subject
          ? { email: { to: address(data[input.email.to]), subject: subjectText(subject(data)) } }
          : {}),
      });
      if (out.length === 3) break;
    }
    return { documents: out };
  }

  /**
   * One personalised e-mail per record queued in the tenant's outbox (sent over SMTP when it is
   * configured). The body is the template's text; the subject a template of its own.
   */
  async email(ctx: Ctx, objectName: string, input: MailMergeInput): Promise<MergeEmailReport> {
    const p = await this.prepare(ctx, objectName, input);
    const email = input.email!;
    const subject = compileTemplate(email.subject);
    const report: MergeEmailReport = { queued: 0, missing: [], missingCount: 0 };
    let batch: Array<Record<string, unknown>> = [];
    const flush = async () => {
      if (batch.length) await ctx.db.withSchema(ctx.schema).insert(batch).into(SYSTEM_TABLE.emailOutbox);
      batch = [];
    };
    for await (const id of p.ids()) {
      const data = await this.deps.documents().recordData(ctx, objectName, id);
      const to = address(data[email.to]);
      if (!to) {
        report.missingCount += 1;
        if (report.missing.length < MAX_MISSING)
          report.missing.push({ id, label: String(data[p.object.labelField] ?? id) });
        continue;
      }
      batch.push({
        to_address: to,
        subject: subjectText(subject(data)) || p.template.label,
        body: htmlToText(p.render(data).html),
        created_at: this.deps.clock.now(),
      });
      report.queued += 1;
      if (batch.length >= this.pageSize) await flush();
    }
    await flush();
    return report;
  }

  /**
   * Everything that can be refused is refused here, before a byte is streamed: unknown object or
   * template, a template of another object, a Word template, the e-mail field and subject, and the
   * filter and sort (the first page is read now).
   */
  private async prepare(ctx: Ctx, objectName: string, input: MailMergeInput, max?: number): Promise<Prepared> {
    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(objectName);
    const access = object ? await this.deps.permissions().objectAccess(ctx, objectName) : undefined;
    if (!object || !access?.can.read) throw notFound(`Unknown object: ${objectName}`);
    const template = await printTemplateStore.get(ctx, objectName, input.template);
    if (!template) {
      const elsewhere = (await printTemplateStore.list(ctx)).find((t) => t.name === input.template);
      if (elsewhere)
        throw badRequest(`Template ${input.template} prints ${elsewhere.object} records, not ${objectName}`);
      throw notFound(`Unknown print template: ${input.template}`);
    }
    if (template.kind !== 'html' || !template.html)
      throw badRequest(`Template ${input.template} is a Word template: mail merge needs an HTML print template`);
    if (input.email) {
      const f = object.fields.get(input.email.to);
      if (!f || access.fields[f.name] === 'none' || f.kind !== 'email')
        throw validationFailed('email.to must be an e-mail field of the object', {
          'email.to': `Not an e-mail field of ${objectName}: ${String(input.email.to).slice(0, 64)}`,
        });
      checkTemplate(model, object, input.email.subject, 'email.subject');
    }
    const body = compileTemplate(template.html);
    const header = template.header ? compileTemplate(template.header) : undefined;
    const footer = template.footer ? compileTemplate(template.footer) : undefined;
    const render = (data: Record<string, unknown>): PdfPart => ({
      html: body(data),
      ...(header ? { header: (page: number, pages: number) => header({ ...data, page, pages }) } : {}),
      ...(footer ? { footer: (page: number, pages: number) => footer({ ...data, page, pages }) } : {}),
    });
    const records = this.deps.records();
    const size = Math.min(this.pageSize, max ?? this.pageSize);
    const list = (cursor?: string) =>
      records.list(ctx, objectName, {
        fields: 'id',
        limit: size,
        ...(input.filter !== undefined ? { filter: input.filter } : {}),
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
    return { object, template: { ...template, html: template.html }, render, ids };
  }
}

/** The subject is written like the template (HTML, values escaped): as a header it is its text on one line. */
function subjectText(html: string): string {
  return htmlToText(html).replace(/\s+/g, ' ').trim().slice(0, 500);
}

function address(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  return /^[^\s@<>",;]+@[^\s@<>",;]+$/.test(s) ? s : null;
}

/** `0007-Ann Lee.pdf`: numbered in merge order, label made safe for every unzip tool. */
function entryName(n: number, label: string, id: string, used: Set<string>): string {
  const safe = label
    .replace(/[\\/:*?"<>|\p{Cc}]/gu, '')
    .trim()
    .slice(0, 80);
  let name = `${String(n).padStart(4, '0')}-${safe || id}.pdf`;
  if (used.has(name)) name = `${String(n).padStart(4, '0')}-${id}.pdf`;
  used.add(name);
  return name;
}
