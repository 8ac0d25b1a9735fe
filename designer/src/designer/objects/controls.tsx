import { type ReactNode, useId } from 'react';
import { cx } from '../../ui';

/** Small labelled controls for the property panels; inputs share TextField's look (f-input__control). */
export function SelectField({
  label,
  value,
  onChange,
  options,
  hint,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="f-field">
      <label className="f-field__label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="f-input__control f-od-select"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="f-field__hint">
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckField({
  label,
  checked,
  onChange,
  hint,
  disabled,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className={cx('f-od-check', disabled && 'f-od-check--disabled')}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint && (
          <p id={`${id}-hint`} className="f-field__hint">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

export function TextAreaField({
  label,
  value,
  onChange,
  hint,
  error,
  rows = 3,
  mono,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
  rows?: number;
  mono?: boolean;
  placeholder?: string;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cx('f-field', error && 'f-field--invalid')}>
      <label className="f-field__label" htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        className={cx('f-input__control', 'f-od-textarea', mono && 'f-od-mono')}
        rows={rows}
        value={value}
        placeholder={placeholder}
        spellCheck={!mono}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <p id={`${id}-err`} className="f-field__error">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="f-field__hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A number input that reports `undefined` for empty (the keyword is then removed). */
export function parseNumber(raw: string): number | undefined {
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
