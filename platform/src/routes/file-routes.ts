import type { FastifyInstance } from 'fastify';
import { fileNameQuery, uploadOf } from '../http/file-upload';
import { bearer, errors, noContent, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const objectName = { type: 'string', minLength: 1, maxLength: 63 } as const;
const recordParams = {
  type: 'object',
  required: ['object', 'id'],
  properties: { object: objectName, id: uuidParam },
} as const;
const fileParams = {
  type: 'object',
  required: ['object', 'id', 'file'],
  properties: { object: objectName, id: uuidParam, file: uuidParam },
} as const;
const fileOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    record: { type: 'string' },
    name: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    sha256: { type: 'string' },
    createdBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/**
 * Files attached to records. Uploads are the raw bytes (any Content-Type) with `?name=`; this route
 * group has its own catch-all body parser, so a JSON or text file is stored as sent, not parsed.
 */
export async function fileRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['files'];
  const files = () => app.runtime.files;
  const maxBytes = app.runtime.files.maxBytes;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));

  app.get(
    '/api/records/:object/:id/files',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: "The record's files",
        security: bearer,
        params: recordParams,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: fileOut } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({
      items: (await files().list(request.ctx, request.params.object, request.params.id)) as never,
    }),
  );

  app.post(
    '/api/records/:object/:id/files',
    {
      preHandler: app.requireUser,
      bodyLimit: maxBytes,
      schema: {
        tags,
        summary: 'Attach a file: the body is its bytes, ?name= its file name',
        description:
          'The stored type is sniffed from the bytes. Needs the update scope of the record; over the size limit → 413.',
        security: bearer,
        params: recordParams,
        querystring: fileNameQuery,
        response: { 201: fileOut, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request, reply) => {
      const meta = await files().upload(request.ctx, request.params.object, request.params.id, uploadOf(request));
      return reply.status(201).send(meta as never);
    },
  );

  app.get(
    '/api/records/:object/:id/files/:file',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Download a file (as an attachment)',
        security: bearer,
        params: fileParams,
        response: { 200: { type: 'string', format: 'binary' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { meta, data } = await files().download(
        request.ctx,
        request.params.object,
        request.params.id,
        request.params.file,
      );
      // Always an attachment with nosniff: an uploaded HTML or SVG file never runs in our origin.
      return reply
        .header('content-type', meta.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
        .send(data as never);
    },
  );

  app.delete(
    '/api/records/:object/:id/files/:file',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Delete a file (update scope of the record)',
        security: bearer,
        params: fileParams,
        response: { ...noContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await files().delete(request.ctx, request.params.object, request.params.id, request.params.file);
      return reply.status(204).send(null);
    },
  );
}
