import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const uuid = { type: 'string', format: 'uuid', maxLength: 36 } as const;
const name = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 } as const;
const comment = { type: 'string', maxLength: 4000 } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const instanceOut = { type: 'object', properties: { instance: anyObject }, required: ['instance'] } as const;
const items = { type: 'object', properties: { items: { type: 'array', items: anyObject } } } as const;
const recordApprovalsAnswer = {
  type: 'object',
  properties: {
    items: { type: 'array', items: anyObject },
    submit: {
      type: 'object',
      properties: { available: { type: 'boolean' }, workflow: { type: 'string' } },
      required: ['available'],
    },
    lock: {
      type: 'object',
      properties: { locked: { type: 'boolean' }, workflow: { type: 'string' }, canUnlock: { type: 'boolean' } },
      required: ['locked'],
    },
  },
} as const;
const taskParams = { type: 'object', required: ['task'], properties: { task: uuid } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;
const recordParams = { type: 'object', required: ['object', 'id'], properties: { object: name, id: uuid } } as const;
const tokenParams = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', minLength: 10, maxLength: 2000, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;
const optionalComment = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { comment },
} as const;

/** Approvals (shared/API.md "Approvals", docs/workflows.md): thin wrappers over `runtime.workflows`. */
export async function approvalRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const wf = () => app.runtime.workflows;

  app.post(
    '/api/records/:object/:id/submit',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Submit a record for approval',
        description:
          'Starts the first active workflow of the object (in name order, or the one named) whose trigger ' +
          'condition holds for the record. No matching workflow → 400; already pending → 409.',
        security: bearer,
        params: recordParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { workflow: name, comment },
        },
        response: { 201: instanceOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const instance = await wf().submit(request.ctx, request.params.object, request.params.id, {
        ...(body.workflow ? { workflow: body.workflow } : {}),
        ...(body.comment ? { comment: body.comment } : {}),
      });
      return reply.status(201).send({ instance });
    },
  );

  app.post(
    '/api/records/:object/:id/unlock',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Unlock a record held locked after its approval (tenant admins, with a reason)',
        description:
          'For records approved by a workflow with `afterApproval: {mode: "lock"}`: the approval no longer ' +
          'holds (`approval_status` becomes `none`), the reason is written to the record history (the ' +
          "change's cause) and to the approval trail (`unlocked`). Not locked → 409; not an admin → 403.",
        security: bearer,
        params: recordParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: { reason: { type: 'string', maxLength: 1000 } },
        },
        response: {
          200: { type: 'object', properties: { approval_status: { type: 'string' } }, required: ['approval_status'] },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => wf().unlock(request.ctx, request.params.object, request.params.id, request.body.reason),
  );

  app.get(
    '/api/records/:object/:id/approvals',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Approval instances of a record, with every step, decision and event',
        description:
          'Also says whether the caller can submit the record now (`submit.available`: an active workflow ' +
          'triggered on submit whose condition holds for the record, the caller may update it, it is not ' +
          'pending) and which workflow a submit would start (`submit.workflow`); and whether the record is ' +
          'held locked after its approval (`lock.locked`, by `lock.workflow`; `lock.canUnlock` for tenant admins).',
        security: bearer,
        params: recordParams,
        response: { 200: recordApprovalsAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { object, id } = request.params;
      const items = await wf().recordApprovals(request.ctx, object, id);
      return {
        items,
        submit: await wf().submitOption(request.ctx, object, id),
        lock: await wf().lockOption(request.ctx, object, id),
      };
    },
  );

  app.get(
    '/api/approvals/inbox',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: "The current user's open approval tasks (record fields limited to what they may read)",
        security: bearer,
        response: { 200: items, ...errors(401) },
      },
    },
    async (request) => ({ items: await wf().inbox(request.ctx) }),
  );

  app.get(
    '/api/approvals/instances/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'One approval instance with its tasks (submitter, approvers, admins)',
        security: bearer,
        params: idParams,
        response: { 200: anyObject, ...errors(400, 401, 404) },
      },
    },
    async (request) => wf().instance(request.ctx, request.params.id),
  );

  app.post(
    '/api/approvals/tasks/:task/approve',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Approve a task of yours; someone else’s task → 404, already decided → 409',
        security: bearer,
        params: taskParams,
        body: optionalComment,
        response: { 200: instanceOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (request) => ({
      instance: await wf().approve(request.ctx, request.params.task, request.body?.comment),
    }),
  );

  app.post(
    '/api/approvals/tasks/:task/reject',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Reject a task of yours (a comment is required)',
        security: bearer,
        params: taskParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['comment'],
          properties: { comment: { ...comment, minLength: 1 } },
        },
        response: { 200: instanceOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (request) => ({ instance: await wf().reject(request.ctx, request.params.task, request.body.comment) }),
  );

  app.post(
    '/api/approvals/tasks/:task/delegate',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Hand a task of yours to another user',
        security: bearer,
        params: taskParams,
        body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: uuid } },
        response: { 200: instanceOut, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => ({ instance: await wf().delegate(request.ctx, request.params.task, request.body.to) }),
  );

  app.post(
    '/api/approvals/instances/:id/recall',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Withdraw a pending approval (its submitter, or an admin)',
        security: bearer,
        params: idParams,
        body: optionalComment,
        response: { 200: instanceOut, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => ({ instance: await wf().recall(request.ctx, request.params.id, request.body?.comment) }),
  );

  app.get(
    '/api/approvals/links/:token',
    {
      schema: {
        tags: ['approvals'],
        summary: 'What a signed approve/reject link from an e-mail would do (no sign-in needed)',
        params: tokenParams,
        response: { 200: anyObject, ...errors(400, 404) },
      },
    },
    async (request) => wf().linkInfo(request.params.token),
  );

  app.post(
    '/api/approvals/links/:token',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Spend a signed single-use link: decides the task as the user it was sent to',
        description: 'A second use → 409; a tampered or expired link → 404; a reject link needs a comment.',
        params: tokenParams,
        body: optionalComment,
        response: { 200: instanceOut, ...errors(400, 404, 409, 422) },
      },
    },
    async (request) => ({ instance: await wf().decideByLink(request.params.token, request.body?.comment) }),
  );

  app.get(
    '/api/approvals/delegations',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Dated delegations from or to the current user',
        security: bearer,
        response: { 200: items, ...errors(401) },
      },
    },
    async (request) => ({ items: await wf().delegations.list(request.ctx) }),
  );

  app.post(
    '/api/approvals/delegations',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        summary: 'Out of office: approvals of `user` (default: me) go to `to` from `from` until `until`',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to', 'from', 'until'],
          properties: {
            to: uuid,
            user: uuid,
            from: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
          },
        },
        response: { 201: anyObject, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await wf().createDelegation(request.ctx, {
        to: b.to,
        from: String(b.from instanceof Date ? b.from.toISOString() : b.from),
        until: String(b.until instanceof Date ? b.until.toISOString() : b.until),
        ...(b.user ? { user: b.user } : {}),
      });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/approvals/delegations/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['approvals'],
        security: bearer,
        params: idParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await wf().delegations.remove(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/approvals/workflows/:name/versions',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['approvals'],
        summary: 'How many instances run (and ran) on each version of a workflow (tenant admin)',
        security: bearer,
        params: { type: 'object', required: ['name'], properties: { name } },
        response: { 200: anyObject, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => wf().versions(request.ctx, request.params.name),
  );

  app.post(
    '/api/approvals/workflows/:name/migrate',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['approvals'],
        summary: 'Move waiting instances to the newest version where their current step still exists (tenant admin)',
        security: bearer,
        params: { type: 'object', required: ['name'], properties: { name } },
        response: { 200: anyObject, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => wf().moveToCurrent(request.ctx, request.params.name),
  );
}
