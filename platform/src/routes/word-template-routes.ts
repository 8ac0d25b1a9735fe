import { MAX_DOCX_BYTES } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const objectName = { type: 'string', minLength: 1, maxLength: 63 } as const;
const templateName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Word templates: upload a .docx with `{field}` tags (the body is the file) and fill it per record.
 * Own route group so its catch-all body parser (raw bytes) does not touch the JSON routes.
 */
export async function wordTemplateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['documents'];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DOCX_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.put(
    '/api/print-templates/:object/:name/docx',
    {
      preHandler: app.requireAdmin,
      bodyLimit: MAX_DOCX_BYTES,
      schema: {
        tags,
        summary: 'Create or replace a Word template: the body is the .docx (tenant admins)',
        description: 'Tags: {field}, {account.name}, loops {#lines}{product}{/lines}. Broken files or tags → 400.',
        security: bearer,
        params: {
          type: 'object',
          required: ['object', 'name'],
          properties: { object: objectName, name: templateName },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { label: { type: 'string', maxLength: 200 } },
        },
        response: { 200: { type: 'object', additionalProperties: true }, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { object, name } = request.params;
      return (await app.runtime.documents.saveWordTemplate(
        request.ctx,
        object,
        name,
        body,
        request.query.label,
      )) as never;
    },
  );

  app.post(
    '/api/print-templates/:object/docx-tags',
    {
      preHandler: app.requireAdmin,
      bodyLimit: MAX_DOCX_BYTES,
      schema: {
        tags,
        summary: "A Word file's tags and those naming no field, without storing it (tenant admins)",
        description: 'The body is the .docx; checked as an upload is (broken files or tags → 400, too large → 413).',
        security: bearer,
        params: { type: 'object', required: ['object'], properties: { object: objectName } },
        response: {
          200: {
            type: 'object',
            properties: {
              tags: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { tag: { type: 'string' }, inside: { type: 'string' } },
                },
              },
              unknown: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(400, 401, 403, 404, 413),
        },
      },
    },
    async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return app.runtime.documents.inspectWordTemplate(request.ctx, request.params.object, body);
    },
  );

  app.get(
    '/api/records/:object/:id/docx/:template',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'The record filled into a Word template, as a .docx',
        security: bearer,
        params: {
          type: 'object',
          required: ['object', 'id', 'template'],
          properties: { object: objectName, id: uuidParam, template: templateName },
        },
        response: { 200: { type: 'string', format: 'binary' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { object, id, template } = request.params;
      const { docx, filename } = await app.runtime.documents.renderWord(request.ctx, object, id, template);
      return reply
        .header('content-type', DOCX)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(docx as never);
    },
  );
}
