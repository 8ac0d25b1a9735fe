import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Ctx } from '../ctx';
import { badRequest, notFound, tooLarge } from '../errors';
import { SYSTEM_TABLE } from '../model/naming';
import type { RecordService } from '../records/record-service';
import { stripUnsafeChars } from './strip-unsafe-chars';

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
 * Files attached to records, stored in the tenant's `_files` table: the body in its bytea column,
 * or — with a files directory (`FILES_DIR`) — on disk at `<dir>/<tenant>/<id[0..2]>/<id>` with an
 * empty bytea (files are never empty, so the row says where its body is and both kinds can live
 * side by side after the setting changes). Reading follows the
 * record's read scope (outside it: 404), attaching and deleting its update scope (403).
 * The stored type comes from the bytes (magic numbers), never from the client's word alone.
 */
export class FileService {
  constructor(
    private readonly deps: { records: Pick<RecordService, 'resolve'> },
    readonly maxBytes = DEFAULT_MAX_FILE_BYTES,
    /** Where bodies are written; absent: in the database. */
    readonly dir?: string,
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
    return this.insert(ctx, object, recordId, file);
  }

  /**
   * A document the platform made from a record the caller has just read (a merge e-mail's
   * attachment), kept among the record's files as its correspondence. Only the size limit applies:
   * sending a letter is not changing the record, so the update scope is not asked for.
   */
  async attachGenerated(ctx: Ctx, object: string, recordId: string, file: FileUpload): Promise<FileMeta> {
    return this.insert(ctx, object, recordId, file);
  }

  private async insert(ctx: Ctx, object: string, recordId: string, file: FileUpload): Promise<FileMeta> {
    const name = cleanName(file.name);
    if (file.data.length === 0) throw badRequest('The file is empty');
    if (file.data.length > this.maxBytes) throw tooLarge(`Files are limited to ${this.maxBytes} bytes`);
    const contentType = await sniff(file.data, file.contentType);
    const id = randomUUID();
    const onDisk = this.dir ? await this.writeBody(ctx, id, file.data) : undefined;
    const [row] = (await this.table(ctx)
      .insert({
        id,
        object,
        record_id: recordId,
        name,
        content_type: contentType,
        size: file.data.length,
        sha256: createHash('sha256').update(file.data).digest(),
        content: onDisk ? Buffer.alloc(0) : file.data,
        created_by: ctx.user.id,
      })
      .returning(COLUMNS)
      .catch(async (err) => {
        if (onDisk) await fs.rm(onDisk, { force: true });
        throw err;
      })) as Row[];
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
    if (row.content.length > 0 || row.size === 0) return { meta: toMeta(row), data: row.content };
    return { meta: toMeta(row), data: await this.readBody(ctx, row.id) };
  }

  async delete(ctx: Ctx, object: string, recordId: string, fileId: string): Promise<void> {
    await this.updatable(ctx, object, recordId);
    if (!UUID.test(fileId)) throw notFound('File not found');
    const n = await this.table(ctx).where({ id: fileId, object, record_id: recordId }).delete();
    if (n === 0) throw notFound('File not found');
    // After the row: a failed delete leaves an orphan body on disk, never a row without its body.
    if (this.dir) await fs.rm(this.bodyPath(ctx, fileId), { force: true });
  }

  private bodyPath(ctx: Ctx, id: string): string {
    if (!this.dir) throw notFound('File not found');
    return fileBodyPath(this.dir, ctx.tenant, id);
  }

  /** Written under a temporary name and renamed, so a crash never leaves half a body under the real one. */
  private async writeBody(ctx: Ctx, id: string, data: Buffer): Promise<string> {
    const target = this.bodyPath(ctx, id);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(tmp, data, { flag: 'wx' });
    await fs.rename(tmp, target);
    return target;
  }

  private async readBody(ctx: Ctx, id: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.bodyPath(ctx, id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw notFound('The file body is missing from the files directory');
      throw err;
    }
  }

  private table(ctx: Ctx) {
    return ctx.db.withSchema(ctx.schema).from(SYSTEM_TABLE.files);
  }

  /** 404 for unknown objects, ids and records outside the read scope (the records engine's guard decides). */
  private async readable(ctx: Ctx, object: string, recordId: string) {
    await this.deps.records.resolve(ctx, object, recordId, { columns: ['id'] });
  }

  /** As `readable`, and 403 outside the record's update scope: changing its files changes the record. */
  private async updatable(ctx: Ctx, object: string, recordId: string) {
    await this.deps.records.resolve(ctx, object, recordId, { columns: ['id'], op: 'update' });
  }
}

/** `<dir>/<tenant>/<first two hex digits>/<uuid>`: tenant ids and uuids are checked shapes, never user text. */
export function fileBodyPath(dir: string, tenant: string, id: string): string {
  if (!UUID.test(id) || !/^[a-z][a-z0-9_]{1,30}$/.test(tenant)) throw notFound('File not found');
  return path.join(dir, tenant, id.slice(0, 2), id);
}

function cleanName(name: string): string {
  // Path parts, control and bidi characters never reach a Content-Disposition header or a ZIP entry.
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = stripUnsafeChars(base).replace(/"/g, '').trim().slice(0, 200);
  if (!clean || clean === '.' || clean === '..') throw badRequest('A file name is required (?name=)');
  return clean;
}

async function sniff(data: Buffer, declared: string | undefined): Promise<string> {
  const found = await fileTypeFromBuffer(data);
  if (found) return found.mime;
  const type = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return TEXT_TYPES.test(type) ? type : 'application/octet-stream';
}
