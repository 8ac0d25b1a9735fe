import { Search } from 'lucide-react';
import { useTranslation } from 'react-i18next';

/** The list's quick search box: the same on the desktop toolbar and the phone's. */
export function RecordListSearch({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="f-list__search">
      <Search size={16} aria-hidden="true" className="f-list__search-icon" />
      <input
        type="search"
        className="f-input__control"
        placeholder={t('list.searchPlaceholder')}
        aria-label={t('list.search', { label })}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
