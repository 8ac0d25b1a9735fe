import { AppError, type ErrorCode, translateDatabaseError } from '@forma/runtime';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    fields?: Record<string, string>;
    details?: Record<string, unknown>;
    requestId?: string;
  };
}

/** fastify's own error codes that mean "the client sent something we cannot read". */
const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'BAD_REQUEST', message: 'Malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'BAD_REQUEST', message: 'Empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'TOO_LARGE', message: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 400, code: 'BAD_REQUEST', message: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Invalid content length' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'BAD_REQUEST', message: 'Invalid content type' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 400, code: 'BAD_REQUEST', message: 'Missing content type' },
  FST_ERR_INVALID_URL: { status: 400, code: 'BAD_REQUEST', message: 'Invalid URL' },
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'BAD_REQUEST',
  409: 'CONFLICT',
  413: 'TOO_LARGE',
  415: 'BAD_REQUEST',
  422: 'SCRIPT_FAILED',
  429: 'RATE_LIMITED',
};

/** Maps an ajv error list from a route schema to `{field: message}`. */
function fieldsOf(err: FastifyError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const v of err.validation ?? []) {
    const missing = (v.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {};
    const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const key = missing.missingProperty
      ? [base, missing.missingProperty].filter(Boolean).join('.')
      : missing.additionalProperty
        ? [base, missing.additionalProperty].filter(Boolean).join('.')
        : base || '_';
    const message = missing.additionalProperty ? 'Unknown field' : (v.message ?? 'Invalid');
    fields[key] ??= message;
  }
  return fields;
}

export function toErrorBody(
  err: unknown,
  requestId: string,
  /** Whether the caller is a tenant admin (who also gets the errors' admin-only details). */
  admin = false,
): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { error: { ...err.toJSON({ admin }) } },
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  const fe = err as FastifyError & { validationContext?: string };
  if (fe?.validation) {
    const isBody = fe.validationContext === 'body';
    return {
      status: 400,
      body: {
        error: {
          code: isBody ? 'VALIDATION_FAILED' : 'BAD_REQUEST',
          message: isBody ? 'The request body is not valid' : `Invalid ${fe.validationContext ?? 'request'}`,
          fields: fieldsOf(fe),
        },
      },
    };
  }
  const known = fe?.code ? CLIENT_ERRORS[fe.code] : undefined;
  if (known)
    return { status: known.status, body: { error: { code: known.code, message: known.message ?? fe.message } } };
  // Database errors are the runtime's to name (runtime/src/db/translate-database-error.ts).
  const db = translateDatabaseError(fe);
  if (db) return { status: db.status, body: { error: db.toJSON() }, ...(db.headers ? { headers: db.headers } : {}) };
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, body: { error: { code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: fe.message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error', requestId } } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorBody(err, request.id, request.ctx?.isAdmin === true);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, message: body.error.message }, 'request refused');
    if (headers) reply.headers(headers);
    reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}

export function noRouteBody(request: FastifyRequest): ErrorBody {
  return { error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } };
}
