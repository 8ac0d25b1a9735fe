import { createHash, randomBytes } from 'node:crypto';
import { isTenantId } from '../model/naming';

/**
 * An API key is `fk_<tenant>~<32 random bytes, base64url>`. `~` appears neither in tenant ids nor
 * in base64url, so a key can never be read as a session token (`<tenant>.<random>`) and the tenant
 * holding it is known without a lookup. Only its SHA-256 is stored: 256 random bits need no slow hash.
 */
export const API_KEY_PREFIX = 'fk_';

export function newApiKey(tenant: string): string {
  return `${API_KEY_PREFIX}${tenant}~${randomBytes(32).toString('base64url')}`;
}

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX) && token.includes('~');
}

export function tenantOfApiKey(token: string): string | null {
  if (!isApiKey(token) || token.length > 200) return null;
  const tenant = token.slice(API_KEY_PREFIX.length, token.indexOf('~'));
  return isTenantId(tenant) ? tenant : null;
}

export function hashApiKey(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** What a list shows to tell keys apart: the tenant part and the first four random characters. */
export function apiKeyPrefix(token: string): string {
  return token.slice(0, token.indexOf('~') + 5);
}
