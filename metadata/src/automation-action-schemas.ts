import automationSchema from '../schemas/automation.schema.json';
import commonSchema from '../schemas/common.schema.json';

type Json = Record<string, unknown>;

function inline(node: unknown, defs: { local: Json; common: Json }, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs, depth));
  if (!node || typeof node !== 'object') return node;
  const o = node as Json;
  const ref = typeof o.$ref === 'string' ? o.$ref : undefined;
  if (ref && depth < 8) {
    const [file, pointer] = ref.split('#/$defs/');
    const target = (file ? defs.common : defs.local)[pointer ?? ''];
    const { $ref: _r, ...rest } = o;
    // The filter language refers to itself: deeper than a few levels it stays an object.
    return target
      ? { ...(inline(target, file ? { local: defs.common, common: defs.common } : defs, depth + 1) as Json), ...rest }
      : rest;
  }
  if (ref) return { type: 'object' };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, inline(v, defs, depth)]));
}

/**
 * The core automation action kinds' configuration as JSON Schemas (the properties besides `type`),
 * taken from automation.schema.json with references inlined, so a designer can draw each kind's
 * form from data, as it does for plugin kinds' own schemas.
 */
export function coreAutomationActionSchemas(): Record<string, Json> {
  const defs = {
    local: (automationSchema as { $defs: Json }).$defs,
    common: (commonSchema as { $defs: Json }).$defs,
  };
  const action = defs.local.action as { allOf: Array<{ if: Json; then: Json }> };
  const out: Record<string, Json> = {};
  for (const branch of action.allOf) {
    const type = ((branch.if.properties as Json).type as { const: string }).const;
    const then = inline(branch.then, defs) as Json;
    const { type: _t, ...properties } = (then.properties ?? {}) as Json;
    out[type] = {
      type: 'object',
      additionalProperties: false,
      properties,
      ...(Array.isArray(then.required) ? { required: then.required } : {}),
    };
  }
  return out;
}
