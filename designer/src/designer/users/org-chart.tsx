import { type DragEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar, cx } from '../../ui';
import type { AdminUser } from './users-api';

/**
 * The manager hierarchy as a tree: drag a person onto another to make that one their manager, or
 * onto the top to give them none. The server refuses cycles; the tree only shows what it said.
 */
export function OrgChart({
  users,
  roleLabel,
  onSetManager,
  onOpen,
}: {
  users: AdminUser[];
  roleLabel: (role: string) => string;
  onSetManager: (user: AdminUser, manager: AdminUser | null) => void;
  onOpen: (user: AdminUser) => void;
}) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const active = users.filter((u) => u.active);
  const ids = new Set(active.map((u) => u.id));
  // A user whose manager is inactive (or unknown) shows at the top, so nobody disappears.
  const roots = active.filter((u) => !u.manager || !ids.has(u.manager));
  const byId = new Map(active.map((u) => [u.id, u]));

  const drop = (e: DragEvent, target: AdminUser | null) => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData('text/plain') || dragging;
    setDragging(null);
    const user = id ? byId.get(id) : undefined;
    if (!user || user.id === target?.id || (user.manager ?? null) === (target?.id ?? null)) return;
    onSetManager(user, target);
  };
  const dropProps = (key: string, target: AdminUser | null) => ({
    onDragOver: (e: DragEvent) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      setOver(key);
    },
    onDragLeave: () => setOver((o) => (o === key ? null : o)),
    onDrop: (e: DragEvent) => drop(e, target),
  });

  const node = (u: AdminUser, seen: Set<string>) => {
    const reports = active.filter((r) => r.manager === u.id && !seen.has(r.id));
    const next = new Set(seen).add(u.id);
    return (
      <li key={u.id} className="f-org__item">
        {/* biome-ignore lint/a11y/useSemanticElements: a drag source and drop target; the dialog's manager picker is the keyboard path. */}
        <div
          className={cx(
            'f-org__node',
            over === u.id && 'f-org__node--over',
            dragging === u.id && 'f-org__node--dragging',
          )}
          role="group"
          draggable
          data-user={u.name}
          aria-label={t('users.orgNode', { name: u.name })}
          onDragStart={(e) => {
            e.dataTransfer.setData('text/plain', u.id);
            e.dataTransfer.effectAllowed = 'move';
            setDragging(u.id);
          }}
          onDragEnd={() => setDragging(null)}
          {...dropProps(u.id, u)}
        >
          <Avatar name={u.name} size={24} />
          <button type="button" className="f-org__name" onClick={() => onOpen(u)}>
            {u.name}
          </button>
          <span className="f-org__roles">{u.roles.map(roleLabel).join(', ')}</span>
        </div>
        {reports.length > 0 && <ul className="f-org__children">{reports.map((r) => node(r, next))}</ul>}
      </li>
    );
  };

  return (
    <section className="f-org" aria-label={t('users.orgChart')}>
      <p className="f-field__hint">{t('users.orgHint')}</p>
      {/* biome-ignore lint/a11y/useSemanticElements: a drop target only; the dialog's manager picker is the keyboard path. */}
      <div
        role="group"
        aria-label={t('users.orgTop')}
        className={cx('f-org__top', over === '__top' && 'f-org__node--over')}
        {...dropProps('__top', null)}
      >
        {t('users.orgTop')}
      </div>
      <ul className="f-org__tree">{roots.map((u) => node(u, new Set()))}</ul>
    </section>
  );
}
