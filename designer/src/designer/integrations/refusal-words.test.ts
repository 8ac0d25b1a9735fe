import { resolveDestination } from '@forma/runtime';
import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { refusalInWords } from './refusal-words';

/** Echoes the key and its values, so the test sees which sentence was picked and with what. */
const t = ((key: string, values?: Record<string, string>) => `${key} ${JSON.stringify(values ?? {})}`) as TFunction;

async function refusalOf(url: string, address?: string): Promise<string> {
  const resolver = async () => (address ? [{ address, family: 4 }] : []);
  const e = await resolveDestination(url, { resolver }).catch((err: Error) => err);
  if (!(e instanceof Error)) throw new Error(`${url} was not refused`);
  return e.message;
}

// The server's own sentences (runtime/src/webhooks/ssrf-guard.ts), so a change of its wording shows here.
describe('refusalInWords', () => {
  it('puts a private destination in the user’s words, naming host and address', async () => {
    const message = await refusalOf('http://intranet.test/hook', '10.20.30.40');
    expect(refusalInWords(t, message)).toBe('integrations.urlPrivate {"host":"intranet.test","address":"10.20.30.40"}');
  });

  it('puts an unknown host in the user’s words', async () => {
    const message = await refusalOf('http://nowhere.test/hook');
    expect(refusalInWords(t, message)).toBe('integrations.urlUnresolved {"host":"nowhere.test"}');
  });

  it('shows any other refusal as the server sent it', () => {
    expect(refusalInWords(t, 'Only http and https URLs')).toBe(
      'integrations.serverRefused {"message":"Only http and https URLs"}',
    );
  });
});
