import type { FastifyInstance } from 'fastify';
import { bearer, errors, noContent, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const objectName = { type: 'string', minLength: 1, maxLength: 63 } as const;
const templateName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const templateParams = {
  type: 'object',
  required: ['object', 'name'],
  properties: { object: objectName, name: templateName },
} as const;
const printParams = {
  type: 'object',
  required: ['object', 'id', 'template'],
  properties: { object: objectName, id: uuidParam, template: templateName },
} as const;

const page = {
  type: 'object',
  additionalProperties: false,
  properties: {
    size: { type: 'string', enum: ['A4', 'A5', 'LETTER', 'LEGAL'] },
    orientation: { type: 'string', enum: ['portrait', 'landscape'] },
    margin: { type: 'number', minimum: 0, maximum: 144, description: 'Points on every side (default 50)' },
  },
} as const;

const templateOut = {
  type: 'object',
  properties: {
    object: { type: 'string' },
    name: { type: 'string' },
    label: { type: 'string' },
    kind: { type: 'string', enum: ['html', 'docx'] },
    html: { type: ['string', 'null'] },
    header: { type: ['string', 'null'] },
    footer: { type: ['string', 'null'] },
    page,
    version: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const templateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['html'],
  properties: {
    label: { type: 'string', maxLength: 200 },
    html: { type: 'string', minLength: 1, maxLength: 200_000 },
    header: { type: 'string', maxLength: 2_000 },
    footer: { type: 'string', maxLength: 2_000 },
    page,
  },
} as const;

/**
 * Print templates (`/api/print-templates`, admins edit, every user lists) and printing a record
 * (`/api/records/:object/:id/print/:template` → PDF with the fields the caller may read).
 */
export async function documentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['documents'];
  const documents = () => app.runtime.documents;

  app.get(
    '/api/print-templates',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Print templates, optionally of one object',
        security: bearer,
        querystring: { type: 'object', additionalProperties: false, properties: { object: objectName } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: templateOut } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({ items: (await documents().listTemplates(request.ctx, request.query.object)) as never }),
  );

  app.get(
    '/api/print-templates/:object/:name',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'One print template',
        security: bearer,
        params: templateParams,
        response: { 200: templateOut, ...errors(400, 401, 404) },
      },
    },
    async (request) =>
      (await documents().getTemplate(request.ctx, request.params.object, request.params.name)) as never,
  );

  app.put(
    '/api/print-templates/:object/:name',
    {
      preHandler: app.requireAdmin,
      bodyLimit: 256 * 1024,
      schema: {
        tags,
        summary: 'Create or replace a print template (tenant admins)',
        description:
          'HTML with Handlebars placeholders for the fields, lookups ({{account.name}}) and line items ({{#each lines}}). ' +
          'Syntax errors (with their line) and unknown fields are refused with 400.',
        security: bearer,
        params: templateParams,
        body: templateBody,
        response: { 200: templateOut, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) =>
      (await documents().saveTemplate(request.ctx, request.params.object, request.params.name, request.body)) as never,
  );

  app.post(
    '/api/print-templates/:object/preview',
    {
      preHandler: app.requireAdmin,
      bodyLimit: 256 * 1024,
      schema: {
        tags,
        summary: 'An unsaved print template rendered against one record (tenant admins)',
        description:
          'The same checks as saving (400 at the field) and the same data as printing, nothing stored. ' +
          '`format: "html"` (default) answers {html, text}; `"pdf"` the PDF.',
        security: bearer,
        params: { type: 'object', required: ['object'], properties: { object: objectName } },
        body: {
          ...templateBody,
          required: ['html', 'record'],
          properties: {
            ...templateBody.properties,
            record: uuidParam,
            format: { type: 'string', enum: ['html', 'pdf'] },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { html: { type: 'string' }, text: { type: 'string' } },
            description: '{html, text}, or application/pdf with format "pdf"',
          },
          ...errors(400, 401, 403, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const { record, format, ...input } = request.body;
      const out = await documents().previewTemplate(request.ctx, request.params.object, record, input, format);
      if ('pdf' in out)
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', 'inline; filename="preview.pdf"')
          .send(out.pdf as never);
      return out;
    },
  );

  app.delete(
    '/api/print-templates/:object/:name',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags,
        summary: 'Delete a print template (tenant admins)',
        security: bearer,
        params: templateParams,
        response: { ...noContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await documents().deleteTemplate(request.ctx, request.params.object, request.params.name);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/records/:object/:id/print/:template',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'The record printed with a template, as a PDF',
        security: bearer,
        params: printParams,
        response: {
          200: { type: 'string', format: 'binary', description: 'application/pdf' },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const { pdf, filename } = await documents().print(
        request.ctx,
        request.params.object,
        request.params.id,
        request.params.template,
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="${filename}"`)
        .send(pdf as never);
    },
  );
}
