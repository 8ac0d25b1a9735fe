import { Download, FileSpreadsheet, Filter, MoreHorizontal, Plus, Save, Trash2, Upload } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { ObjectSchema } from '../meta/meta-types';
import { BottomSheet, Button, IconButton, Menu, MenuItem, MenuSeparator } from '../ui';
import { useExportDownload } from './export-menu';
import { FilterBuilder } from './filter-builder';
import type { ApiFilter, FilterRow } from './filter-model';
import type { ListView } from './list-view';
import { RecordListSearch } from './record-list-search';
import { RecordListTypeSwitch } from './record-list-type-switch';
import type { useListState } from './use-list-state';

interface PhoneToolbarProps {
  object: string;
  schema: ObjectSchema;
  label: string;
  lang: string;
  ls: ReturnType<typeof useListState>;
  search: string;
  onSearch: (text: string) => void;
  sheetOpen: boolean;
  onSheetOpen: (open: boolean) => void;
  onSaveView: () => void;
  onApplyFilters: (rows: FilterRow[]) => void;
  filter: ApiFilter | undefined;
}

/**
 * A list's controls on a phone: search across the width; views, view type and filters together in a
 * bottom sheet; import, export, the recycle bin and "save view" in a "more" menu, so the one action
 * a rep needs on the road, New, stays a full-size button.
 */
export function RecordListPhoneToolbar(p: PhoneToolbarProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { object, ls } = p;
  const activeFilters = ls.url.filters.length;
  const exporter = useExportDownload(object, p.filter, ls.sort);
  // The device's saved views are picked as the first shared view under their own key, as the desktop's menu does.
  const views: ListView[] = [
    ...ls.metaViews,
    ...ls.saved.map((s) => ({ ...ls.metaViews[0]!, key: `saved:${s.id}`, label: s.label })),
  ];
  return (
    <div className="f-list__toolbar">
      <RecordListSearch label={p.label} value={p.search} onChange={p.onSearch} />
      <div className="f-list__phone-bar">
        <Button
          icon={<Filter size={16} aria-hidden="true" />}
          variant={activeFilters ? 'primary' : 'secondary'}
          aria-haspopup="dialog"
          onClick={() => p.onSheetOpen(true)}
        >
          {activeFilters ? t('mobile.filtersAndViewsCount', { count: activeFilters }) : t('mobile.filtersAndViews')}
        </Button>
        <Menu
          label={t('mobile.moreActions')}
          trigger={
            <IconButton
              variant="secondary"
              label={t('mobile.moreActions')}
              icon={<MoreHorizontal size={20} aria-hidden="true" />}
              aria-busy={exporter.busy || undefined}
            />
          }
        >
          <MenuItem icon={<Upload size={16} aria-hidden="true" />} onSelect={() => navigate(`/o/${object}/import`)}>
            {t('list.import')}
          </MenuItem>
          <MenuItem icon={<Download size={16} aria-hidden="true" />} onSelect={() => void exporter.download('csv')}>
            {t('mobile.exportCsv')}
          </MenuItem>
          <MenuItem
            icon={<FileSpreadsheet size={16} aria-hidden="true" />}
            onSelect={() => void exporter.download('xlsx')}
          >
            {t('mobile.exportXlsx')}
          </MenuItem>
          <MenuItem icon={<Trash2 size={16} aria-hidden="true" />} onSelect={() => navigate(`/o/${object}/bin`)}>
            {t('webApp.bin')}
          </MenuItem>
          <MenuSeparator />
          <MenuItem icon={<Save size={16} aria-hidden="true" />} onSelect={p.onSaveView}>
            {t('list.saveView')}
          </MenuItem>
        </Menu>
        <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}/new`}>
          <Plus size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('list.newRecord')}</span>
        </Link>
      </div>
      <BottomSheet
        open={p.sheetOpen}
        onOpenChange={p.onSheetOpen}
        title={t('mobile.filtersAndViews')}
        closeLabel={t('common.close')}
      >
        <section className="f-sheet__section">
          <h3>{t('mobile.views')}</h3>
          <div className="f-sheet__choices">
            {views.map((v) => (
              <Button
                key={v.key}
                variant={ls.view.key === v.key ? 'primary' : 'secondary'}
                aria-pressed={ls.view.key === v.key}
                onClick={() => {
                  ls.pickView(v);
                  p.onSheetOpen(false);
                }}
              >
                {v.label}
              </Button>
            ))}
          </div>
        </section>
        <section className="f-sheet__section">
          <h3>{t('mobile.showAs')}</h3>
          <div className="f-sheet__choices">
            <RecordListTypeSwitch ls={ls} schema={p.schema} lang={p.lang} />
          </div>
        </section>
        <section className="f-sheet__section">
          <h3>{t('mobile.filters')}</h3>
          <FilterBuilder
            key={`${ls.view.key}:${JSON.stringify(ls.url.filters)}`}
            schema={p.schema}
            fields={Object.keys(p.schema.properties ?? {})}
            lang={p.lang}
            initial={ls.url.filters}
            onApply={(rows) => {
              p.onApplyFilters(rows);
              p.onSheetOpen(false);
            }}
          />
        </section>
      </BottomSheet>
    </div>
  );
}
