import type { TFunction } from 'i18next';

/**
 * The server's refusal of a destination in the user's language where it is one of the SSRF guard's
 * two sentences (runtime/src/webhooks/ssrf-guard.ts); any other message is shown as sent.
 */
export function refusalInWords(t: TFunction, message: string): string {
  const privateAddress = /^The destination (\S+) resolves to (\S+), a private/.exec(message);
  if (privateAddress) return t('integrations.urlPrivate', { host: privateAddress[1]!, address: privateAddress[2]! });
  const unresolved = /^The host (\S+) could not be resolved/.exec(message);
  if (unresolved) return t('integrations.urlUnresolved', { host: unresolved[1]! });
  return t('integrations.serverRefused', { message });
}
