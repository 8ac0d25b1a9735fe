import type { WidgetProps } from '@rjsf/utils';
import { useLocale } from '../../i18n/use-locale';
import './number-widgets.css';

/** A computed or locked number as people read it: grouped digits, cents for money. */
export function formatLockedNumber(value: unknown, locale: string, money: boolean): string {
  if (value === undefined || value === null || value === '') return '';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat(
    locale,
    money ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : { maximumFractionDigits: 2 },
  ).format(n);
}

/** A number input with a unit beside it (currency symbol or %), keeping the raw number as the value. */
function UnitNumberWidget({
  props,
  unit,
  position,
  step = 'any',
}: {
  props: WidgetProps;
  unit: string;
  position: 'start' | 'end';
  step?: number | 'any';
}) {
  const { id, value, onChange, onBlur, onFocus, readonly, disabled, required, rawErrors, schema } = props;
  const { locale } = useLocale();
  // Nobody types into a locked number: show it formatted rather than as raw digits.
  const locked = readonly === true;
  return (
    <div className={unit ? `f-unit-input f-unit-input--${position}` : 'f-unit-input'}>
      {unit && position === 'start' && (
        <span className="f-unit-input__unit" aria-hidden="true">
          {unit}
        </span>
      )}
      <input
        id={id}
        className="f-input__control"
        type={locked ? 'text' : 'number'}
        inputMode="decimal"
        step={typeof schema.multipleOf === 'number' ? schema.multipleOf : step}
        min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
        max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
        value={locked ? formatLockedNumber(value, locale, step === 0.01) : (value ?? '')}
        readOnly={readonly}
        disabled={disabled}
        required={required}
        aria-invalid={(rawErrors?.length ?? 0) > 0 || undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        onBlur={() => onBlur(id, value)}
        onFocus={() => onFocus(id, value)}
      />
      {unit && position === 'end' && (
        <span className="f-unit-input__unit" aria-hidden="true">
          {unit}
        </span>
      )}
    </div>
  );
}

export function CurrencyWidget(props: WidgetProps) {
  // The tenant's currency is not in the metadata yet: a symbol shows only when the form names one.
  const symbol = typeof props.options.currencySymbol === 'string' ? props.options.currencySymbol : '';
  return <UnitNumberWidget props={props} unit={symbol} position="start" step={0.01} />;
}

export function PercentWidget(props: WidgetProps) {
  return <UnitNumberWidget props={props} unit="%" position="end" />;
}
