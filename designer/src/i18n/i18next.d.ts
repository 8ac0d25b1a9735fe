import 'i18next';
import type { en } from './locales/en';

// Typed keys: `t('login.title')` is checked against the English resources at compile time.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
