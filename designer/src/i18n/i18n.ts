import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { zhCN } from './locales/zh-cn';
import { LOCALES, type Locale } from './locale-preference';

/** One i18next instance for the app; resources are bundled (two small languages, no extra request). */
export function createI18n(lng: Locale) {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng,
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    // React escapes output already.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
