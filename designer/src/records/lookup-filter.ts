/**
 * `x-lookup-filter` (docs/metadata.md): a lookup's choices narrowed by the form's current values.
 * `{"account": "$record.account"}` with the form's account set becomes the records API filter
 * `{"account": {"eq": "<id>"}}`; a source field still empty narrows nothing.
 */
export type LookupFilterSpec = Record<string, string>;

export function isLookupFilterSpec(v: unknown): v is LookupFilterSpec {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

export function resolveLookupFilter(
  spec: unknown,
  data: Record<string, unknown> | undefined,
): Record<string, { eq: unknown }> | undefined {
  if (!isLookupFilterSpec(spec)) return undefined;
  const out: Record<string, { eq: unknown }> = {};
  for (const [target, source] of Object.entries(spec)) {
    const m = /^\$record\.([a-z][a-z0-9_]{0,62})$/.exec(source);
    const value = m?.[1] ? data?.[m[1]] : undefined;
    if (value !== undefined && value !== null && value !== '') out[target] = { eq: value };
  }
  return Object.keys(out).length ? out : undefined;
}
