import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Route input validation. Bodies are checked strictly (no type coercion, unknown properties are
 * errors rather than silently dropped), while query strings and params are coerced from text.
 */
export function installValidators(app: FastifyInstance): void {
  const strict = addFormats(
    new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false }),
  );
  const coercing = addFormats(
    new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false }),
  );
  app.setValidatorCompiler(
    ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as never,
  );
}
