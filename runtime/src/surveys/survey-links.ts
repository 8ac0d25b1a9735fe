import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isTenantId } from '../model/naming';
import type { InstallationSecrets } from '../security/installation-secrets';

export const SURVEY_LINK_SECRET = 'survey-links';
/** 128 bits of HMAC-SHA256 (RFC 2104 truncation), as approval links: short enough for a URL path. */
const SIG_CHARS = 22;
const BODY_BYTES = 28;
const UUID_HEX = /^[0-9a-f]{32}$/;

export interface SurveyLinkClaims {
  tenant: string;
  /** The `_survey_invitations` row: the link is spent by answering it once. */
  invitation: string;
  /** Expiry, epoch milliseconds (second precision). */
  exp: number;
}

/**
 * `<tenant>.<body>.<mac>`: body = invitation uuid (16 bytes), expiry in seconds (4) and 8 random
 * bytes (so two links of one invitation never look alike), base64url; the MAC key is an
 * installation secret of its own, so a survey link can never pass for an approval link or back.
 */
export async function signSurveyLink(secrets: InstallationSecrets, claims: SurveyLinkClaims): Promise<string> {
  const body = Buffer.alloc(BODY_BYTES);
  Buffer.from(claims.invitation.replaceAll('-', ''), 'hex').copy(body, 0);
  body.writeUInt32BE(Math.floor(claims.exp / 1000), 16);
  randomBytes(8).copy(body, 20);
  const signed = `${claims.tenant}.${body.toString('base64url')}`;
  return `${signed}.${(await secrets.sign(SURVEY_LINK_SECRET, signed)).slice(0, SIG_CHARS)}`;
}

export type LinkCheck = { ok: true; claims: SurveyLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * The claims of an authentic token, or why not. An expired link is told apart from a forged one
 * (the page can say "this link has expired") only once its signature holds.
 */
export async function verifySurveyLink(secrets: InstallationSecrets, token: string, now: Date): Promise<LinkCheck> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'invalid' };
  const [tenant, encoded, mac] = parts as [string, string, string];
  if (!isTenantId(tenant) || mac.length !== SIG_CHARS) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from((await secrets.sign(SURVEY_LINK_SECRET, `${tenant}.${encoded}`)).slice(0, SIG_CHARS));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const body = Buffer.from(encoded, 'base64url');
  if (body.length !== BODY_BYTES) return { ok: false, reason: 'invalid' };
  const hex = body.subarray(0, 16).toString('hex');
  if (!UUID_HEX.test(hex)) return { ok: false, reason: 'invalid' };
  const exp = body.readUInt32BE(16) * 1000;
  if (exp <= now.getTime()) return { ok: false, reason: 'expired' };
  const invitation = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { ok: true, claims: { tenant, invitation, exp } };
}
