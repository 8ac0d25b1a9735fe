import { type InputHTMLAttributes, type ReactNode, type Ref, useId } from 'react';
import { cx } from './cx';
import './text-field.css';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'size'> {
  label: string;
  hint?: ReactNode;
  /** Shown under the field and announced; also marks the input invalid. */
  error?: string | undefined;
  /** A control inside the input's right edge (e.g. a show-password toggle). */
  end?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input with hint and error text wired to it for assistive technology. */
export function TextField({ label, hint, error, end, id, className, required, ...rest }: TextFieldProps) {
  const auto = useId();
  const inputId = id ?? `f${auto}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cx('f-field', error && 'f-field--invalid', className)}>
      <label className="f-field__label" htmlFor={inputId}>
        {label}
        {required && (
          <span className="f-field__required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      <div className={cx('f-input', end !== undefined && 'f-input--with-end')}>
        <input
          id={inputId}
          className="f-input__control"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          required={required}
          {...rest}
        />
        {end !== undefined && <div className="f-input__end">{end}</div>}
      </div>
      {error && (
        <p id={errorId} className="f-field__error">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="f-field__hint">
          {hint}
        </p>
      )}
    </div>
  );
}
