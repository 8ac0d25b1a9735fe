import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isTenantId } from '../model/naming';
import type { InstallationSecrets } from '../security/installation-secrets';
import type { Outcome } from './workflow-graph';

export const APPROVAL_LINK_SECRET = 'approval-links';
/** 128 bits of HMAC-SHA256 (RFC 2104 truncation) keep links short enough for a URL path segment. */
const SIG_CHARS = 22;
const UUID_HEX = /^[0-9a-f]{32}$/;

export interface LinkClaims {
  tenant: string;
  task: string;
  decision: Outcome;
  /** Expiry, epoch milliseconds (second precision). */
  exp: number;
  /** Token id: spent on first use. */
  jti: string;
}

/**
 * `<tenant>.<body>.<mac>`: body = task uuid (16 bytes), decision (1), expiry in seconds (4) and a
 * random token id (8), base64url; the MAC key is an installation secret shared by all processes.
 * The link acts as the task's assignee: a task delegated or decided since makes it useless.
 */
export async function signLink(secrets: InstallationSecrets, claims: Omit<LinkClaims, 'jti'>): Promise<string> {
  const body = Buffer.alloc(29);
  Buffer.from(claims.task.replaceAll('-', ''), 'hex').copy(body, 0);
  body.writeUInt8(claims.decision === 'approved' ? 1 : 2, 16);
  body.writeUInt32BE(Math.floor(claims.exp / 1000), 17);
  randomBytes(8).copy(body, 21);
  const signed = `${claims.tenant}.${body.toString('base64url')}`;
  return `${signed}.${(await secrets.sign(APPROVAL_LINK_SECRET, signed)).slice(0, SIG_CHARS)}`;
}

/** The claims of an authentic, unexpired token, or undefined (tampered, malformed, expired). */
export async function verifyLink(
  secrets: InstallationSecrets,
  token: string,
  now: Date,
): Promise<LinkClaims | undefined> {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [tenant, encoded, mac] = parts as [string, string, string];
  if (!isTenantId(tenant) || mac.length !== SIG_CHARS) return undefined;
  const expected = Buffer.from((await secrets.sign(APPROVAL_LINK_SECRET, `${tenant}.${encoded}`)).slice(0, SIG_CHARS));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const body = Buffer.from(encoded, 'base64url');
  if (body.length !== 29) return undefined;
  const hex = body.subarray(0, 16).toString('hex');
  const kind = body.readUInt8(16);
  const exp = body.readUInt32BE(17) * 1000;
  if (!UUID_HEX.test(hex) || (kind !== 1 && kind !== 2) || exp <= now.getTime()) return undefined;
  return {
    tenant,
    task: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    decision: kind === 1 ? 'approved' : 'rejected',
    exp,
    jti: body.subarray(21).toString('base64url'),
  };
}
