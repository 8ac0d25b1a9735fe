import type { JsonSchema } from '@forma/metadata';
import type { ObjectModel } from './load-model';

/**
 * JSON Schema of a stored record as the records API returns it: every field, system ones included;
 * fields that may be empty are nullable; line items (when expanded) are arrays of child records.
 */
export function recordSchema(object: ObjectModel): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of object.fields.values()) {
    const base: JsonSchema = f.children
      ? { type: 'array', items: { $ref: `#/$defs/${f.children.object}` } }
      : { ...f.valueSchema };
    const nonNull = f.system ? !['owner', 'created_by', 'updated_by', 'deleted_at'].includes(f.name) : f.required;
    const described = { description: f.label };
    properties[f.name] =
      nonNull || f.children ? { ...base, ...described } : { anyOf: [base, { type: 'null' }], ...described };
    if (nonNull) required.push(f.name);
  }
  return { type: 'object', description: object.label, additionalProperties: false, properties, required };
}
