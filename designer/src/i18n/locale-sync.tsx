import { useEffect, useRef } from 'react';
import { useApi } from '../api/api-context';
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
  const api = useApi();
  const sent = useRef<string | null | undefined>(undefined);

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

  // The server writes notifications and e-mails in the user's language: tell it the one in use.
  useEffect(() => {
    if (!tenant || !userId) return;
    sent.current = profileLocale ?? null;
    const save = (lng: string) => {
      if (lng === sent.current) return;
      sent.current = lng;
      void api.patch('/api/auth/me', { locale: lng }).catch(() => {
        // A server without the endpoint, or offline: the preference stays in this browser.
        sent.current = undefined;
      });
    };
    save(i18n.language);
    i18n.on('languageChanged', save);
    return () => i18n.off('languageChanged', save);
  }, [api, i18n, tenant, userId, profileLocale]);

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
