import { workflowNodeTypeInfos } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

/**
 * `GET /api/meta/workflow-node-types`: the workflow node types the server knows (core and plugins'),
 * each with its palette entry, so the workflow designer offers, draws and configures them from data.
 */
export async function workflowNodeTypeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  app.get(
    '/api/meta/workflow-node-types',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['metadata'],
        summary: 'Workflow node types with their designer palette entries (core and plugins)',
        description:
          '`{items: [{type, automatic, palette}]}` in palette order (types without `palette.order` last). ' +
          '`palette` is the API contract `WorkflowNodePalette` (metadata/schemas/api.schema.json): labels in ' +
          'English and Chinese, a lucide icon, initial data, outgoing handles with the edge data they give, ' +
          'the inspector fields (`fields`, `edgeFields`) and the card summary.',
        security: bearer,
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          ...errors(401, 403),
        },
      },
    },
    // Spread into plain objects: the response schema's type wants an index signature.
    async () => ({ items: workflowNodeTypeInfos().map((i) => ({ ...i })) }),
  );
}
