import type { ReactNode } from 'react';
import { AlertTriangle } from 'lucide-react';
import { cx } from './cx';
import { Spinner } from './spinner';
import './states.css';

interface StateProps {
  title: string;
  /** Renders the title as a heading when the state is the whole page (h1) or a section (h2). */
  headingLevel?: 1 | 2 | 3;
  body?: ReactNode;
  icon?: ReactNode;
  action?: ReactNode;
  compact?: boolean;
  className?: string;
}

/** "Nothing here yet", always with a hint of what to do next. */
function StateTitle({ title, level }: { title: string; level: StateProps['headingLevel'] }) {
  const Tag = level ? (`h${level}` as const) : 'p';
  return <Tag className="f-state__title">{title}</Tag>;
}

export function EmptyState({ title, headingLevel, body, icon, action, compact, className }: StateProps) {
  return (
    <div className={cx('f-state', compact && 'f-state--compact', className)}>
      {icon && <div className="f-state__icon">{icon}</div>}
      <StateTitle title={title} level={headingLevel} />
      {body && <p className="f-state__body">{body}</p>}
      {action && <div className="f-state__action">{action}</div>}
    </div>
  );
}

export function LoadingState({ label, compact }: { label: string; compact?: boolean }) {
  return (
    <div className={cx('f-state', 'f-state--loading', compact && 'f-state--compact')} role="status" aria-live="polite">
      <Spinner size={20} />
      <p className="f-state__body">{label}</p>
    </div>
  );
}

/** A failure the user can act on: says what failed and offers a retry when one makes sense. */
export function ErrorState({ title, headingLevel, body, action, compact, className }: Omit<StateProps, 'icon'>) {
  return (
    <div className={cx('f-state', 'f-state--error', compact && 'f-state--compact', className)} role="alert">
      <div className="f-state__icon">
        <AlertTriangle size={22} aria-hidden="true" />
      </div>
      <StateTitle title={title} level={headingLevel} />
      {body && <p className="f-state__body">{body}</p>}
      {action && <div className="f-state__action">{action}</div>}
    </div>
  );
}
