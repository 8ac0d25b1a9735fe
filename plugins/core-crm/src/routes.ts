import type { PluginRoutes } from '@forma/platform/plugin-api';
import { type ConvertOptions, convertLead } from './convert-lead';

const uuid = { type: 'string', format: 'uuid' } as const;

/** `/api/plugins/core-crm/…`: the CRM actions that span several records. */
export const routes: PluginRoutes = async (app, { runtime }) => {
  app.post(
    '/leads/:id/convert',
    {
      schema: {
        summary: 'Convert a lead into an account (or an existing one), a contact and a deal',
        tags: ['core-crm'],
        params: { type: 'object', required: ['id'], properties: { id: uuid } },
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            account: uuid,
            dealName: { type: 'string', minLength: 1, maxLength: 200 },
            amount: { type: 'number', minimum: 0, maximum: 1e15 },
            closeOn: { type: 'string', format: 'date' },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const result = await convertLead(runtime, request.ctx, id, (request.body ?? {}) as ConvertOptions);
      reply.status(201);
      return result;
    },
  );
};
