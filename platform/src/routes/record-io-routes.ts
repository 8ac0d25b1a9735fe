import { badRequest, type BulkRequest, type ImportFormat, MAX_BULK_IDS, MAX_BULK_PAGE } from '@forma/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;
const objectParams = {
  type: 'object',
  required: ['object'],
  properties: { object: { type: 'string', maxLength: 63 } },
} as const;
const importParams = {
  type: 'object',
  required: ['object', 'id'],
  properties: { object: { type: 'string', maxLength: 63 }, id: { type: 'string', maxLength: 64 } },
} as const;
const fieldList = { type: 'string', maxLength: 4000 } as const;
const filterParam = { type: 'string', maxLength: 20_000, description: 'The records filter language, as JSON' } as const;

const aggregateQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: { ...fieldList, description: 'Fields or date buckets: stage,close_on:month,due_on:age:30-60-90' },
    count: { type: 'boolean' },
    sum: fieldList,
    avg: fieldList,
    min: fieldList,
    max: fieldList,
    sort: { ...fieldList, description: 'Group keys or measures, - for descending: -sum_amount' },
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
    asOf: { type: 'string', maxLength: 10, description: 'Day of the age buckets (default: today, UTC)' },
    filter: filterParam,
  },
} as const;

const names = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } } as const;
const aggregateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: names,
    count: { type: 'boolean' },
    sum: names,
    avg: names,
    min: names,
    max: names,
    sort: names,
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
    asOf: { type: 'string', maxLength: 10 },
    filter: anyObject,
  },
} as const;

const aggregateOut = {
  type: 'object',
  properties: {
    groups: { type: 'array', items: anyObject },
    truncated: { type: 'boolean' },
  },
} as const;

const importQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['csv', 'json'], description: 'Default: from the Content-Type' },
    mode: { type: 'string', enum: ['insert', 'upsert'] },
    key: { type: 'string', maxLength: 63, description: 'Upsert: the field identifying existing records' },
    partial: { type: 'boolean', description: 'Keep the good rows (default: all or nothing)' },
    dryRun: { type: 'boolean', description: 'Check and report, change nothing' },
    allowDuplicates: { type: 'boolean', description: 'Insert rows matching the duplicate rules too' },
    delimiter: { type: 'string', enum: [',', ';', '\t', '|'] },
  },
} as const;

const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['csv', 'xlsx'], default: 'csv' },
    filter: filterParam,
    sort: fieldList,
    q: { type: 'string', maxLength: 200 },
    fields: { ...fieldList, description: 'Columns in order (default: id, custom fields, owner, timestamps)' },
    escapeFormulas: {
      type: 'boolean',
      default: true,
      description:
        "CSV: write text cells starting with = + - @ tab or CR with a ' in front, so spreadsheets show them as text (OWASP CSV injection); false writes them raw",
    },
    labels: {
      type: 'boolean',
      default: false,
      description:
        'For people: headers are field labels (user language) and lookup columns hold the record label, with the id in an extra "<label> (id)" column; false (default) keeps field names and ids, which the import reads back',
    },
  },
} as const;

const importSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    mode: { type: 'string' },
    format: { type: 'string' },
    inserted: { type: 'integer' },
    updated: { type: 'integer' },
    failed: { type: 'integer' },
    duplicates: { type: 'integer' },
    createdBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    revertedBy: { type: ['string', 'null'] },
    revertedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;
const bulkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { type: 'string', enum: ['update', 'delete'] },
    changes: {
      type: 'object',
      maxProperties: 50,
      description: 'update: field → value; "owner" hands the records to another active user',
    },
    ids: {
      type: 'array',
      maxItems: MAX_BULK_IDS,
      description: 'The selection: ids, or {id, version} to refuse records changed since they were read',
      items: {
        oneOf: [
          uuid,
          {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: { id: uuid, version: { type: 'integer', minimum: 0 } },
          },
        ],
      },
    },
    filter: { ...anyObject, description: 'Instead of ids: every record of this filter you may read, a page per call' },
    cursor: { type: 'string', maxLength: 8192, description: 'next of the previous call (filter mode)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_BULK_PAGE, description: 'Filter mode: records per call (100)' },
    bulk: { ...uuid, description: 'The bulk id of the first call, so every page shares one audit cause' },
  },
} as const;

