/**
 * What runs in a document worker thread (document-workers.ts): parsing and filling Word templates,
 * reading their text, and drawing HTML to PDF. Nothing here may reach the database or the request:
 * inputs come in as plain data and the answer, or the AppError, goes back as plain data.
 */
import type { MessagePort } from 'node:worker_threads';
import { isAppError } from '../errors';
import type { ImageBytes } from './document-images';
import { compileTemplate } from './document-templates';
import { docxText } from './docx-text';
import { type PageSetup, renderPdf } from './html-to-pdf';
import { renderWordTemplate, type WordTags, wordTemplateTags } from './word-template';

/** Record data as it crosses into a worker: `labels` says which lookups print as their label (`{{account}}`). */
export interface WorkerData {
  data: Record<string, unknown>;
  labels: Record<string, string>;
}

export type DocumentTask =
  /** Checks a Word template (archive limits, tags) and lists its tags. */
  | { kind: 'word-tags'; docx: Uint8Array }
  /** Fills a Word template; with `text`, answers the filled document's text instead of the file. */
  | { kind: 'word-render'; docx: Uint8Array; data: WorkerData; text?: boolean }
  /** One record's PDF: its HTML body, and header/footer templates drawn with page numbers. */
  | {
      kind: 'pdf';
      html: string;
      header?: string;
      footer?: string;
      data: WorkerData;
      page: PageSetup;
      images?: ImageBytes;
    };

export type DocumentAnswer =
  | { ok: true; value: WordTags | Uint8Array | string }
  | {
      ok: false;
      error: { code: string; message: string; fields?: Record<string, string>; details?: Record<string, unknown> };
    };

/**
 * The pool's entry: says on `started` that the task begins (its time limit counts from here, not
 * from loading the thread), then runs it.
 */
export default async function runDocumentTask({
  task,
  started,
}: {
  task: DocumentTask;
  started: MessagePort;
}): Promise<DocumentAnswer> {
  started.postMessage(1);
  started.close();
  try {
    return { ok: true, value: await run(task) };
  } catch (err) {
    if (isAppError(err)) return { ok: false, error: err.toJSON() };
    throw err;
  }
}

async function run(task: DocumentTask): Promise<WordTags | Uint8Array | string> {
  switch (task.kind) {
    case 'word-tags':
      return wordTemplateTags(asBuffer(task.docx));
    case 'word-render': {
      const filled = renderWordTemplate(asBuffer(task.docx), withLabels(task.data));
      return task.text ? docxText(filled) : filled;
    }
    case 'pdf': {
      const data = withLabels(task.data);
      const header = task.header ? compileTemplate(task.header) : undefined;
      const footer = task.footer ? compileTemplate(task.footer) : undefined;
      const pdf = renderPdf(
        [
          {
            html: task.html,
            ...(header ? { header: (page: number, pages: number) => header({ ...data, page, pages }) } : {}),
            ...(footer ? { footer: (page: number, pages: number) => footer({ ...data, page, pages }) } : {}),
          },
        ],
        task.page,
        task.images,
      );
      const chunks: Buffer[] = [];
      for await (const chunk of pdf as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
  }
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Gives lookups back the label they print as, which structured cloning dropped. */
function withLabels({ data, labels }: WorkerData): Record<string, unknown> {
  for (const [path, label] of Object.entries(labels)) {
    let value: unknown = data;
    for (const part of path.split('.'))
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    // Cloning keeps shared objects shared (every line's `owner` is one user): label each once.
    if (value && typeof value === 'object' && !Object.hasOwn(value, 'toString'))
      Object.defineProperty(value, 'toString', { value: () => label, enumerable: false });
  }
  return data;
}
