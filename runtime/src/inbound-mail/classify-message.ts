/**
 * What an inbound message says about itself, read from its headers alone: whether a machine sent it
 * (so nothing answers it), which case numbers its subject names and which earlier messages it answers.
 */

export interface MessageHeaders {
  /** Lower-case header name → value(s), as the parser gives them. */
  get(name: string): unknown;
}

/** Why a message counts as automatic, or undefined for a person's message. */
export function automaticReason(headers: MessageHeaders, envelopeFrom: string): string | undefined {
  // A null reverse-path (`MAIL FROM:<>`) is how bounces and delivery reports travel (RFC 5321 4.5.5).
  if (!envelopeFrom) return 'bounce (empty envelope sender)';
  const auto = text(headers.get('auto-submitted')).toLowerCase();
  if (auto && auto !== 'no') return `Auto-Submitted: ${auto}`;
  const precedence = text(headers.get('precedence')).toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (text(headers.get(h))) return h;
  }
  const suppress = text(headers.get('x-auto-response-suppress')).toLowerCase();
  if (/\b(all|oof|autoreply)\b/.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  if (headers.get('list-id') || headers.get('list-unsubscribe')) return 'mailing list';
  if (/^(mailer-daemon|postmaster)@/i.test(envelopeFrom)) return 'mailer daemon';
  return undefined;
}

/** Tokens in square brackets of a subject (`Re: Printer [CS-2026-00012]`), the first few, in order. */
export function subjectTokens(subject: string, max = 3): string[] {
  const out: string[] = [];
  for (const m of subject.matchAll(/\[([^[\]\s]{1,64})\]/g)) {
    if (m[1] && !out.includes(m[1])) out.push(m[1]);
    if (out.length >= max) break;
  }
  return out;
}

/** Message ids an answer refers to (In-Reply-To first, then References newest first), normalised. */
export function referencedIds(inReplyTo: unknown, references: unknown, max = 50): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    for (const id of idsIn(v)) if (!out.includes(id)) out.push(id);
  };
  add(inReplyTo);
  add(idsIn(references).reverse());
  return out.slice(0, max);
}

/** `<abc@host>` → `abc@host`, lower-cased: ids compare case-insensitively enough for threading. */
export function normaliseId(id: string): string {
  return id.trim().replace(/^<|>$/g, '').toLowerCase().slice(0, 500);
}

function idsIn(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(idsIn);
  if (typeof v !== 'string') return [];
  const bracketed = v.match(/<[^<>\s]+>/g);
  const raw = bracketed ?? v.split(/\s+/);
  return raw.map(normaliseId).filter((s) => s.length > 0);
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return v.map(text).join(' ').trim();
  if (v && typeof v === 'object' && 'value' in v) return text((v as { value: unknown }).value);
  return '';
}
