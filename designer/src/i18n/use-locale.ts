import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useOptionalSession } from '../session/session-context';
import { type KeyValueStore, type Locale, normalizeLocale, rememberLocale } from './locale-preference';

/** localStorage when the browser allows it (it can throw in privacy modes). */
export function browserStore(): KeyValueStore | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** The current language and a setter that remembers the choice for the signed-in user. */
export function useLocale(): { locale: Locale; setLocale: (l: Locale) => void } {
  const { i18n } = useTranslation();
  const session = useOptionalSession();
  const tenant = session?.tenant;
  const userId = session?.user.id;
  const setLocale = useCallback(
    (l: Locale) => {
      rememberLocale(browserStore(), l, tenant && userId ? { tenant, userId } : undefined);
      void i18n.changeLanguage(l);
    },
    [i18n, tenant, userId],
  );
  return { locale: normalizeLocale(i18n.resolvedLanguage ?? i18n.language) ?? 'en', setLocale };
}
