import type { WidgetProps } from '@rjsf/utils';
import { pickLabel } from '../../i18n/pick-label';
import { useLocale } from '../../i18n/use-locale';
import type { ScaleSpec } from './scale-widget-spec';
import './scale-widget.css';

/** A row of choices from `min` to `max` (radio buttons: arrow keys move, the value is the number). */
export function ScaleWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, readonly, disabled, options, label, rawErrors } = props;
  const spec = options.scale as ScaleSpec;
  const values = Array.from({ length: spec.max - spec.min + 1 }, (_, i) => spec.min + i);
  const locked = readonly === true || disabled === true;
  const { locale } = useLocale();
  const low = pickLabel(spec, locale, 'low');
  const high = pickLabel(spec, locale, 'high');
  return (
    <div className="f-scale">
      <div
        id={id}
        className="f-scale__choices"
        role="radiogroup"
        aria-label={label}
        aria-invalid={(rawErrors?.length ?? 0) > 0 || undefined}
      >
        {values.map((n) => (
          <label key={n} className={`f-scale__choice${value === n ? ' f-scale__choice--on' : ''}`}>
            <input
              type="radio"
              name={id}
              value={n}
              checked={value === n}
              disabled={locked}
              onChange={() => onChange(n)}
              onBlur={() => onBlur(id, value)}
              onFocus={() => onFocus(id, value)}
            />
            <span>{n}</span>
          </label>
        ))}
      </div>
      {(low || high) && (
        <div className="f-scale__captions" aria-hidden="true">
          <span>{low}</span>
          <span>{high}</span>
        </div>
      )}
    </div>
  );
}
