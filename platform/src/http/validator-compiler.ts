import { createRequire } from 'node:module';
import Ajv, { type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/** Bodies are checked strictly (no type coercion, unknown properties are errors, not dropped). */
const BODY_OPTIONS: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  coerceTypes: false,
  strict: false,
};
/** Query strings, params and headers are text: coerced to the schema's types. */
const TEXT_OPTIONS: Options = { ...BODY_OPTIONS, coerceTypes: 'array' };

/**
 * Builds a route validator that checks exactly what `compile` would compile (ajv with `options`,
 * formats added) from somewhere else; test support loads them as code from disk.
 */
export type RouteValidatorSource = (schema: object, options: Options) => ValidateFunction;

let source: RouteValidatorSource | undefined;

/** Where route validators come from instead of compiling them in this process (`undefined`: compile). */
export function setRouteValidatorSource(s: RouteValidatorSource | undefined): void {
  source = s;
}

/**
 * Route input validation: bodies strictly, query strings and params coerced from text.
 *
 * `lazy` compiles a route's validator at its first request instead of at start-up (test servers:
 * a test file calls a handful of the ~240 routes, and compiling them all cost each file's server
 * start most of its CPU). The compiled function and its errors are the same either way.
 */
export function installValidators(app: FastifyInstance, opts: { lazy?: boolean } = {}): void {
  const strict = addFormats(new Ajv(BODY_OPTIONS));
  const coercing = addFormats(new Ajv(TEXT_OPTIONS));
  const compile = (schema: unknown, httpPart: string | undefined): ValidateFunction => {
    const body = httpPart === 'body';
    // Fastify hands functions with `schemaEnv` (ajv's own) the request as the value's parent; a
    // function from elsewhere is ajv's code too and takes it the same way.
    if (source) return Object.assign(source(schema as object, body ? BODY_OPTIONS : TEXT_OPTIONS), { schemaEnv: true });
    return (body ? strict : coercing).compile(schema as object);
  };
  app.setValidatorCompiler(({ schema, httpPart }) =>
    opts.lazy ? (onFirstUse(() => compile(schema, httpPart)) as never) : (compile(schema, httpPart) as never),
  );
}

/**
 * A validator that compiles at its first call. Fastify reads a failed check's `errors` from the
 * function it was given, and hands ajv functions (known by `schemaEnv`) the request as the parent
 * of the value so ajv can replace a coerced root: the stand-in does both.
 */
function onFirstUse(compile: () => ValidateFunction) {
  let validate: ValidateFunction | undefined;
  const standIn = (data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    validate ??= compile();
    const valid = validate(data, dataCxt);
    standIn.errors = validate.errors;
    return valid;
  };
  standIn.errors = undefined as ValidateFunction['errors'];
  standIn.schemaEnv = true;
  return standIn;
}

type SerializerFactory = (
  externalSchemas: unknown,
  serializerOpts: unknown,
) => (route: unknown) => (data: unknown) => string;

/**
 * Fastify's own response serializer builder (fast-json-stringify, resolved through fastify so it is
 * the version fastify would use), with each route's serializer built at its first reply instead of
 * at start-up. For test servers, like `installValidators(app, {lazy: true})`.
 */
export function lazySerializers(): NonNullable<FastifyServerOptions['schemaController']> {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const { SerializerSelector } = fromFastify('@fastify/fast-json-stringify-compiler') as {
    SerializerSelector: () => SerializerFactory;
  };
  const build = SerializerSelector();
  return {
    compilersFactory: {
      buildSerializer: ((externalSchemas: unknown, serializerOpts: unknown) => {
        const compile = build(externalSchemas, serializerOpts);
        return (route: unknown) => {
          let serialize: ((data: unknown) => string) | undefined;
          return (data: unknown) => {
            serialize ??= compile(route);
            return serialize(data);
          };
        };
      }) as never,
    },
  };
}
