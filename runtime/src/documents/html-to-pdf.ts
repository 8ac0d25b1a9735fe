import { parseDocument } from 'htmlparser2';
import { pdfkit } from '../lazy-module';
import { documentFonts } from './document-fonts';
import { imageInfo } from './document-image-check';
import type { ImageBytes } from './document-images';

export interface PageSetup {
  size?: 'A4' | 'A5' | 'LETTER' | 'LEGAL';
  orientation?: 'portrait' | 'landscape';
  /** Points (1/72 inch) on every side. */
  margin?: number;
}

export interface PdfPart {
  /** The document body, HTML with the supported subset (see docs/documents.md). */
  html: string;
  /** Header and footer text of page `page` of `pages` (this part's pages). */
  header?: (page: number, pages: number) => string;
  footer?: (page: number, pages: number) => string;
}

type Node = { type: string; name?: string; data?: string; children?: Node[]; attribs?: Record<string, string> };
interface Run {
  text: string;
  bold: boolean;
}
type Block =
  | { kind: 'para'; runs: Run[]; size: number; gap: number; bullet?: string }
  | { kind: 'table'; rows: { cells: Run[][]; header: boolean }[] }
  | { kind: 'rule' }
  | { kind: 'break' }
  /** `<img src="image:name">`: one of the tenant's document images, on a line of its own. */
  | { kind: 'image'; name: string; width?: number; height?: number; align: 'left' | 'center' | 'right' };

const HEADINGS: Record<string, number> = { h1: 20, h2: 16, h3: 13 };
const BODY_SIZE = 10;
const BLOCK_TAGS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'li', 'section', 'article', 'header', 'footer']);
const SKIPPED = new Set(['script', 'style', 'head', 'title']);

/** Turns the HTML subset into blocks of styled text runs: the layout step we control. */
export function htmlToBlocks(html: string): Block[] {
  const doc = parseDocument(html, { decodeEntities: true }) as unknown as Node;
  const blocks: Block[] = [];
  let runs: Run[] = [];
  const flush = (size = BODY_SIZE, gap = 4, bullet?: string) => {
    const trimmed = trimRuns(runs);
    if (trimmed.length > 0) blocks.push({ kind: 'para', runs: trimmed, size, gap, ...(bullet ? { bullet } : {}) });
    runs = [];
  };
  const inline = (node: Node, bold: boolean, into: Run[]) => {
    if (node.type === 'text') {
      const text = (node.data ?? '').replace(/\s+/g, ' ');
      if (text) into.push({ text, bold });
      return;
    }
    if (node.type !== 'tag' || SKIPPED.has(node.name ?? '')) return;
    if (node.name === 'br') {
      into.push({ text: '\n', bold });
      return;
    }
    const b = bold || node.name === 'b' || node.name === 'strong' || node.name === 'th';
    for (const c of node.children ?? []) inline(c, b, into);
  };
  const walk = (node: Node, bullet?: string) => {
    if (node.type !== 'tag' && node.type !== 'root') {
      if (node.type === 'text') inline(node, false, runs);
      return;
    }
    const name = node.name ?? '';
    if (SKIPPED.has(name)) return;
    if (isPageBreak(node)) {
      flush();
      blocks.push({ kind: 'break' });
      return;
    }
    if (name === 'hr') {
      flush();
      blocks.push({ kind: 'rule' });
      return;
    }
    if (name === 'img') {
      const image = imageBlock(node);
      if (image) {
        flush();
        blocks.push(image);
      }
      return;
    }
    if (name === 'table') {
      flush();
      blocks.push({ kind: 'table', rows: tableRows(node) });
      return;
    }
    if (name === 'ul' || name === 'ol') {
      flush();
      let n = 0;
      for (const c of node.children ?? []) {
        if (c.type === 'tag' && c.name === 'li') {
          n += 1;
          walk(c, name === 'ol' ? `${n}.` : '•');
        }
      }
      return;
    }
    if (BLOCK_TAGS.has(name)) {
      flush();
      for (const c of node.children ?? []) walk(c);
      const heading = HEADINGS[name];
      if (heading) {
        for (const r of runs) r.bold = true;
        flush(heading, 8);
      } else flush(BODY_SIZE, name === 'li' ? 2 : 6, bullet);
      return;
    }
    if (name === 'b' || name === 'strong' || name === 'br' || name === 'span' || name === 'i' || name === 'em') {
      inline(node, false, runs);
      return;
    }
    for (const c of node.children ?? []) walk(c);
  };
  const tableRows = (table: Node) => {
    const rows: { cells: Run[][]; header: boolean }[] = [];
    const collect = (n: Node) => {
      for (const c of n.children ?? []) {
        if (c.type !== 'tag') continue;
        if (c.name === 'tr') {
          const cells: Run[][] = [];
          let header = false;
          for (const cell of c.children ?? []) {
            if (cell.type !== 'tag' || (cell.name !== 'td' && cell.name !== 'th')) continue;
            if (cell.name === 'th') header = true;
            const into: Run[] = [];
            inline(cell, cell.name === 'th', into);
            cells.push(trimRuns(into));
          }
          if (cells.length > 0) rows.push({ cells, header });
        } else collect(c);
      }
    };
    collect(table);
    return rows;
  };
  walk(doc);
  flush();
  return blocks;
}

