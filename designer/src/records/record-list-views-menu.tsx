import { Bookmark, ChevronDown } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button, Menu, MenuItem, MenuLabel, MenuSeparator } from '../ui';
import type { useListState } from './use-list-state';

/** The list's views: the shared ones, the user's own, save the current one, delete an own one. */
export function RecordListViewsMenu({ ls, onSave }: { ls: ReturnType<typeof useListState>; onSave: () => void }) {
  const { t } = useTranslation();
  const { view } = ls;
  // Read in the current language on every render: the label follows a language switch.
  const viewLabel = view.label;
  return (
    <Menu
      align="start"
      label={t('list.viewsMenu')}
      trigger={
        <Button icon={<Bookmark size={16} aria-hidden="true" />} aria-label={`${t('list.views')}: ${viewLabel}`}>
          {viewLabel}
          <ChevronDown size={14} aria-hidden="true" />
        </Button>
      }
    >
      <MenuLabel>{t('list.sharedViews')}</MenuLabel>
      {ls.metaViews.map((v) => (
        <MenuItem key={v.key} onSelect={() => ls.pickView(v)}>
          {v.label}
        </MenuItem>
      ))}
      {ls.saved.length > 0 && (
        <>
          <MenuSeparator />
          <MenuLabel>{t('list.myViews')}</MenuLabel>
          {ls.saved.map((s) => (
            <MenuItem
              key={s.id}
              onSelect={() => ls.pickView({ ...ls.metaViews[0]!, key: `saved:${s.id}`, label: s.label })}
            >
              {s.label}
            </MenuItem>
          ))}
        </>
      )}
      <MenuSeparator />
      <MenuItem onSelect={onSave}>{t('list.saveView')}</MenuItem>
      {view.key.startsWith('saved:') && (
        <MenuItem onSelect={() => ls.removeSaved(view.key.slice('saved:'.length))}>
          {t('list.deleteView', { name: view.label })}
        </MenuItem>
      )}
    </Menu>
  );
}
