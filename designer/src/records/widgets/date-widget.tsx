import type { WidgetProps } from '@rjsf/utils';
import { CalendarDays } from 'lucide-react';
import { Popover } from 'radix-ui';
import { useState } from 'react';
import { DayPicker } from 'react-day-picker';
import { enUS, zhCN } from 'react-day-picker/locale';
import 'react-day-picker/style.css';
import { useTranslation } from 'react-i18next';
import { useLocale } from '../../i18n/use-locale';
import './date-widget.css';

/** `YYYY-MM-DD` ↔ a local Date at noon (no time zone may move it to another day). */
function parseIso(v: unknown): Date | undefined {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
const pad = (n: number) => String(n).padStart(2, '0');
const toIso = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/**
 * A date field whose calendar speaks the app's language, not the browser's (a native
 * `<input type="date">` follows the browser). The text box takes `YYYY-MM-DD`, unambiguous in every
 * language; the button opens react-day-picker (keyboard: arrows, PageUp/Down, Home/End, Enter,
 * Escape) in a Radix popover that returns focus to the button.
 */
export function LocaleDateWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, readonly, disabled, required, rawErrors, label } = props;
  const { t } = useTranslation();
  const { locale } = useLocale();
  const [open, setOpen] = useState(false);
  const selected = parseIso(value);
  const dayLocale = locale === 'zh-CN' ? zhCN : enUS;
  const shown = selected ? new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(selected) : undefined;
  const locked = readonly || disabled;
  return (
    <div className="f-date-input">
      <input
        id={id}
        className="f-input__control"
        type="text"
        inputMode="numeric"
        placeholder={t('datePicker.placeholder')}
        value={typeof value === 'string' ? value : ''}
        readOnly={readonly}
        disabled={disabled}
        required={required}
        aria-invalid={(rawErrors?.length ?? 0) > 0 || undefined}
        aria-describedby={shown ? `${id}__shown` : undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value.trim())}
        onBlur={() => onBlur(id, value)}
        onFocus={() => onFocus(id, value)}
      />
      <Popover.Root open={open} onOpenChange={setOpen}>
        <Popover.Trigger asChild>
          <button
            type="button"
            className="f-date-input__button"
            disabled={locked}
            aria-label={t('datePicker.open', { field: label })}
          >
            <CalendarDays size={16} aria-hidden="true" />
          </button>
        </Popover.Trigger>
        <Popover.Portal>
          <Popover.Content className="f-date-input__popover" align="end" sideOffset={4} lang={locale}>
            <DayPicker
              mode="single"
              locale={dayLocale}
              selected={selected}
              defaultMonth={selected ?? new Date()}
              captionLayout="dropdown"
              startMonth={new Date(1900, 0)}
              endMonth={new Date(2100, 11)}
              autoFocus
              onSelect={(d) => {
                if (d) onChange(toIso(d));
                setOpen(false);
              }}
            />
          </Popover.Content>
        </Popover.Portal>
      </Popover.Root>
      {shown && (
        <span id={`${id}__shown`} className="f-date-input__shown">
          {shown}
        </span>
      )}
    </div>
  );
}
