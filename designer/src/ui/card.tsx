import type { ReactNode } from 'react';
import { cx } from './cx';
import './card.css';

export function Card({
  title,
  actions,
  children,
  className,
  as: Tag = 'section',
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  as?: 'section' | 'div' | 'article';
}) {
  return (
    <Tag className={cx('f-card', className)}>
      {(title || actions) && (
        <header className="f-card__header">
          {title && <h2 className="f-card__title">{title}</h2>}
          {actions}
        </header>
      )}
      <div className="f-card__body">{children}</div>
    </Tag>
  );
}

export function Badge({
  children,
  tone = 'neutral',
}: {
  children: ReactNode;
  tone?: 'neutral' | 'primary' | 'success' | 'warning';
}) {
  return <span className={cx('f-badge', `f-badge--${tone}`)}>{children}</span>;
}