/** CSS pixels to PDF points (96 to the inch against 72). */
const PX = 0.75;

function imageBlock(node: Node): Block | undefined {
  const a = node.attribs ?? {};
  const name = /^image:([a-z][a-z0-9_]{0,62})$/.exec((a.src ?? '').trim())?.[1];
  if (!name) return undefined;
  const size = (v: string | undefined) => {
    const n = Number.parseFloat(v ?? '');
    return Number.isFinite(n) && n > 0 ? Math.min(n, 4000) * PX : undefined;
  };
  const width = size(a.width);
  const height = size(a.height);
  const align = a.align === 'center' || a.align === 'right' ? a.align : 'left';
  return { kind: 'image', name, align, ...(width ? { width } : {}), ...(height ? { height } : {}) };
}

function isPageBreak(node: Node): boolean {
  const a = node.attribs ?? {};
  return (
    node.name === 'pagebreak' ||
    /\bpage-break\b/.test(a.class ?? '') ||
    /page-break-(before|after)\s*:\s*always/.test(a.style ?? '')
  );
}

function trimRuns(runs: Run[]): Run[] {
  const out = runs.filter((r) => r.text.length > 0);
  if (out[0]) out[0] = { ...out[0], text: out[0].text.replace(/^ +/, '') };
  const last = out.length - 1;
  if (out[last]) out[last] = { ...out[last], text: out[last].text.replace(/ +$/, '') };
  return out.filter((r) => r.text.length > 0);
}

/**
 * Renders parts into one PDF stream, each part starting on a new page with its own page numbers.
 * Pages are buffered only while their part is drawn (header/footer need the part's page count),
 * then flushed, so a merge of many records keeps memory bounded by one part.
 */
export function renderPdf(
  parts: AsyncIterable<PdfPart> | Iterable<PdfPart>,
  setup: PageSetup = {},
  /** The tenant's document images the parts draw, by name; an image not given prints nothing. */
  images: ImageBytes = {},
): PDFKit.PDFDocument {
  const margin = setup.margin ?? 50;
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({
    size: setup.size ?? 'A4',
    layout: setup.orientation ?? 'portrait',
    margin,
    bufferPages: true,
    autoFirstPage: false,
    info: { Producer: 'Forma', Creator: 'Forma' },
  });
  const fonts = documentFonts();
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  void (async () => {
    try {
      let first = 0;
      for await (const part of parts) {
        doc.addPage();
        for (const block of htmlToBlocks(part.html)) drawBlock(doc, block, images);
        const range = doc.bufferedPageRange();
        const end = range.start + range.count;
        const pages = end - first;
        for (let i = first; i < end; i++) decorate(doc, part, i - first + 1, pages, margin, i);
        doc.flushPages();
        first = end;
        // Let the consumer drain between parts, so a large merge streams instead of piling up.
        await new Promise((r) => setImmediate(r));
      }
      if (first === 0) doc.addPage();
      doc.end();
    } catch (err) {
      doc.emit('error', err);
    }
  })();
  return doc;
}

