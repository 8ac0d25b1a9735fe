/**
 * Exports the records a user may read as CSV or XLSX, with the list's filter/sort/q, streamed: the
 * records engine's keyset-paginated `list` is read a page at a time while the file is written, so
 * memory stays flat whatever the size. Only readable fields can be exported (`none` fields are
 * unknown); the first page is read before anything is sent, so a bad filter is a clean 400.
 */
import type { Readable } from 'node:stream';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { ObjectModel } from '../model/load-model';
import type { ObjectAccess, PermissionEngine } from '../permissions/object-access';
import {
  EXPORT_CONTENT_TYPE,
  type ExportColumn,
  type ExportFormat,
  type RecordRow,
  writeExport,
} from './export-writer';
import type { ListOptions, RecordService } from './record-service';
import { queryAccessFor } from '../permissions/query-access';

export interface ExportOptions {
  format: ExportFormat;
  filter?: unknown;
  sort?: string;
  q?: string;
  /** Columns in this order (`name,amount`); default: id, the custom fields, owner and timestamps. */
  fields?: string;
  /** CSV: `'` before text cells a spreadsheet would run as a formula (default true; OWASP CSV injection). */
  escapeFormulas?: boolean;
}

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Readable;
}

export interface ExportServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  records: Pick<RecordService, 'list'>;
  clock: Clock;
}

/** Records per page read from the records engine (its largest page). */
export const EXPORT_PAGE = 500;
const DEFAULT_SYSTEM = ['owner', 'created_at', 'updated_at'];

export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  async export(ctx: Ctx, objectName: string, opts: ExportOptions): Promise<ExportFile> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const qa = await queryAccessFor(ctx, model, object, this.deps.permissions);
    const columns = exportColumns(object, qa.access, opts.fields);
    const records = this.deps.records;
    const list: ListOptions = {
      fields: columns.map((c) => c.name).join(','),
      limit: EXPORT_PAGE,
      ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
      ...(opts.sort !== undefined ? { sort: opts.sort } : {}),
      ...(opts.q !== undefined ? { q: opts.q } : {}),
    };
    const first = await records.list(ctx, object.name, list);
    async function* pages(): AsyncGenerator<RecordRow[]> {
      yield first.items;
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await records.list(ctx, object.name, { ...list, cursor });
        yield page.items;
        cursor = page.nextCursor;
      }
    }
    const day = this.deps.clock.now().toISOString().slice(0, 10);
    return {
      filename: `${object.name}-${day}.${opts.format}`,
      contentType: EXPORT_CONTENT_TYPE[opts.format],
      body: writeExport(opts.format, columns, pages(), { escapeFormulas: opts.escapeFormulas !== false }),
    };
  }
}

/** The exported columns: the requested readable fields in order, or the default set. */
export function exportColumns(object: ObjectModel, access: ObjectAccess, fields: string | undefined): ExportColumn[] {
  const readable = (name: string) => {
    const f = object.fields.get(name);
    return f?.column && access.fields[name] !== 'none' ? f : undefined;
  };
  if (fields === undefined || !fields.trim()) {
    const names = ['id', ...object.customFields.map((f) => f.name), ...DEFAULT_SYSTEM];
    return names.flatMap((n) => {
      const f = readable(n);
      return f ? [{ name: n, field: f }] : [];
    });
  }
  const names = fields
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length > 500) throw badRequest('fields: too many fields');
  const out: ExportColumn[] = [];
  for (const n of names) {
    const f = readable(n);
    if (!f) throw badRequest(`fields: unknown field ${JSON.stringify(n.slice(0, 64))}`);
    if (out.some((c) => c.name === n)) throw badRequest(`fields: ${n} given twice`);
    out.push({ name: n, field: f });
  }
  return out;
}
