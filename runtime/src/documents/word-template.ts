import type Docxtemplater from 'docxtemplater';
import type PizZip from 'pizzip';
import { validationFailed } from '../errors';
import { docxInspectModule, docxtemplater, pizzip } from '../lazy-module';
import { checkDocxArchive } from './docx-archive';

export const MAX_DOCX_BYTES = 5 * 1024 * 1024;

function open(docx: Buffer, modules: Docxtemplater.DXT.Module[] = []): Docxtemplater {
  checkDocxArchive(docx);
  let zip: PizZip;
  try {
    zip = new (pizzip())(docx);
  } catch {
    throw validationFailed('The file is not a .docx document', { docx: 'not a ZIP file' });
  }
  if (!zip.file('word/document.xml'))
    throw validationFailed('The file is not a .docx document', { docx: 'no word/document.xml' });
  try {
    // Missing or hidden fields print blank: the caller's field security decides what is in the data.
    return new (docxtemplater())(zip, {
      paragraphLoop: true,
      linebreaks: true,
      nullGetter: () => '',
      parser: pathParser,
      modules,
      // Template errors are answered to the caller (400 with each problem), not printed to stdout.
      errorLogging: false,
    });
  } catch (err) {
    throw templateError(err);
  }
}

/**
 * `{account.name}` walks expanded lookups; only own properties are read, so a tag can never reach
 * `constructor` or a prototype. Raw-XML tags (`{@field}`) are refused: they would paste a record's
 * text into the document as OOXML (fields such as an INCLUDEPICTURE beacon). docxtemplater asks the
 * parser for every tag when it opens a template, so upload refuses them and a template stored before
 * this check answers 400 instead of rendering them.
 */
function pathParser(tag: string, meta?: { tag?: { module?: string } }) {
  if (meta?.tag?.module === 'rawxml') throw new Error(`raw XML tags ({@${tag.trim()}}) are not allowed`);
  const parts = tag.trim() === '.' ? [] : tag.trim().split('.');
  return {
    get(scope: unknown): unknown {
      let value: unknown = scope;
      for (const part of parts) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
        value = (value as Record<string, unknown>)[part];
      }
      return value;
    },
  };
}

/** Checks a Word template at upload: a broken ZIP or broken `{tags}` are refused with each problem. */
export function checkWordTemplate(docx: Buffer): void {
  open(docx);
}

/** A tree of the template's tags: `{name: {}, 'account.name': {}, lines: {product: {}}}` (loops nest). */
export type WordTags = { [tag: string]: WordTags };

/** The tags a (valid) Word template uses, loops and conditions with their inner tags. */
export function wordTemplateTags(docx: Buffer): WordTags {
  const inspect = new (docxInspectModule())();
  open(docx, [inspect]);
  return inspect.getAllTags() as WordTags;
}

/** The template filled with one record's data (`{field}`, `{account.name}`, `{#lines}…{/lines}`). */
export function renderWordTemplate(docx: Buffer, data: Record<string, unknown>): Buffer {
  const doc = open(docx);
  try {
    doc.render(data);
  } catch (err) {
    throw templateError(err);
  }
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' }) as Buffer;
}

function templateError(err: unknown) {
  const list = ((err as { properties?: { errors?: unknown[] } }).properties?.errors ?? [err]) as {
    message?: string;
    properties?: { explanation?: string; xtag?: string; rootError?: { message?: string } };
  }[];
  const fields = Object.fromEntries(
    list.slice(0, 20).map((e, i) => [
      `docx.${e.properties?.xtag ?? i}`,
      // The parser's own reason (a refused raw-XML tag) says more than "failed to compile".
      e.properties?.rootError?.message ?? e.properties?.explanation ?? e.message ?? 'invalid',
    ]),
  );
  return validationFailed('The Word template has errors', fields);
}
