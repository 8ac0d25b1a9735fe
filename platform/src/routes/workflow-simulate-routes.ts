import { checkSimulateInput } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;

/** `{triggered, path: [nodeIds], edges: [edgeIds], steps: [{node, type, edge?, decision?, set?}], outcome}` */
const simulateOut = { type: 'object', additionalProperties: true } as const;

/** `POST /api/meta/workflows/:name/simulate`: the workflow designer's dry run (docs/workflows.md). */
export async function workflowSimulateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  app.post(
    '/api/meta/workflows/:name/simulate',
    {
      // Access before body: a probe without the right learns nothing from validation messages.
      onRequest: app.requireAdmin,
      schema: {
        tags: ['metadata'],
        summary: 'The path a sample record would take through a workflow (nothing is written)',
        description:
          'Body `{record, definition?, decisions?}`: the stored workflow, or the unsaved `definition` ' +
          '(checked like a save: 400 with JSON paths and node ids). Conditions run in the script sandbox; ' +
          'approval steps approve unless `decisions` says `rejected` for their node id; actions add their ' +
          '`set` fields for the conditions after them (scripts are not run).',
        security: bearer,
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        body: anyObject,
        response: { 200: simulateOut, ...errors(400, 401, 403, 404, 413, 422) },
      },
    },
    // Spread into a plain object: the response schema's type wants an index signature.
    async (request) => ({
      ...(await app.runtime.workflows.simulate(request.ctx, request.params.name, checkSimulateInput(request.body))),
    }),
  );
}
