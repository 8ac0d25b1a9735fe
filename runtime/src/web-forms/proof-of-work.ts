import { type Challenge, createChallenge, randomInt, type Solution, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { Clock } from '../clock';
import type { WebFormsConfig } from '../config';
import type { RateLimiter } from '../security/rate-limiter';
import type { InstallationSecrets } from '../security/installation-secrets';

const SIGNATURE_SECRET = 'web-forms-pow';
const KEY_SECRET = 'web-forms-pow-key';

export type PowRefusal = 'missing' | 'invalid' | 'expired' | 'other-form' | 'replayed';

/**
 * Self-hosted ALTCHA proof of work (altcha-lib): challenges signed with installation secrets (shared
 * by every server process), bound to one form, spent once (the solved challenge's nonce is kept in
 * the database until it expires, so a replay is refused by any process).
 */
export class ProofOfWork {
  constructor(
    private readonly config: WebFormsConfig,
    private readonly secrets: Pick<InstallationSecrets, 'get'>,
    private readonly limiter: Pick<RateLimiter, 'once'>,
    private readonly clock: Clock,
  ) {}

  private async keys(): Promise<{ hmacSignatureSecret: string; hmacKeySignatureSecret: string }> {
    const [a, b] = await Promise.all([this.secrets.get(SIGNATURE_SECRET), this.secrets.get(KEY_SECRET)]);
    return { hmacSignatureSecret: a.toString('base64'), hmacKeySignatureSecret: b.toString('base64') };
  }

  async challenge(scope: string): Promise<Challenge> {
    const c = this.config;
    return createChallenge({
      algorithm: c.powAlgorithm,
      cost: c.powCost,
      counter: randomInt(c.powCounterMin, c.powCounterMax),
      deriveKey,
      data: { scope },
      expiresAt: new Date(this.clock.now().getTime() + c.challengeTtlSeconds * 1000),
      ...(await this.keys()),
    });
  }

  /** Undefined when `payload` (the widget's base64 JSON) solves a live challenge of `scope` not used before. */
  async verify(payload: unknown, scope: string): Promise<PowRefusal | undefined> {
    if (typeof payload !== 'string' || !payload) return 'missing';
    const parsed = parsePayload(payload);
    if (!parsed) return 'invalid';
    const { challenge, solution } = parsed;
    const expiresAt = challenge.parameters.expiresAt;
    // Checked here too (not only by the library) so a challenge without expiry is never accepted.
    if (typeof expiresAt !== 'number') return 'invalid';
    if (expiresAt * 1000 < this.clock.now().getTime()) return 'expired';
    let result: Awaited<ReturnType<typeof verifySolution>>;
    try {
      result = await verifySolution({ challenge, solution, deriveKey, ...(await this.keys()) });
    } catch {
      return 'invalid';
    }
    if (result.expired) return 'expired';
    if (!result.verified) return 'invalid';
    if (challenge.parameters.data?.scope !== scope) return 'other-form';
    const fresh = await this.limiter.once(`altcha:${challenge.parameters.nonce}`, new Date(expiresAt * 1000));
    return fresh ? undefined : 'replayed';
  }
}

function parsePayload(payload: string): { challenge: Challenge; solution: Solution } | undefined {
  if (payload.length > 8192) return undefined;
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Record<string, unknown>;
    const challenge = value?.challenge as Challenge | undefined;
    const solution = value?.solution as Solution | undefined;
    if (
      !challenge ||
      typeof challenge !== 'object' ||
      !challenge.parameters ||
      typeof challenge.parameters !== 'object'
    )
      return undefined;
    if (!solution || typeof solution !== 'object' || typeof solution.counter !== 'number') return undefined;
    if (typeof challenge.parameters.nonce !== 'string' || typeof challenge.signature !== 'string') return undefined;
    return { challenge, solution };
  } catch {
    return undefined;
  }
}
