import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Ctx } from '../ctx';
import { badRequest, forbidden, notFound, tooLarge } from '../errors';
import { SYSTEM_TABLE } from '../model/naming';
import type { PermissionService } from '../permissions/permission-service';
import type { RecordService } from '../records/record-service';

export interface FileMeta {
  id: string;
  object: string;
  record: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdBy: string | null;
  createdAt: string;
}

export interface FileUpload {
  name: string;
  /** What the client said; only trusted for text, whose type cannot be sniffed. */
  contentType?: string;
  data: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_TYPES = /^(text\/(plain|csv|markdown)|application\/json)$/;
const COLUMNS = ['id', 'object', 'record_id', 'name', 'content_type', 'size', 'sha256', 'created_by', 'created_at'];
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

interface Row {
  id: string;
  object: string;
  record_id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: Buffer;
  created_by: string | null;
  created_at: Date;
}

const toMeta = (r: Row): FileMeta => ({
  id: r.id,
  object: r.object,
  record: r.record_id,
  name: r.name,
  contentType: r.content_type,
  size: r.size,
  sha256: r.sha256.toString('hex'),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
});

/**
 * Files attached to records, stored in the tenant's `_files` table (bytea). Reading follows the
 * record's read scope (outside it: 404), attaching and deleting its update scope (403).
 * The stored type comes from the bytes (magic numbers), never from the client's word alone.
 */
export class FileService {
  constructor(
    private readonly deps: { records: () => RecordService; permissions: () => PermissionService },
    readonly maxBytes = DEFAULT_MAX_FILE_BYTES,
  ) {}

  async list(ctx: Ctx, object: string, recordId: string): Promise<FileMeta[]> {
    await this.readable(ctx, object, recordId);
    const rows = (await this.table(ctx)
      .select(COLUMNS)
      .where({ object, record_id: recordId })
      .orderBy('created_at')) as Row[];
    return rows.map(toMeta);
  }

  async upload(ctx: Ctx, object: string, recordId: string, file: FileUpload): Promise<FileMeta> {
    await this.updatable(ctx, object, recordId);
    const name = cleanName(file.name);
    if (file.data.length === 0) throw badRequest('The file is empty');
    if (file.data.length > this.maxBytes) throw tooLarge(`Files are limited to ${this.maxBytes} bytes`);
    const contentType = await sniff(file.data, file.contentType);
    const [row] = (await this.table(ctx)
      .insert({
        object,
        record_id: recordId,
        name,
        content_type: contentType,
        size: file.data.length,
        sha256: createHash('sha256').update(file.data).digest(),
        content: file.data,
        created_by: ctx.user.id,
      })
      .returning(COLUMNS)) as Row[];
    return toMeta(row as Row);
  }

  async download(
    ctx: Ctx,
    object: string,
    recordId: string,
    fileId: string,
  ): Promise<{ meta: FileMeta; data: Buffer }> {
    await this.readable(ctx, object, recordId);
    if (!UUID.test(fileId)) throw notFound('File not found');
    const row = (await this.table(ctx)
      .select([...COLUMNS, 'content'])
      .where({ id: fileId, object, record_id: recordId })
      .first()) as (Row & { content: Buffer }) | undefined;
    if (!row) throw notFound('File not found');
    return { meta: toMeta(row), data: row.content };
  }

  async delete(ctx: Ctx, object: string, recordId: string, fileId: string): Promise<void> {
    await this.updatable(ctx, object, recordId);
    if (!UUID.test(fileId)) throw notFound('File not found');
    const n = await this.table(ctx).where({ id: fileId, object, record_id: recordId }).delete();
    if (n === 0) throw notFound('File not found');
  }

  private table(ctx: Ctx) {
    return ctx.db.withSchema(ctx.schema).from(SYSTEM_TABLE.files);
  }

  /** 404 for unknown objects, ids and records outside the read scope (the records service decides). */
  private async readable(ctx: Ctx, object: string, recordId: string) {
    await this.deps.records().get(ctx, object, recordId, { fields: 'id' });
  }

  private async updatable(ctx: Ctx, object: string, recordId: string) {
    await this.readable(ctx, object, recordId);
    if (ctx.isAdmin) return;
    const access = await this.deps.permissions().explain(ctx, object, recordId);
    if (!access.update.allowed) throw forbidden('You may not change this record, so you may not change its files');
  }
}

function cleanName(name: string): string {
  // Path parts and control characters never reach a Content-Disposition header or a ZIP entry.
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  if (!clean || clean === '.' || clean === '..') throw badRequest('A file name is required (?name=)');
  return clean;
}

async function sniff(data: Buffer, declared: string | undefined): Promise<string> {
  const found = await fileTypeFromBuffer(data);
  if (found) return found.mime;
  const type = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return TEXT_TYPES.test(type) ? type : 'application/octet-stream';
}
