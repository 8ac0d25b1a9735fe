import {
  allowDuplicates,
  badRequest,
  type Ctx,
  type ListOptions,
  MAX_LIMIT,
  parseIdempotencyKey,
  withIdempotencyKey,
  type KeyedWrite,
} from '@forma/runtime';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { bearer, errors, noContent } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const objectName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 } as const;
const recordId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const objectParams = { type: 'object', required: ['object'], properties: { object: objectName } } as const;
const recordParams = {
  type: 'object',
  required: ['object', 'id'],
  properties: { object: objectName, id: recordId },
} as const;
const record = {
  type: 'object',
  additionalProperties: true,
  description: 'A record: its fields and system fields',
} as const;
const anyBody = { description: 'A JSON object of field values' } as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: {
      type: 'string',
      maxLength: 20_000,
      description: 'JSON filter: {"stage":{"eq":"won"}}, and/or, dotted lookup paths',
    },
    sort: { type: 'string', maxLength: 500, description: 'Comma-separated fields, "-" for descending: -amount,name' },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$', description: `Page size, 1 to ${MAX_LIMIT} (default 50)` },
    cursor: { type: 'string', maxLength: 8192, description: 'nextCursor of the previous page' },
    q: { type: 'string', maxLength: 200, description: 'Words to find in the text fields' },
    fields: { type: 'string', maxLength: 5000, description: 'Comma-separated fields to return' },
    expand: { type: 'string', maxLength: 1000, description: 'Comma-separated lookups to replace by their record' },
    count: {
      type: 'string',
      enum: ['true', 'false', 'estimate'],
      description: 'true: exact total; estimate: estimatedTotal',
    },
    deleted: { type: 'string', enum: ['true', 'false'], description: 'true: the recycle bin' },
  },
} as const;

const listAnswer = {
  type: 'object',
  properties: {
    items: { type: 'array', items: record },
    nextCursor: { type: ['string', 'null'] },
    total: { type: 'integer' },
    estimatedTotal: { type: 'integer' },
  },
  required: ['items', 'nextCursor'],
} as const;

const historyAnswer = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          user: { type: ['string', 'null'] },
          userName: { type: ['string', 'null'] },
          action: { type: 'string', enum: ['create', 'update', 'delete', 'restore', 'purge'] },
          changes: { type: 'object', additionalProperties: { type: 'array' } },
          batch: { type: ['string', 'null'] },
          cause: {
            type: ['object', 'null'],
            description: 'What made the change when it was not a person editing the record; null otherwise',
            properties: {
              kind: {
                type: 'string',
                enum: ['workflow', 'automation', 'import', 'action', 'plugin', 'system', 'bulk', 'email', 'webForm'],
              },
              text: { type: 'string', description: 'e.g. workflow large_deal, step "Manager review" approved by Max' },
              ref: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
            },
            required: ['kind', 'text'],
          },
        },
      },
    },
    labels: {
      type: 'object',
      description:
        'The records that lookup values in `changes` point at, by id: {object, label} when the reader may see it, {object, hidden: true} otherwise (out of scope, deleted, or its label field hidden)',
      additionalProperties: {
        type: 'object',
        properties: { object: { type: 'string' }, label: { type: 'string' }, hidden: { type: 'boolean' } },
        required: ['object'],
      },
    },
  },
} as const;

const writeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    override: {
      type: 'string',
      enum: ['true', 'false'],
      description: 'Tenant admins: write through the approval lock',
    },
  },
} as const;

const idempotencyKey = {
  type: 'string',
  description:
    'Names this write so a retry applies it once (docs/records.md, Writes): the same key again answers the first answer ' +
    '(header Idempotent-Replayed: true); the same key with another body is refused with 409',
} as const;

const ifMatch = {
  type: 'object',
  properties: {
    'if-match': { type: 'string', maxLength: 40, description: 'The version read, e.g. "3"' },
    'idempotency-key': idempotencyKey,
  },
} as const;

const createHeaders = { type: 'object', properties: { 'idempotency-key': idempotencyKey } } as const;

/**
 * Runs a record write, once per Idempotency-Key when the request names one (runtime's
 * withIdempotencyKey stores the answer in the write's transaction); without a key, just the write.
 */
async function keyedWrite(
  ctx: Ctx,
  header: string | undefined,
  request: KeyedWrite,
  reply: FastifyReply,
  write: (ctx: Ctx) => Promise<Record<string, unknown>>,
  status: number,
) {
  const key = parseIdempotencyKey(header);
  if (key === undefined) {
    const r = await write(ctx);
    etag(reply, r);
    return sendJson(reply.status(status), r);
  }
  const answer = await withIdempotencyKey(ctx, key, request, async (tx) => ({ status, body: await write(tx) }));
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  etag(reply, answer.body);
  return sendJson(reply.status(answer.status), answer.body);
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const m = /^\s*(?:W\/)?"?([0-9]{1,15})"?\s*$/.exec(header);
  if (!m) throw badRequest('If-Match must be the record version, e.g. "3"');
  return Number(m[1]);
}

function writeOptions(version: number | undefined, override: string | undefined) {
  return { ...(version === undefined ? {} : { version }), ...(override === 'true' ? { override: true } : {}) };
}

