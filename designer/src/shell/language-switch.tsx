import { useTranslation } from 'react-i18next';
import { ChevronDown, Languages } from 'lucide-react';
import { LOCALES, type Locale } from '../i18n/locale-preference';
import { useLocale } from '../i18n/use-locale';
import { Menu, MenuLabel, MenuRadioGroup } from '../ui';

const SHORT: Record<Locale, string> = { en: 'EN', 'zh-CN': '中文' };
const LANG_ATTR: Record<Locale, string> = { en: 'en', 'zh-CN': 'zh-CN' };

/** Language menu; each language is named in itself so anyone can find their own. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { locale, setLocale } = useLocale();
  return (
    <Menu
      label={t('shell.language')}
      trigger={
        <button
          type="button"
          className="f-btn f-btn--ghost f-btn--sm f-lang-switch"
          aria-label={`${t('shell.language')}: ${t(`language.${locale}`)}`}
          data-testid="language-switch"
        >
          <Languages size={16} aria-hidden="true" />
          <span>{SHORT[locale]}</span>
          <ChevronDown size={14} aria-hidden="true" />
        </button>
      }
    >
      <MenuLabel>{t('shell.language')}</MenuLabel>
      <MenuRadioGroup
        value={locale}
        onChange={setLocale}
        options={LOCALES.map((l) => ({ value: l, label: t(`language.${l}`), lang: LANG_ATTR[l] }))}
      />
    </Menu>
  );
}
