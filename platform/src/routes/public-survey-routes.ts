import type { FastifyInstance } from 'fastify';
import { errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const tokenParams = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const localeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    locale: { type: 'string', enum: ['en', 'zh-CN'], description: "The page's language (default: the invitation's)" },
  },
} as const;

const question = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['rating', 'nps', 'choice', 'text'] },
    label: { type: 'string' },
    required: { type: 'boolean' },
    min: { type: 'integer' },
    max: { type: 'integer' },
    maxLength: { type: 'integer' },
    choices: {
      type: 'array',
      items: { type: 'object', properties: { value: { type: 'string' }, label: { type: 'string' } } },
    },
  },
} as const;

const surveyOut = {
  type: 'object',
  properties: {
    survey: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        intro: { type: ['string', 'null'] },
        thanks: { type: ['string', 'null'] },
        locale: { type: 'string', enum: ['en', 'zh-CN'] },
        questions: { type: 'array', items: question },
      },
    },
  },
} as const;

/**
 * The public satisfaction survey pages (`/api/public/surveys/:token`, no sign-in): the signed
 * single-use link from the survey e-mail is the only credential. Every request first counts against
 * its client address's budget (429 with Retry-After), before its body is read; answers are small
 * (`surveys.maxBodyBytes`, 413 past it). docs/surveys.md.
 */
export async function publicSurveyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['surveys'];
  const surveys = () => app.runtime.surveys;
  const admit = async (request: { ip: string }) => surveys().admit(request.ip);

  app.get(
    '/api/public/surveys/:token',
    {
      onRequest: admit,
      schema: {
        tags,
        summary: 'The survey behind a signed survey link, in its language (no sign-in)',
        description: 'A forged or expired link → 404 (`details.reason`: invalid / expired); answered already → 409.',
        params: tokenParams,
        querystring: localeQuery,
        response: { 200: surveyOut, ...errors(400, 404, 409, 429) },
      },
    },
    async (request) => surveys().open(request.params.token, request.query.locale),
  );

  app.post(
    '/api/public/surveys/:token',
    {
      onRequest: admit,
      bodyLimit: app.runtime.config.surveys.maxBodyBytes,
      schema: {
        tags,
        summary: 'Answer the survey once: saved as a response record linked to the case and the contact',
        description:
          'Answers by question id: rating 1–5, nps 0–10 (integers), choice one of its values, text. A wrong or missing ' +
          'answer → 400 with `fields` by question id; a second answer → 409; a forged or expired link → 404.',
        params: tokenParams,
        querystring: localeQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['answers'],
          properties: { answers: { type: 'object', maxProperties: 50 } },
        },
        response: {
          201: {
            type: 'object',
            properties: { thanks: { type: ['string', 'null'] }, locale: { type: 'string', enum: ['en', 'zh-CN'] } },
          },
          ...errors(400, 404, 409, 413, 429),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await surveys().answer(
            request.params.token,
            request.body.answers as Record<string, unknown>,
            request.query.locale,
          ),
        ),
  );
}
