import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useOptionalSession } from '../session/session-context';
import { resolveLocale } from './locale-preference';
import { browserStore } from './use-locale';

/**
 * Keeps the language in step with who is signed in (each user's remembered choice) and keeps
 * `<html lang>` right, so screen readers and CJK font selection follow the language.
 */
export function LocaleSync() {
  const { i18n } = useTranslation();
  const session = useOptionalSession();
  const tenant = session?.tenant;
  const userId = session?.user.id;
  const profileLocale = session?.user.locale;

  useEffect(() => {
    if (!tenant || !userId) return;
    const wanted = resolveLocale({
      store: browserStore(),
      user: { tenant, userId },
      profileLocale: profileLocale ?? null,
      browserLanguages: navigator.languages,
    });
    if (wanted !== i18n.language) void i18n.changeLanguage(wanted);
  }, [i18n, tenant, userId, profileLocale]);

  useEffect(() => {
    const apply = (lng: string) => {
      document.documentElement.lang = lng;
    };
    apply(i18n.language);
    i18n.on('languageChanged', apply);
    return () => i18n.off('languageChanged', apply);
  }, [i18n]);

  return null;
}