function decorate(doc: PDFKit.PDFDocument, part: PdfPart, page: number, pages: number, margin: number, index: number) {
  if (!part.header && !part.footer) return;
  doc.switchToPage(index);
  // Writing inside the margins would otherwise make PDFKit start a new page.
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  const width = doc.page.width - 2 * margin;
  doc.font('regular').fontSize(8).fillColor('#555555');
  if (part.header)
    doc.text(part.header(page, pages), margin, Math.max(10, margin / 2 - 5), { width, lineBreak: false });
  if (part.footer)
    doc.text(part.footer(page, pages), margin, doc.page.height - Math.max(20, margin / 2 + 5), {
      width,
      align: 'center',
      lineBreak: false,
    });
  doc.page.margins.bottom = bottom;
  doc.fillColor('black');
}

function drawBlock(doc: PDFKit.PDFDocument, block: Block, images: ImageBytes) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  switch (block.kind) {
    case 'break':
      doc.addPage();
      return;
    case 'rule': {
      ensureRoom(doc, 10);
      const y = doc.y + 4;
      doc
        .moveTo(left, y)
        .lineTo(left + width, y)
        .lineWidth(0.5)
        .stroke();
      doc.y = y + 6;
      return;
    }
    case 'para': {
      doc.fontSize(block.size);
      const indent = block.bullet ? 14 : 0;
      if (block.bullet) {
        ensureRoom(doc, block.size * 1.4);
        doc.font('regular').text(block.bullet, left, doc.y, { lineBreak: false });
      }
      const x = left + indent;
      block.runs.forEach((run, i) => {
        doc.font(run.bold ? 'bold' : 'regular');
        const opts = { width: width - indent, continued: i < block.runs.length - 1 };
        if (i === 0) doc.text(run.text, x, doc.y, opts);
        else doc.text(run.text, opts);
      });
      doc.x = left;
      doc.y += block.gap;
      return;
    }
    case 'table':
      drawTable(doc, block.rows, left, width);
      return;
    case 'image':
      drawImage(doc, block, images[block.name], left, width);
      return;
  }
}

function drawImage(
  doc: PDFKit.PDFDocument,
  block: Extract<Block, { kind: 'image' }>,
  bytes: Uint8Array | undefined,
  left: number,
  room: number,
) {
  if (!bytes) return;
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const natural = imageInfo(data);
  const ratio = natural.height / natural.width;
  // One given side sets the other; none: the image's own size. Never wider than the page's text.
  let width = block.width ?? (block.height ? block.height / ratio : natural.width * PX);
  let height = block.height ?? width * ratio;
  if (width > room) {
    height *= room / width;
    width = room;
  }
  const page = doc.page.height - doc.page.margins.top - doc.page.margins.bottom;
  if (height > page) {
    width *= page / height;
    height = page;
  }
  ensureRoom(doc, height);
  const x = block.align === 'center' ? left + (room - width) / 2 : block.align === 'right' ? left + room - width : left;
  const y = doc.y;
  doc.image(data, x, y, { width, height });
  doc.x = left;
  doc.y = y + height + 6;
}

function drawTable(doc: PDFKit.PDFDocument, rows: { cells: Run[][]; header: boolean }[], left: number, width: number) {
  const columns = Math.max(1, ...rows.map((r) => r.cells.length));
  const cellWidth = width / columns;
  const pad = 4;
  doc.fontSize(BODY_SIZE);
  for (const row of rows) {
    const texts = row.cells.map((runs) => runs.map((r) => r.text).join(''));
    const font = row.header ? 'bold' : 'regular';
    doc.font(font);
    const height =
      Math.max(...texts.map((t) => doc.heightOfString(t || ' ', { width: cellWidth - 2 * pad }))) + 2 * pad;
    ensureRoom(doc, height);
    const y = doc.y;
    texts.forEach((text, i) => {
      const x = left + i * cellWidth;
      if (row.header) doc.rect(x, y, cellWidth, height).fillAndStroke('#eeeeee', '#999999').fillColor('black');
      else doc.rect(x, y, cellWidth, height).lineWidth(0.5).stroke('#999999');
      doc.font(font).text(text, x + pad, y + pad, { width: cellWidth - 2 * pad });
    });
    doc.x = left;
    doc.y = y + height;
  }
  doc.y += 6;
}

function ensureRoom(doc: PDFKit.PDFDocument, height: number) {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}
