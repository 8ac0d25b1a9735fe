import { cx } from './cx';
import './spinner.css';

/** Decorative by default; pass `label` when the spinner is the only sign of progress. */
export function Spinner({ size = 16, label, className }: { size?: number; label?: string; className?: string }) {
  return (
    <span
      className={cx('f-spinner', className)}
      style={{ width: size, height: size }}
      {...(label ? { role: 'status', 'aria-label': label } : { 'aria-hidden': true })}
    />
  );
}
