import { MAX_DOCUMENT_IMAGE_BYTES } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors, noContent } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const imageParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } },
} as const;

const imageOut = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    contentType: { type: 'string', enum: ['image/png', 'image/jpeg'] },
    width: { type: 'integer' },
    height: { type: 'integer' },
    size: { type: 'integer' },
    sha256: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/**
 * Document images (`/api/document-images`): the company logo and other images print templates draw
 * with `<img src="image:logo">`. Admins upload (the body is the PNG or JPEG file); every user may read
 * them, as every printed document shows them. Own route group for its raw-bytes body parser.
 */
export async function documentImageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['documents'];
  const images = () => app.runtime.documents.images;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_IMAGE_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.get(
    '/api/document-images',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: "The tenant's document images (the logo print templates draw)",
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: imageOut } } },
          ...errors(401),
        },
      },
    },
    async (request) => ({ items: (await images().list(request.ctx)) as never }),
  );

  app.get(
    '/api/document-images/:name',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'One document image: its bytes',
        security: bearer,
        params: imageParams,
        response: { 200: { type: 'string', format: 'binary' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { image, data } = await images().get(request.ctx, request.params.name);
      return reply
        .header('content-type', image.contentType)
        .header('cache-control', 'private, no-cache')
        .header('etag', `"${image.sha256}"`)
        .send(data as never);
    },
  );

  app.put(
    '/api/document-images/:name',
    {
      preHandler: app.requireAdmin,
      bodyLimit: MAX_DOCUMENT_IMAGE_BYTES,
      schema: {
        tags,
        summary: 'Upload or replace a document image: the body is the PNG or JPEG file (tenant admins)',
        description: `At most ${MAX_DOCUMENT_IMAGE_BYTES} bytes (else 413) and 4096 pixels on a side; other types → 400.`,
        security: bearer,
        params: imageParams,
        response: { 200: imageOut, ...errors(400, 401, 403, 413) },
      },
    },
    async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return (await images().put(request.ctx, request.params.name, body)) as never;
    },
  );

  app.delete(
    '/api/document-images/:name',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags,
        summary: 'Delete a document image (tenant admins); templates that draw it print without it',
        security: bearer,
        params: imageParams,
        response: { ...noContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await images().delete(request.ctx, request.params.name);
      return reply.code(204).send(null);
    },
  );
}
