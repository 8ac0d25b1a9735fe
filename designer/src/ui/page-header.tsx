import type { ReactNode } from 'react';
import './page-header.css';

export function PageHeader({
  title,
  subtitle,
  actions,
  icon,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <header className="f-page-header">
      {icon && <div className="f-page-header__icon">{icon}</div>}
      <div className="f-page-header__text">
        <h1>{title}</h1>
        {subtitle && <p className="f-page-header__subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="f-page-header__actions">{actions}</div>}
    </header>
  );
}

/** The padded, width-limited column every page sits in. */
export function Page({ children, wide }: { children: ReactNode; wide?: boolean }) {
  return <div className={wide ? 'f-page f-page--wide' : 'f-page'}>{children}</div>;
}
