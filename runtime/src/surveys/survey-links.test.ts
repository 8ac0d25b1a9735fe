import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InstallationSecrets } from '../security/installation-secrets';
import { signSurveyLink, verifySurveyLink } from './survey-links';

// The installation secret as a fixed key: what matters here is the token's shape and checks.
const secrets = {
  sign: async (name: string, data: string) => createHmac('sha256', `key:${name}`).update(data).digest('base64url'),
} as unknown as InstallationSecrets;
const other = {
  sign: async (_name: string, data: string) => createHmac('sha256', 'approval-links').update(data).digest('base64url'),
} as unknown as InstallationSecrets;

const now = new Date('2026-12-07T08:00:00Z');
const invitation = '0b9f4c3e-8d2a-4f7b-9c1e-2a3b4c5d6e7f';
const claims = { tenant: 'acme', invitation, exp: now.getTime() + 3_600_000 };

describe('survey links', () => {
  it('verifies what it signed, and two links of one invitation differ', async () => {
    const a = await signSurveyLink(secrets, claims);
    const b = await signSurveyLink(secrets, claims);
    expect(a).not.toBe(b);
    expect(await verifySurveyLink(secrets, a, now)).toEqual({ ok: true, claims });
    expect(a.startsWith('acme.')).toBe(true);
  });

  it('refuses a tampered, truncated, re-tenanted or foreign-key token as invalid', async () => {
    const token = await signSurveyLink(secrets, claims);
    const [tenant, body, mac] = token.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const bad of [
      `${tenant}.${body}.${flip(mac, 0)}`,
      `${tenant}.${flip(body, 5)}.${mac}`,
      `other.${body}.${mac}`,
      `${tenant}.${body}`,
      `${tenant}.${body}.${mac}.x`,
      '',
      'Acme.x.y',
    ])
      expect(await verifySurveyLink(secrets, bad, now), bad).toEqual({ ok: false, reason: 'invalid' });
    // Signed with another secret (an approval link's): never a survey link.
    expect(await verifySurveyLink(other, token, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('tells an expired link apart only once its signature holds', async () => {
    const token = await signSurveyLink(secrets, { ...claims, exp: now.getTime() - 1000 });
    expect(await verifySurveyLink(secrets, token, now)).toEqual({ ok: false, reason: 'expired' });
    expect(await verifySurveyLink(other, token, now)).toEqual({ ok: false, reason: 'invalid' });
  });
});
