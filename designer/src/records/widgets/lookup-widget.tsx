import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WidgetProps } from '@rjsf/utils';
import { X } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { objectLabel } from '../../i18n/pick-label';
import { useLocale } from '../../i18n/use-locale';
import { useAppMeta } from '../../meta/use-app-meta';
import { useSession } from '../../session/session-context';
import { IconButton, Spinner } from '../../ui';
import { labelFieldOf } from '../field-kind';
import { resolveLookupFilter } from '../lookup-filter';
import { type LookupOption, lookupSource } from './lookup-source';
import './lookup-widget.css';

/**
 * A lookup picker: a combobox that searches the referenced object (`q`) as the user types and
 * stores the chosen record's id. Arrow keys move, Enter picks, Escape closes.
 */
export function LookupWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, readonly, disabled, options, label, required, rawErrors } = props;
  const ref = String(options.ref ?? '');
  const { t } = useTranslation();
  const { locale } = useLocale();
  const api = useApi();
  const { tenant } = useSession();
  const meta = useAppMeta();
  const target = meta.data?.objects[ref];
  const source = lookupSource(api, ref, labelFieldOf(target));
  const targetLabel = ref === 'user' ? label : objectLabel(ref, target, locale);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [term, setTerm] = useState('');
  const listId = useId();

  useEffect(() => {
    const h = setTimeout(() => setTerm(text), 250);
    return () => clearTimeout(h);
  }, [text]);

  const current = useQuery({
    queryKey: ['lookup', tenant, ref, 'one', value],
    queryFn: ({ signal }) => source.one(String(value), signal),
    enabled: typeof value === 'string' && value !== '',
    staleTime: 60_000,
  });
  // The form's values (RecordFormView's formContext) narrow the choices when the field declares x-lookup-filter.
  const formData = (props.registry?.formContext as { data?: Record<string, unknown> } | undefined)?.data;
  const filter = resolveLookupFilter(options.filter, formData);
  const search = useQuery({
    queryKey: ['lookup', tenant, ref, 'search', term, filter],
    queryFn: ({ signal }) => source.search(term, signal, filter),
    enabled: open && !readonly && !disabled,
    staleTime: 10_000,
  });
  const found: LookupOption[] = search.data ?? [];
  // Results shrink as the user types: the highlight never points past the end.
  const highlighted = Math.min(active, Math.max(found.length - 1, 0));
  // Enter pressed before the results for the typed text arrived: pick once they do.
  const [pickWhenReady, setPickWhenReady] = useState(false);
  const settled = term === text && search.isSuccess && !search.isFetching;

  const pick = (o: LookupOption | undefined) => {
    if (!o) return;
    onChange(o.id);
    setText('');
    setOpen(false);
    setPickWhenReady(false);
  };

  useEffect(() => {
    if (!pickWhenReady || !settled) return;
    setPickWhenReady(false);
    if (found[0]) pick(found[0]);
  });

  // New results for a new search start with their first option highlighted.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the term is the trigger, not a value read
  useEffect(() => setActive(0), [term]);

  useEffect(() => {
    if (open) document.getElementById(`${listId}-${highlighted}`)?.scrollIntoView({ block: 'nearest' });
  }, [open, highlighted, listId]);

  const shown = typeof value === 'string' && value ? (current.data?.label ?? (current.isPending ? '…' : value)) : '';
  if (readonly || disabled) {
    return (
      <div className="f-lookup f-lookup--readonly">
        <input id={id} className="f-input__control" value={shown} readOnly aria-readonly="true" />
      </div>
    );
  }
  const invalid = (rawErrors?.length ?? 0) > 0;
  return (
    <div className="f-lookup">
      <div className="f-input f-input--with-end">
        <input
          id={id}
          className="f-input__control"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-required={required || undefined}
          aria-invalid={invalid || undefined}
          aria-activedescendant={open && found[highlighted] ? `${listId}-${highlighted}` : undefined}
          placeholder={shown || t('record.lookupSearch', { label: targetLabel })}
          value={open ? text : shown}
          onFocus={() => {
            setOpen(true);
            setActive(0);
          }}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(0);
            setPickWhenReady(false);
          }}
          onBlur={() => {
            // Let a click on an option land before the list disappears.
            setTimeout(() => setOpen(false), 150);
            onBlur(id, value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive(Math.min(highlighted + 1, Math.max(found.length - 1, 0)));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive(Math.max(highlighted - 1, 0));
            } else if (e.key === 'Enter' && open) {
              e.preventDefault();
              if (settled) pick(found[highlighted]);
              else {
                // Skip the typing pause: search now and take the best match.
                setTerm(text);
                setPickWhenReady(true);
              }
            } else if (e.key === 'Escape' && open) {
              e.preventDefault();
              setOpen(false);
            }
          }}
        />
        <div className="f-input__end">
          {search.isFetching && open ? (
            <Spinner size={14} />
          ) : value ? (
            <IconButton
              label={t('record.lookupClear')}
              icon={<X size={14} aria-hidden="true" />}
              onClick={() => onChange(undefined)}
            />
          ) : null}
        </div>
      </div>
      {open && (
        <div
          id={listId}
          role="listbox"
          className="f-lookup__list"
          aria-label={targetLabel}
          // Still typing or searching: what is listed is not yet the answer to the text shown.
          aria-busy={!settled}
        >
          {search.isError && (
            <div className="f-lookup__note">{t('record.lookupFailed', { message: search.error.message })}</div>
          )}
          {!search.isError && !search.isPending && found.length === 0 && (
            <div className="f-lookup__note">{t('record.lookupNone')}</div>
          )}
          {found.map((o, i) => (
            <div
              key={o.id}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === highlighted}
              className="f-lookup__option"
              onMouseDown={(e) => {
                e.preventDefault();
                pick(o);
              }}
            >
              {o.label}
              {o.hint && <span className="f-lookup__hint">{o.hint}</span>}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