function etag(reply: FastifyReply, r: Record<string, unknown>) {
  if (typeof r.version === 'number') reply.header('etag', `"${r.version}"`);
}

/**
 * Records and pages of records are open-ended objects (`additionalProperties: true`), which the
 * schema serializer writes key by key at two to four times the cost of JSON.stringify (measured on
 * a 50-deal page, issue 27) and byte for byte the same. Set on the reply only once the answer is in
 * hand, so error answers keep their schema's serializer.
 */
function sendJson(reply: FastifyReply, payload: object) {
  // A reply serializer of one's own leaves the content type to the sender.
  return reply
    .type('application/json; charset=utf-8')
    .serializer(toJson)
    .send(payload as never);
}

/** One function for every answer, not a closure per request. */
const toJson = (p: unknown): string => JSON.stringify(p);

/** Records CRUD, queries, recycle bin and history (shared/API.md "Records"; docs/records.md). */
export async function recordRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const records = () => app.runtime.records;

  app.get(
    '/api/records/:object',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'List records: filter, sort, keyset pagination, search, projection, expand, totals',
        security: bearer,
        params: objectParams,
        querystring: listQuery,
        response: { 200: listAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const opts: ListOptions = {
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.fields !== undefined ? { fields: q.fields } : {}),
        ...(q.expand !== undefined ? { expand: q.expand } : {}),
        ...(q.count === 'true' ? { count: true } : q.count === 'estimate' ? { count: 'estimate' as const } : {}),
        ...(q.deleted === 'true' ? { deleted: true } : {}),
      };
      // Records are open-ended objects: the schema documents them, the runtime shaped them.
      const page = await records().list(request.ctx, request.params.object, opts);
      return sendJson(reply, page);
    },
  );

  app.post(
    '/api/records/:object',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Create a record (with its line items)',
        security: bearer,
        params: objectParams,
        headers: createHeaders,
        body: anyBody,
        response: { 201: record, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      // ?allowDuplicates=true skips the duplicate rules' 409 (records-io, docs/records-io.md).
      const dup = (request.query as { allowDuplicates?: string } | undefined)?.allowDuplicates === 'true';
      const { object } = request.params;
      return keyedWrite(
        dup ? allowDuplicates(request.ctx) : request.ctx,
        request.headers['idempotency-key'],
        { method: 'POST', object, body: request.body },
        reply,
        (ctx) => records().create(ctx, object, request.body),
        201,
      );
    },
  );

  app.get(
    '/api/records/:object/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'One record (404 when absent or outside your read scope)',
        security: bearer,
        params: recordParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            fields: listQuery.properties.fields,
            expand: listQuery.properties.expand,
            deleted: listQuery.properties.deleted,
          },
        },
        response: { 200: record, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { fields, expand, deleted } = request.query;
      const r = await records().get(request.ctx, request.params.object, request.params.id, {
        ...(fields !== undefined ? { fields } : {}),
        ...(expand !== undefined ? { expand } : {}),
        ...(deleted === 'true' ? { deleted: true } : {}),
      });
      etag(reply, r);
      return sendJson(reply, r);
    },
  );

  app.patch(
    '/api/records/:object/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Change a record; If-Match (or "version" in the body) refuses stale writes with 409',
        security: bearer,
        params: recordParams,
        headers: ifMatch,
        querystring: writeQuery,
        body: anyBody,
        response: { 200: record, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const version = parseIfMatch(request.headers['if-match']);
      const { object, id } = request.params;
      return keyedWrite(
        request.ctx,
        request.headers['idempotency-key'],
        {
          method: 'PATCH',
          object,
          id,
          ...(version === undefined ? {} : { version }),
          body: { body: request.body, override: request.query.override ?? null },
        },
        reply,
        (ctx) => records().update(ctx, object, id, request.body, writeOptions(version, request.query.override)),
        200,
      );
    },
  );

  app.delete(
    '/api/records/:object/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Move a record to the recycle bin',
        security: bearer,
        params: recordParams,
        headers: ifMatch,
        querystring: writeQuery,
        response: { ...noContent, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const version = parseIfMatch(request.headers['if-match']);
      await records().delete(
        request.ctx,
        request.params.object,
        request.params.id,
        writeOptions(version, request.query.override),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/records/:object/:id/restore',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Take a record out of the recycle bin',
        security: bearer,
        params: recordParams,
        response: { 200: record, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => records().restore(request.ctx, request.params.object, request.params.id),
  );

  app.post(
    '/api/records/:object/:id/purge',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Delete a record of the recycle bin for good (tenant admins)',
        security: bearer,
        params: recordParams,
        response: { ...noContent, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await records().purge(request.ctx, request.params.object, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/records/:object/:id/history',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Audit trail of a record, newest first: {at, user, action, changes: {field: [old, new]}}',
        security: bearer,
        params: recordParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: listQuery.properties.limit,
            before: { type: 'string', pattern: '^[0-9]{1,18}$', description: 'id of the oldest entry already seen' },
          },
        },
        response: { 200: historyAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const { items, labels } = await records().history(request.ctx, request.params.object, request.params.id, {
        ...(limit !== undefined ? { limit: Number(limit) } : {}),
        ...(before !== undefined ? { before: Number(before) } : {}),
      });
      return { items, labels } as never;
    },
  );
}
