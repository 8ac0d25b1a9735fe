import type { JsonSchema } from './field-kinds';

export interface RecordTypeSource {
  /** Object name; becomes the key in the `Records` map and, PascalCased, the interface name. */
  name: string;
  /** JSON Schema of one record as the API returns it (`#/$defs/<name>` refers to other objects). */
  schema: JsonSchema;
}

export function typeNameOf(object: string): string {
  return object
    .split('_')
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/**
 * TypeScript declarations of a tenant's records, for plugin authors: one interface per object and
 * a `Records` map from object name to record type.
 */
export async function compileRecordTypes(objects: readonly RecordTypeSource[], banner: string): Promise<string> {
  const $defs: Record<string, JsonSchema> = {};
  const properties: Record<string, JsonSchema> = {};
  for (const o of objects) {
    $defs[o.name] = { ...o.schema, title: typeNameOf(o.name) };
    properties[o.name] = { $ref: `#/$defs/${o.name}` };
  }
  const root = {
    title: 'Records',
    description: 'Record types by object name.',
    type: 'object',
    additionalProperties: false,
    required: objects.map((o) => o.name),
    properties,
    $defs,
  };
  // Loaded here, not with the package: it brings prettier and a JSON Schema resolver (~15 MB of a
  // server's memory) that only this download of declarations needs.
  const { compile } = await import('json-schema-to-typescript');
  return compile(root as never, 'Records', {
    bannerComment: banner,
    additionalProperties: false,
    declareExternallyReferenced: true,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    unknownAny: true,
    format: true,
    style: { singleQuote: true, printWidth: 120, trailingComma: 'all' },
  });
}
