import { createHash, randomBytes } from 'node:crypto';
import { isTenantId } from '../model/naming';

/**
 * A session token is `<tenant>.<32 random bytes, base64url>`. The tenant prefix tells which schema
 * holds the session; only the SHA-256 of the whole token is stored, so a database leak yields no
 * usable token.
 */
export function newSessionToken(tenant: string): string {
  return `${tenant}.${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function tenantOfToken(token: string): string | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 200) return null;
  const tenant = token.slice(0, dot);
  return isTenantId(tenant) ? tenant : null;
}
