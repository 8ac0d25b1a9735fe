import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const templateName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;

/** Exactly one of `template` and `wordTemplate` (checked by the runtime, which names the rule). */
const mergeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    template: { ...templateName, description: 'An HTML print template: PDF output' },
    wordTemplate: { ...templateName, description: 'A Word template: a ZIP of .docx files' },
    filter: { type: 'object', additionalProperties: true, description: 'The records filter language' },
    segment: {
      ...templateName,
      description: 'A saved segment: merge to its members the caller may read (with filter: those matching it too)',
    },
    sort: { type: 'string', maxLength: 500, description: 'As in lists: "-amount,name"' },
    format: {
      type: 'string',
      enum: ['pdf', 'zip'],
      description: 'pdf (default with template) or zip; with wordTemplate always zip',
    },
    dryRun: { type: 'boolean', description: 'Answer the first three merged documents as text (and HTML)' },
    email: {
      type: 'object',
      additionalProperties: false,
      required: ['to', 'subject'],
      properties: {
        to: { type: 'string', maxLength: 63, description: 'The e-mail field of the object' },
        subject: { type: 'string', minLength: 1, maxLength: 500, description: 'A template: "Hello {{name}}"' },
        body: {
          type: 'string',
          minLength: 1,
          maxLength: 20_000,
          description: 'A plain-text template for the body; default: the merged document as text',
        },
        attach: {
          type: 'boolean',
          description: "Attach each record's merged PDF or .docx (stored among the record's files)",
        },
      },
    },
  },
} as const;

const preview = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    label: { type: 'string' },
    html: { type: 'string' },
    text: { type: 'string' },
    email: {
      type: 'object',
      additionalProperties: false,
      properties: {
        to: { type: ['string', 'null'] },
        subject: { type: 'string' },
        body: { type: 'string' },
        attachment: { type: 'string' },
      },
    },
  },
} as const;

const listed = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string' }, label: { type: 'string' }, error: { type: 'string' } },
  },
} as const;

/**
 * `POST /api/records/:object/merge`: a print or Word template applied to every record of a filtered
 * list the caller may read → one PDF, a ZIP of PDFs or .docx files, a preview of the first three,
 * or queued e-mails (optionally each with its document attached).
 */
export async function mailMergeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.post(
    '/api/records/:object/merge',
    {
      onRequest: app.requireUser,
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['documents'],
        summary:
          'Mail merge over a filtered list: PDF, ZIP of PDFs or .docx files, dry-run preview, or e-mails to the outbox',
        description:
          'Exactly one of template (HTML print template) and wordTemplate (Word template). Records are read in ' +
          'keyset pages with the caller’s scope and field security, and the document is streamed while they are ' +
          'read. dryRun answers {documents: [{id, label, html?, text, email?}]} (at most 3; html for HTML templates). ' +
          'With email, one personalised e-mail per record is queued (email.attach: with its document attached): ' +
          '{queued, missing, missingCount, failed, failedCount}. Queuing e-mails needs a role with sendEmail ' +
          '(admins always; 403 otherwise; the dryRun preview only needs read) and fits in the tenant’s hourly ' +
          'budget of merge e-mails, reserved for every matching record up front: 429 RATE_LIMITED with Retry-After ' +
          'when it does not fit now, 400 when one merge matches more records than a whole hour allows.',
        security: bearer,
        params: {
          type: 'object',
          required: ['object'],
          properties: { object: { type: 'string', minLength: 1, maxLength: 63 } },
        },
        body: mergeBody,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            properties: {
              documents: { type: 'array', items: preview },
              unknown: {
                type: 'array',
                items: { type: 'string' },
                description: 'Dry run of a Word template: its tags that name no field (they print blank)',
              },
              queued: { type: 'integer' },
              missing: listed,
              missingCount: { type: 'integer' },
              failed: listed,
              failedCount: { type: 'integer' },
            },
            description: 'application/pdf or application/zip (PDFs or .docx files) unless dryRun or email',
          },
          ...errors(400, 401, 403, 404, 413, 429),
        },
      },
    },
    async (request, reply) => {
      const merge = app.runtime.mailMerge;
      const { object } = request.params;
      const input = request.body;
      if (input.dryRun) return merge.preview(request.ctx, object, input);
      if (input.email) return merge.email(request.ctx, object, input);
      const zip = input.format === 'zip' || input.wordTemplate !== undefined;
      const { stream, filename } = zip
        ? await merge.zip(request.ctx, object, input)
        : await merge.pdf(request.ctx, object, input);
      return reply
        .header('content-type', zip ? 'application/zip' : 'application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(stream as never);
    },
  );
}
