/**
 * The autonumber pattern language: literal text with tokens in braces. `{YYYY}` `{YY}` `{MM}` `{DD}`
 * are parts of the record's creation date (UTC); `{0000}` (one or more zeros) is the counter,
 * zero-padded to that width. The counter restarts whenever the date parts in the pattern change
 * (a yearly pattern restarts every year).
 */
export type AutonumberToken =
  | { type: 'text'; value: string }
  | { type: 'date'; part: 'YYYY' | 'YY' | 'MM' | 'DD' }
  | { type: 'counter'; width: number };

export interface AutonumberFormat {
  tokens: AutonumberToken[];
  /** The date parts the counter restarts on, e.g. ['YYYY']. */
  resetParts: Array<'YYYY' | 'YY' | 'MM' | 'DD'>;
}

export type ParsedAutonumber = { ok: true; format: AutonumberFormat } | { ok: false; error: string };

const DATE_PARTS = new Set(['YYYY', 'YY', 'MM', 'DD']);

export function parseAutonumber(pattern: string): ParsedAutonumber {
  const tokens: AutonumberToken[] = [];
  const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  let counters = 0;
  for (const m of pattern.matchAll(re)) {
    if (m[3]) return { ok: false, error: `Unbalanced "${m[3]}" at position ${m.index}` };
    if (m[2] !== undefined) {
      tokens.push({ type: 'text', value: m[2] });
      continue;
    }
    const token = m[1] ?? '';
    if (/^0{1,18}$/.test(token)) {
      counters += 1;
      tokens.push({ type: 'counter', width: token.length });
    } else if (DATE_PARTS.has(token)) {
      tokens.push({ type: 'date', part: token as 'YYYY' | 'YY' | 'MM' | 'DD' });
    } else {
      return { ok: false, error: `Unknown token {${token}}: use {YYYY}, {YY}, {MM}, {DD} or {0000}` };
    }
  }
  if (counters !== 1) return { ok: false, error: 'The pattern needs exactly one counter token, e.g. {0000}' };
  const resetParts = [
    ...new Set(tokens.flatMap((t) => (t.type === 'date' ? [t.part] : []))),
  ] as AutonumberFormat['resetParts'];
  return { ok: true, format: { tokens, resetParts } };
}

function datePart(part: 'YYYY' | 'YY' | 'MM' | 'DD', at: Date): string {
  switch (part) {
    case 'YYYY':
      return String(at.getUTCFullYear()).padStart(4, '0');
    case 'YY':
      return String(at.getUTCFullYear() % 100).padStart(2, '0');
    case 'MM':
      return String(at.getUTCMonth() + 1).padStart(2, '0');
    case 'DD':
      return String(at.getUTCDate()).padStart(2, '0');
  }
}

/** The counter's scope at a date: the same scope means the same running counter ('' = never resets). */
export function autonumberScope(format: AutonumberFormat, at: Date): string {
  return format.resetParts.map((p) => datePart(p, at)).join('-');
}

/** Renders the number for counter value `n` at date `at`. */
export function formatAutonumber(format: AutonumberFormat, n: number, at: Date): string {
  return format.tokens
    .map((t) =>
      t.type === 'text' ? t.value : t.type === 'date' ? datePart(t.part, at) : String(n).padStart(t.width, '0'),
    )
    .join('');
}