const bulkAnswer = {
  type: 'object',
  properties: {
    done: { type: 'array', items: { type: 'string' } },
    refused: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          label: { type: ['string', 'null'] },
          code: { type: 'string' },
          reason: { type: 'string' },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
          fieldErrors: {
            type: 'object',
            description: '{code, params} per field, to translate `fields` (docs/records.md, field error codes)',
            additionalProperties: { type: 'object', additionalProperties: true },
          },
        },
      },
    },
    next: { type: ['string', 'null'] },
    total: { type: 'integer' },
    bulk: { type: 'string' },
  },
  required: ['done', 'refused', 'next', 'bulk'],
} as const;

/** The import format: `?format=`, else the Content-Type (CSV or JSON). */
function formatOf(request: FastifyRequest, given: ImportFormat | undefined): ImportFormat {
  if (given) return given;
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/plain') return 'csv';
  if (type === 'application/json') return 'json';
  throw badRequest('Send the import as text/csv or application/json (or add ?format=csv|json)');
}

/**
 * Records import/export, aggregates and duplicate checks (docs/records-io.md). Import bodies are
 * never buffered: in their own scope, any content type is handed to the runtime as the raw request
 * stream, which enforces its own (large) byte limit instead of the server-wide body limit.
 */
export async function recordIoRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const io = () => app.runtime.recordsIo;

  await app.register(async (scope) => {
    const streamed = scope.withTypeProvider<TypeProvider>();
    streamed.removeAllContentTypeParsers();
    streamed.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    streamed.post(
      '/api/records/:object/import',
      {
        preHandler: app.requireUser,
        // Admitted only once the whole file is in (below): a slow sender holds no slot and no connection.
        config: { dbAdmission: false },
        schema: {
          tags: ['records'],
          summary: 'Import records from CSV (header row) or a JSON array, streamed; all or nothing unless partial',
          description:
            'Report: {id, inserted, updated, failed:[{row, errors}], failedCount, duplicates, duplicateCount, ignoredColumns, ' +
            'writePath: staged (set-based through a staging table) | records (record by record)}. ' +
            'A refused all-or-nothing import answers 400 VALIDATION_FAILED with the report in error.details.',
          security: bearer,
          params: objectParams,
          querystring: importQuery,
          response: { 200: anyObject, ...errors(400, 401, 403, 404, 408, 413, 429, 503) },
        },
      },
      async (request, reply) => {
        const body = request.body as NodeJS.ReadableStream | undefined;
        if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function')
          throw badRequest('The import file is empty');
        const q = request.query;
        const format = formatOf(request, q.format);
        const file = await io().imports.spool(body as never);
        try {
          const report = await app.dbWork(request, reply, 'heavy', () =>
            io().imports.import(request.ctx, request.params.object, file, {
              format,
              ...(q.mode ? { mode: q.mode } : {}),
              ...(q.key ? { key: q.key } : {}),
              partial: Boolean(q.partial),
              dryRun: Boolean(q.dryRun),
              allowDuplicates: Boolean(q.allowDuplicates),
              ...(q.delimiter ? { delimiter: q.delimiter } : {}),
            }),
          );
          return { ...report };
        } finally {
          await file.dispose();
        }
      },
    );
  });

  app.get(
    '/api/records/:object/imports',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Imports into this object (yours; all of them for tenant admins), newest first',
        security: bearer,
        params: objectParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: importSummary } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({
      items: (
        await io().imports.list(request.ctx, request.params.object, {
          ...(request.query.limit ? { limit: request.query.limit } : {}),
        })
      ).map((i) => ({ ...i })),
    }),
  );

  app.get(
    '/api/records/:object/imports/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        security: bearer,
        params: importParams,
        response: { 200: importSummary, ...errors(401, 404) },
      },
    },
    async (request) => ({ ...(await io().imports.get(request.ctx, request.params.object, request.params.id)) }),
  );

  app.post(
    '/api/records/:object/imports/:id/revert',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Revert an import: its new records to the recycle bin, changed records back to their old values',
        security: bearer,
        params: importParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              deleted: { type: 'integer' },
              restored: { type: 'integer' },
              skipped: { type: 'integer' },
            },
          },
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => ({ ...(await io().imports.revert(request.ctx, request.params.object, request.params.id)) }),
  );

  app.get(
    '/api/records/:object/export',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Export the records you may read as CSV or XLSX (same filter/sort/q as the list), streamed',
        security: bearer,
        params: objectParams,
        querystring: exportQuery,
        response: errors(400, 401, 404),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const file = await io().exports.export(request.ctx, request.params.object, {
        format: q.format ?? 'csv',
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.fields !== undefined ? { fields: q.fields } : {}),
        escapeFormulas: q.escapeFormulas !== false,
        labels: q.labels === true,
      });
      reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store');
      return reply.send(file.body as never);
    },
  );

  app.get(
    '/api/records/:object/:id/lines/:field/export',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: "One record's line items (an x-children field, e.g. a quote's lines) as CSV or XLSX",
        description:
          'The child records linked to this record, in the order they were added, with the fields you may read ' +
          'but the link back. For people by default: headers are field labels (your language) and lookups hold ' +
          'the record label (a product name), the id beside it; `labels=false` writes field names and ids. 404 ' +
          'when the record, the field or its lines are not yours to read.',
        security: bearer,
        params: {
          type: 'object',
          required: ['object', 'id', 'field'],
          properties: {
            object: { type: 'string', maxLength: 63 },
            id: { type: 'string', maxLength: 64 },
            field: { type: 'string', maxLength: 63 },
          },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: exportQuery.properties.format,
            escapeFormulas: exportQuery.properties.escapeFormulas,
            labels: { type: 'boolean', default: true, description: 'Field labels and lookup names (default true)' },
          },
        },
        response: errors(400, 401, 404),
      },
    },
    async (request, reply) => {
      const { object, id, field } = request.params as { object: string; id: string; field: string };
      const q = request.query as { format?: 'csv' | 'xlsx'; escapeFormulas?: boolean; labels?: boolean };
      const file = await io().exports.exportLines(request.ctx, object, id, field, {
        format: q.format ?? 'csv',
        escapeFormulas: q.escapeFormulas !== false,
        labels: q.labels !== false,
      });
      reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store');
      return reply.send(file.body as never);
    },
  );

  app.get(
    '/api/records/:object/aggregate',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Group and measure the records you may read (count, sum, avg, min, max; date and age buckets)',
        security: bearer,
        params: objectParams,
        querystring: aggregateQuery,
        response: { 200: aggregateOut, ...errors(400, 401, 404) },
      },
    },
    async (request) => ({ ...(await io().aggregates.aggregate(request.ctx, request.params.object, request.query)) }),
  );

  app.post(
    '/api/records/:object/aggregate',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'The same aggregate with a JSON body (lists as arrays, filter as an object)',
        security: bearer,
        params: objectParams,
        body: aggregateBody,
        response: { 200: aggregateOut, ...errors(400, 401, 404) },
      },
    },
    async (request) => ({ ...(await io().aggregates.aggregate(request.ctx, request.params.object, request.body)) }),
  );

  app.post(
    '/api/records/:object/duplicates',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: "Likely duplicates of a record (the object's x-duplicates rules), among the records you may read",
        security: bearer,
        params: objectParams,
        body: anyObject,
        response: {
          200: { type: 'object', properties: { duplicates: { type: 'array', items: anyObject } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({
      duplicates: (
        await io().duplicates.findDuplicates(
          request.ctx,
          request.params.object,
          request.body as Record<string, unknown>,
        )
      ).map((d) => ({ ...d })),
    }),
  );

  app.post(
    '/api/records/:object/bulk',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Bulk update, owner change or delete of a selection, each record through the records engine',
        description:
          `A bounded synchronous batch: at most ${MAX_BULK_IDS} ids, or one page (limit, at most ${MAX_BULK_PAGE}) of ` +
          'the records a filter matches; call again with cursor = next for the following page. Every record is ' +
          'saved on its own (permissions, validation, approval lock, scripts, audit with cause "bulk", automations); ' +
          'refused records are reported with id, label (null when you may not read it), code and reason.',
        security: bearer,
        params: objectParams,
        body: bulkBody,
        response: { 200: bulkAnswer, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) => {
      const report = await io().bulk.run(request.ctx, request.params.object, request.body as BulkRequest);
      // Plain objects for the response schema's index signatures (the runtime's types are closed).
      return {
        ...report,
        refused: report.refused.map(({ fieldErrors, ...r }) => ({
          ...r,
          ...(fieldErrors
            ? { fieldErrors: Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k, { ...v }])) }
            : {}),
        })),
      };
    },
  );
}
