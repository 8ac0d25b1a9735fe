import { randomBytes } from 'node:crypto';
import type { InstallationSecrets } from '../security/installation-secrets';
import type { Outcome } from './workflow-graph';

const SECRET = 'approval-links';

export interface LinkClaims {
  tenant: string;
  task: string;
  /** The assignee the link was sent to: the link acts as them. */
  user: string;
  decision: Outcome;
  /** Expiry, epoch milliseconds. */
  exp: number;
  /** Token id: spent on first use. */
  jti: string;
}

/** `<payload>.<hmac>` in base64url; the HMAC key is an installation secret shared by all processes. */
export async function signLink(secrets: InstallationSecrets, claims: Omit<LinkClaims, 'jti'>): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomBytes(12).toString('base64url') })).toString(
    'base64url',
  );
  return `${payload}.${await secrets.sign(SECRET, payload)}`;
}

/** The claims of an authentic, unexpired token, or undefined (tampered, malformed, expired). */
export async function verifyLink(
  secrets: InstallationSecrets,
  token: string,
  now: Date,
): Promise<LinkClaims | undefined> {
  if (token.length > 2000) return undefined;
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  if (!(await secrets.verify(SECRET, payload, sig))) return undefined;
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return undefined;
  }
  if (typeof claims.exp !== 'number' || claims.exp <= now.getTime()) return undefined;
  if (claims.decision !== 'approved' && claims.decision !== 'rejected') return undefined;
  return claims;
}
