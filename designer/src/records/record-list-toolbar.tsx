import { Filter, Plus, Trash2, Upload } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ObjectSchema } from '../meta/meta-types';
import { Button } from '../ui';
import { MailMergeListButton } from '../documents/mail-merge-dialog';
import { ExportMenu } from './export-menu';
import type { ApiFilter } from './filter-model';
import { RecordListSearch } from './record-list-search';
import { RecordListTypeSwitch } from './record-list-type-switch';
import { RecordListViewsMenu } from './record-list-views-menu';
import type { useListState } from './use-list-state';

interface ToolbarProps {
  object: string;
  schema: ObjectSchema;
  label: string;
  lang: string;
  ls: ReturnType<typeof useListState>;
  search: string;
  onSearch: (text: string) => void;
  filtersOpen: boolean;
  onToggleFilters: () => void;
  onSaveView: () => void;
  /** The list's whole filter (view and user's), for the export. */
  filter: ApiFilter | undefined;
}

/** Above a list: quick search, views, filters, the view type, then import, export, bin and new. */
export function RecordListToolbar(p: ToolbarProps) {
  const { t } = useTranslation();
  const { object, ls } = p;
  const activeFilters = ls.url.filters.length;
  return (
    <div className="f-list__toolbar">
      <RecordListSearch label={p.label} value={p.search} onChange={p.onSearch} />
      <RecordListViewsMenu ls={ls} onSave={p.onSaveView} />
      <Button
        icon={<Filter size={16} aria-hidden="true" />}
        aria-expanded={p.filtersOpen}
        onClick={p.onToggleFilters}
        variant={activeFilters ? 'primary' : 'secondary'}
      >
        {activeFilters ? t('list.filtersCount', { count: activeFilters }) : t('list.filters')}
      </Button>
      <RecordListTypeSwitch ls={ls} schema={p.schema} lang={p.lang} />
      <span className="f-list__spacer" />
      <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}/import`}>
        <Upload size={16} aria-hidden="true" />
        <span className="f-btn__label">{t('list.import')}</span>
      </Link>
      <ExportMenu object={object} filter={p.filter} sort={ls.sort} />
      <MailMergeListButton object={object} schema={p.schema} filter={p.filter} lang={p.lang} />
      <Link className="f-btn f-btn--ghost f-btn--md" to={`/o/${object}/bin`}>
        <Trash2 size={16} aria-hidden="true" />
        <span className="f-btn__label">{t('webApp.bin')}</span>
      </Link>
      <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}/new`}>
        <Plus size={16} aria-hidden="true" />
        <span className="f-btn__label">{t('list.newRecord')}</span>
      </Link>
    </div>
  );
}
