import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';

/**
 * Route handler types are inferred from the route's JSON Schemas. Timestamps leave the runtime as
 * Date objects and are serialized by the response schema, hence the date-time mapping.
 */
export type TypeProvider = JsonSchemaToTsProvider<{
  ValidatorSchemaOptions: { deserialize: [{ pattern: { type: 'string'; format: 'date-time' }; output: Date }] };
  SerializerSchemaOptions: {
    deserialize: [{ pattern: { type: 'string'; format: 'date-time' }; output: Date | string }];
  };
}>;
