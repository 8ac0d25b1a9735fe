/**
 * Opaque keyset cursors: the sort they belong to and the last row's sort values (as PostgreSQL
 * text, so timestamps keep their microseconds), HMAC-signed with the installation's `cursor`
 * secret so any server process accepts a cursor another one issued and a tampered one is refused.
 */
import { badRequest } from '../errors';

export interface CursorPayload {
  /** Sort signature the cursor was issued for. */
  s: string;
  /** Sort values of the last row, one per key (null for SQL NULL). */
  v: (string | null)[];
}

export interface CursorSigner {
  sign(name: string, data: string): Promise<string>;
  verify(name: string, data: string, signature: string): Promise<boolean>;
}

const MAX_CURSOR = 8192;
export const CURSOR_SECRET = 'cursor';

export async function encodeCursor(secrets: CursorSigner, payload: CursorPayload): Promise<string> {
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${data}.${await secrets.sign(CURSOR_SECRET, data)}`;
}

export async function decodeCursor(secrets: CursorSigner, cursor: string, signature: string): Promise<CursorPayload> {
  const invalid = () => badRequest('cursor is invalid or does not belong to this query');
  if (cursor.length > MAX_CURSOR) throw invalid();
  const dot = cursor.indexOf('.');
  if (dot <= 0) throw invalid();
  const data = cursor.slice(0, dot);
  const sig = cursor.slice(dot + 1);
  if (!(await secrets.verify(CURSOR_SECRET, data, sig))) throw invalid();
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !payload ||
    payload.s !== signature ||
    !Array.isArray(payload.v) ||
    !payload.v.every((x) => x === null || typeof x === 'string')
  )
    throw invalid();
  return payload;
}
