import { createHash } from 'node:crypto';
import { parseDocument } from 'htmlparser2';
import type { Ctx } from '../ctx';
import { forbidden, notFound, tooLarge, validationFailed } from '../errors';
import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE } from '../model/naming';
import { type DocumentImageType, imageInfo } from './document-image-check';

export interface DocumentImage {
  name: string;
  contentType: DocumentImageType;
  width: number;
  height: number;
  size: number;
  sha256: string;
  updatedAt: string;
}

/** The bytes a PDF draws for `<img src="image:name">`, by name. */
export type ImageBytes = Record<string, Uint8Array>;

export const IMAGE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
export const MAX_DOCUMENT_IMAGE_BYTES = 1024 * 1024;
const MAX_IMAGES = 50;
/** How a template names one of the tenant's document images: never a URL, nothing is fetched. */
const IMAGE_SRC = /^image:([a-z][a-z0-9_]{0,62})$/;
const COLUMNS = ['name', 'content_type', 'width', 'height', 'size', 'sha256', 'updated_at'];

interface Row {
  name: string;
  content_type: DocumentImageType;
  width: number;
  height: number;
  size: number;
  sha256: Buffer;
  updated_at: Date;
}

const toImage = (r: Row): DocumentImage => ({
  name: r.name,
  contentType: r.content_type,
  width: r.width,
  height: r.height,
  size: r.size,
  sha256: r.sha256.toString('hex'),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * The company's logo (and stamps, signatures) for print templates: a tenant system table like the
 * templates themselves, content admins change day to day without a metadata version.
 */
export const documentImagesMigration: Migration = {
  id: 'documents_0002_images',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(SYSTEM_TABLE.documentImages, (t) => {
      t.text('name').primary();
      t.text('content_type').notNullable();
      t.integer('width').notNullable();
      t.integer('height').notNullable();
      t.integer('size').notNullable();
      t.binary('sha256').notNullable();
      t.binary('content').notNullable();
      t.uuid('updated_by');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
    });
  },
};

/**
 * Images print templates draw (`<img src="image:logo" width="160">`): admins upload PNG or JPEG
 * files under a name, every user may read them (they appear on every printed document anyway).
 */
export class DocumentImages {
  constructor(readonly maxBytes = MAX_DOCUMENT_IMAGE_BYTES) {}

  async list(ctx: Ctx): Promise<DocumentImage[]> {
    return ((await this.table(ctx).select(COLUMNS).orderBy('name')) as Row[]).map(toImage);
  }

  async get(ctx: Ctx, name: string): Promise<{ image: DocumentImage; data: Buffer }> {
    if (!IMAGE_NAME.test(name)) throw notFound(`Unknown image: ${name.slice(0, 64)}`);
    const row = (await this.table(ctx)
      .select([...COLUMNS, 'content'])
      .where({ name })
      .first()) as (Row & { content: Buffer }) | undefined;
    if (!row) throw notFound(`Unknown image: ${name}`);
    return { image: toImage(row), data: row.content };
  }

  /** Stores or replaces an image; its type and size come from its own header, never from the client's word. */
  async put(ctx: Ctx, name: string, data: Buffer): Promise<DocumentImage> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (!IMAGE_NAME.test(name))
      throw validationFailed('Image names are lower-case letters, digits and _', { name: 'e.g. logo' });
    if (data.length === 0) throw validationFailed('The image file is empty', { file: 'empty' });
    if (data.length > this.maxBytes) throw tooLarge(`Document images are at most ${this.maxBytes} bytes`);
    const info = imageInfo(data);
    const count = await this.table(ctx).whereNot({ name }).count<{ n: string }[]>({ n: '*' });
    if (Number(count[0]?.n ?? 0) >= MAX_IMAGES)
      throw validationFailed(`A tenant keeps at most ${MAX_IMAGES} document images`, { name: 'delete one first' });
    const row = {
      name,
      content_type: info.contentType,
      width: info.width,
      height: info.height,
      size: data.length,
      sha256: createHash('sha256').update(data).digest(),
      content: data,
      updated_by: ctx.user.id,
      updated_at: ctx.db.fn.now(),
    };
    const [saved] = (await this.table(ctx).insert(row).onConflict('name').merge().returning(COLUMNS)) as Row[];
    return toImage(saved as Row);
  }

  async delete(ctx: Ctx, name: string): Promise<void> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (!IMAGE_NAME.test(name) || (await this.table(ctx).where({ name }).delete()) === 0)
      throw notFound(`Unknown image: ${name.slice(0, 64)}`);
  }

  /**
   * Refuses a template whose images would not print: an `<img>` that names no stored image, or
   * points anywhere else (a URL would be fetched by nobody and leak nothing, but it would print blank).
   */
  async check(ctx: Ctx, html: string, part: string): Promise<void> {
    const { names, others } = imageSources(html);
    const stored = new Set((await this.list(ctx)).map((i) => i.name));
    const missing = names.filter((n) => !stored.has(n));
    const problems: Record<string, string> = {};
    for (const src of others)
      problems[`${part}.img`] = `Images are the tenant's own: src="image:logo", not ${src.slice(0, 80)}`;
    for (const n of missing) problems[`${part}.image:${n}`] = `No image named "${n}": upload it first`;
    if (Object.keys(problems).length > 0)
      throw validationFailed(
        missing.length > 0
          ? `The ${part} template draws images that are not uploaded: ${missing.join(', ')}`
          : `The ${part} template's images must name an uploaded image (image:name)`,
        problems,
        missing.length > 0 ? { unknown: missing.map((n) => `image:${n}`) } : undefined,
      );
  }

  /** The bytes of the images an HTML body draws (unknown names are left out and print nothing). */
  async bytesFor(ctx: Ctx, html: string): Promise<ImageBytes> {
    const { names } = imageSources(html);
    if (names.length === 0) return {};
    const rows = (await this.table(ctx).select(['name', 'content']).whereIn('name', names)) as {
      name: string;
      content: Buffer;
    }[];
    return Object.fromEntries(rows.map((r) => [r.name, new Uint8Array(r.content)]));
  }

  private table(ctx: Ctx) {
    return ctx.db.withSchema(ctx.schema).from(SYSTEM_TABLE.documentImages);
  }
}

/** The image names an HTML body draws (`src="image:name"`) and the `src`s that are not such a name. */
export function imageSources(html: string): { names: string[]; others: string[] } {
  const names = new Set<string>();
  const others: string[] = [];
  type N = { type: string; name?: string; attribs?: Record<string, string>; children?: N[] };
  const walk = (node: N) => {
    if (node.type === 'tag' && node.name === 'img') {
      const src = (node.attribs?.src ?? '').trim();
      const m = IMAGE_SRC.exec(src);
      if (m) names.add(m[1] as string);
      // A placeholder (src="{{photo}}") is the record's own text: it prints as the field's value is.
      else if (!src.includes('{{')) others.push(src);
    }
    for (const c of node.children ?? []) walk(c);
  };
  walk(parseDocument(html) as unknown as N);
  return { names: [...names], others };
}

/** The rendered HTML with each stored image inlined as a data URL (the designer's preview frame loads nothing). */
export function inlineImages(html: string, images: ImageBytes): string {
  return html.replace(/(<img\b[^>]*?\bsrc\s*=\s*)(["'])image:([a-z][a-z0-9_]{0,62})\2/gi, (all, head, quote, name) => {
    const bytes = images[name];
    if (!bytes) return all;
    const type = imageInfo(Buffer.from(bytes)).contentType;
    return `${head}${quote}data:${type};base64,${Buffer.from(bytes).toString('base64')}${quote}`;
  });
}
