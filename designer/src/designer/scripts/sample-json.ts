/**
 * A sample typed by the admin: a JSON object, or nothing (an empty box means "none"). Anything else
 * (an array, a number, broken JSON) is reported instead of being sent.
 */
export function parseSample(
  text: string,
): { ok: true; value: Record<string, unknown> | null } | { ok: false; message: string } {
  if (!text.trim()) return { ok: true, value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, message: 'expected an object {…}' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** A starting sample for an object: its fields with empty values of their type. */
export function sampleFor(properties: Record<string, { type?: unknown; readOnly?: unknown }> | undefined): string {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(properties ?? {})) {
    if (f.readOnly === true || name === 'id') continue;
    const type = Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
    out[name] = type === 'number' || type === 'integer' ? 0 : type === 'boolean' ? false : type === 'array' ? [] : '';
    if (Object.keys(out).length >= 8) break;
  }
  return JSON.stringify(out, null, 2);
}
