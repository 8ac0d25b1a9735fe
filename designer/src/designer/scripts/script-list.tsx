import { Plus } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Badge, Button, EmptyState, cx } from '../../ui';
import { scriptLabel } from './script-label';
import type { ScriptDefinition } from './scripts-api';

interface ScriptListProps {
  names: string[];
  /** Each script as edited (its draft, else as saved). */
  scriptOf: (name: string) => ScriptDefinition | undefined;
  isDirty: (name: string) => boolean;
  /** For the objects' labels (people read "Deal", not `deal`). */
  objects: Record<string, ObjectSchema>;
  lang: string;
  current: string | undefined;
  onSelect: (name: string) => void;
  onNew: () => void;
}

/** The scripts to pick from, marked unpublished or inactive. */
export function ScriptList({ names, scriptOf, isDirty, objects, lang, current, onSelect, onNew }: ScriptListProps) {
  const { t } = useTranslation();
  return (
    <nav className="f-perm-rolelist f-scripts__list" aria-label={t('scriptEditor.scripts')}>
      <div className="f-perm-rolelist__head">
        <h2>{t('scriptEditor.scripts')}</h2>
        <Button size="sm" icon={<Plus size={16} aria-hidden="true" />} onClick={onNew}>
          {t('scriptEditor.newScript')}
        </Button>
      </div>
      {names.length === 0 ? (
        <EmptyState compact title={t('scriptEditor.noScriptsTitle')} body={t('scriptEditor.noScriptsBody')} />
      ) : (
        <ul>
          {names.map((n) => {
            const s = scriptOf(n);
            return (
              <li key={n}>
                <button
                  type="button"
                  className={cx('f-perm-rolelist__item', n === current && 'f-perm-rolelist__item--active')}
                  aria-current={n === current ? 'true' : undefined}
                  onClick={() => onSelect(n)}
                >
                  <span className="f-perm-rolelist__label">{scriptLabel(s, lang, n)}</span>
                  <span className="f-perm-rolelist__name">
                    {s
                      ? `${objectLabel(s.object, objects[s.object], lang)} · ${t(`scriptEditor.event_${s.event}`)}`
                      : n}
                  </span>
                  {isDirty(n) ? (
                    <Badge tone="warning">{t('scriptEditor.unsaved')}</Badge>
                  ) : s?.active === false ? (
                    <Badge>{t('scriptEditor.inactive')}</Badge>
                  ) : null}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
