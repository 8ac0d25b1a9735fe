import { Plus } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Badge, Button, cx } from '../../ui';
import type { RoleDefinition } from './role-model';

interface RoleListProps {
  draft: Record<string, RoleDefinition>;
  saved: Record<string, RoleDefinition>;
  /** The roles changed in the draft; `null`: removed. */
  patch: Record<string, unknown>;
  current: string | undefined;
  onSelect: (role: string) => void;
  onNew: () => void;
}

/** The roles to pick from, each marked new or changed, and those the draft removes. */
export function RoleList({ draft, saved, patch, current, onSelect, onNew }: RoleListProps) {
  const { t } = useTranslation();
  const names = Object.keys(draft);
  const changed = Object.keys(patch);
  return (
    <nav className="f-perm-rolelist" aria-label={t('permissions.roles')}>
      <div className="f-perm-rolelist__head">
        <h2>{t('permissions.roles')}</h2>
        <Button size="sm" icon={<Plus size={16} aria-hidden="true" />} onClick={onNew}>
          {t('permissions.newRole')}
        </Button>
      </div>
      <ul>
        {names.map((n) => (
          <li key={n}>
            <button
              type="button"
              className={cx('f-perm-rolelist__item', n === current && 'f-perm-rolelist__item--active')}
              aria-current={n === current ? 'true' : undefined}
              onClick={() => onSelect(n)}
            >
              <span className="f-perm-rolelist__label">{draft[n]?.label || n}</span>
              <span className="f-perm-rolelist__name">{n}</span>
              {n in patch && <Badge tone="warning">{saved[n] ? t('permissions.changed') : t('permissions.new')}</Badge>}
            </button>
          </li>
        ))}
      </ul>
      {changed
        .filter((n) => patch[n] === null)
        .map((n) => (
          <p key={n} className="f-perm-rolelist__removed">
            {t('permissions.removedRole', { name: n })}
          </p>
        ))}
    </nav>
  );
}
