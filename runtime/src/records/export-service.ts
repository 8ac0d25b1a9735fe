/**
 * Exports the records a user may read as CSV or XLSX, with the list's filter/sort/q, streamed: the
 * records engine's keyset-paginated `list` is read a page at a time while the file is written, so
 * memory stays flat whatever the size. Only readable fields can be exported (`none` fields are
 * unknown); the first page is read before anything is sent, so a bad filter is a clean 400.
 */
import type { Readable } from 'node:stream';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest, notFound } from '../errors';
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
import { type LookupLabel, lookupLabels } from './expand-lookups';
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
  /**
   * For people rather than re-import: headers are the fields' labels (in the user's language when
   * the metadata has one) and each lookup column holds the record's label, its id in an extra
   * `<label> (id)` column. A record the reader may not see has an empty label.
   */
  labels?: boolean;
}

export interface LineExportOptions {
  format: ExportFormat;
  escapeFormulas?: boolean;
  /** Default true: a quote's lines are exported for people (labels, product names). */
  labels?: boolean;
}

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Readable;
}

export interface ExportServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  records: Pick<RecordService, 'list' | 'get'>;
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
    const fieldColumns = exportColumns(object, qa.access, opts.fields);
    // Lookup labels of the page being written, resolved one page at a time (one query per target).
    let names: Record<string, LookupLabel> = {};
    const columns = opts.labels ? labelledColumns(fieldColumns, ctx.user.locale, () => names) : fieldColumns;
    const lookupColumns = opts.labels ? fieldColumns.filter((c) => c.field.ref) : [];
    const withNames = async (items: RecordRow[]) => {
      if (!lookupColumns.length) return items;
      const refs = lookupColumns.flatMap((c) =>
        items.flatMap((r) =>
          typeof r[c.name] === 'string' ? [{ object: c.field.ref!, id: r[c.name] as string }] : [],
        ),
      );
      names = await lookupLabels(ctx.db, model, object, qa, refs);
      return items;
    };
    const records = this.deps.records;
    const list: ListOptions = {
      fields: fieldColumns.map((c) => c.name).join(','),
      limit: EXPORT_PAGE,
      ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
      ...(opts.sort !== undefined ? { sort: opts.sort } : {}),
      ...(opts.q !== undefined ? { q: opts.q } : {}),
    };
    const first = await records.list(ctx, object.name, list);
    async function* pages(): AsyncGenerator<RecordRow[]> {
      yield await withNames(first.items);
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await records.list(ctx, object.name, { ...list, cursor });
        yield await withNames(page.items);
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

  /**
   * The line items of one record (`x-children` field `field`, e.g. a quote's `lines`) as a file: the
   * child object's readable fields but the link back, in the order the lines were added, only when
   * the user may read the record and its lines (404 otherwise, as for the record).
   */
  async exportLines(
    ctx: Ctx,
    objectName: string,
    id: string,
    field: string,
    opts: LineExportOptions,
  ): Promise<ExportFile> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const spec = object.children.find((c) => c.name === field);
    if (!spec) throw notFound(`${object.name} has no line items "${field.slice(0, 64)}"`);
    const parent = await this.deps.records.get(ctx, object.name, id);
    // Lines the user may not see are left off the record: there is nothing to export.
    if (!Array.isArray(parent[field])) throw notFound(`No line items "${field}" on this ${object.name}`);
    const child = model.object(spec.object);
    const qa = await queryAccessFor(ctx, model, child, this.deps.permissions);
    const fields = child.customFields
      .filter((f) => f.column && f.name !== spec.field && qa.access.fields[f.name] !== 'none')
      .map((f) => f.name);
    const file = await this.export(ctx, child.name, {
      format: opts.format,
      filter: { [spec.field]: { eq: id } },
      sort: 'created_at',
      fields: fields.join(','),
      escapeFormulas: opts.escapeFormulas !== false,
      labels: opts.labels !== false,
    });
    // Named after the record people know (its number or name), kept to header-safe characters.
    const label = String(parent[object.labelField] ?? '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60);
    return { ...file, filename: `${label || object.name}-${field}.${opts.format}` };
  }
}

/** A field's label in the user's language (`x-i18n`), else its title. */
function fieldTitle(field: ExportColumn['field'], locale: string | null): string {
  const i18n = (field as { i18n?: Record<string, { title?: string }> }).i18n;
  const lang = locale && i18n ? (i18n[locale] ?? i18n[locale.split('-')[0] ?? '']) : undefined;
  return lang?.title || field.label || field.name;
}

/** Columns for people: labelled headers, lookups as labels with their ids beside them. */
function labelledColumns(
  columns: ExportColumn[],
  locale: string | null,
  names: () => Record<string, LookupLabel>,
): ExportColumn[] {
  return columns.flatMap((c) => {
    const header = c.name === 'id' ? 'ID' : fieldTitle(c.field, locale);
    if (!c.field.ref || c.name === 'id') return [{ ...c, header }];
    const label = (row: RecordRow) => {
      const id = row[c.name];
      const known = typeof id === 'string' ? names()[id] : undefined;
      return known && 'label' in known ? known.label : null;
    };
    return [
      { ...c, header, value: label },
      { ...c, header: `${header} (id)` },
    ];
  });
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
