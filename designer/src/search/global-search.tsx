import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Dialog as Radix } from 'radix-ui';
import { Search } from 'lucide-react';
import { useApi } from '../api/api-context';
import { fieldLabel, objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { objectIcon } from '../meta/nav-items';
import { useAppMeta } from '../meta/use-app-meta';
import { useSession } from '../session/session-context';
import { NavIcon } from '../shell/nav-icon';
import { Spinner } from '../ui';
import { flatHits, SEARCH_MIN, searchRecords } from './search-api';
import './global-search.css';

/** Ctrl-K / ⌘-K anywhere opens the palette (also from inside inputs: it is the app's own shortcut). */
function isShortcut(e: globalThis.KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k';
}

/**
 * Global search: a top-bar button and Ctrl/Cmd-K open a keyboard-driven palette over
 * `GET /api/search`. Typing searches after a short pause, ↓/↑ move through the results (grouped by
 * object), Enter opens the highlighted record, Escape closes and gives focus back.
 */
export function GlobalSearch() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!isShortcut(e)) return;
      e.preventDefault();
      setOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Radix.Root open={open} onOpenChange={setOpen}>
      <Radix.Trigger asChild>
        <button
          type="button"
          className="f-gsearch__trigger"
          aria-label={t('globalSearch.title')}
          aria-keyshortcuts="Control+K Meta+K"
        >
          <Search size={16} aria-hidden="true" />
          <span className="f-gsearch__trigger-label">{t('globalSearch.button')}</span>
          <kbd className="f-gsearch__kbd">{mac ? '⌘K' : 'Ctrl K'}</kbd>
        </button>
      </Radix.Trigger>
      <Radix.Portal>
        <Radix.Overlay className="f-dialog__overlay" />
        <Radix.Content className="f-gsearch" aria-describedby={undefined}>
          <Radix.Title className="f-sr-only">{t('globalSearch.title')}</Radix.Title>
          {open && <Palette onClose={() => setOpen(false)} />}
        </Radix.Content>
      </Radix.Portal>
    </Radix.Root>
  );
}

function Palette({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const api = useApi();
  const { tenant } = useSession();
  const meta = useAppMeta();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [typed, setTyped] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const listRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const timer = setTimeout(() => setTyped(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  const enabled = typed.length >= SEARCH_MIN;
  const result = useQuery({
    queryKey: ['search', tenant, typed],
    queryFn: ({ signal }) => searchRecords(api, typed, signal),
    enabled,
    staleTime: 10_000,
  });
  const groups = result.data?.groups ?? [];
  const hits = useMemo(() => flatHits(groups), [groups]);
  // A new answer starts the highlight at the best (first) match again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the answer changes
  useEffect(() => setActive(0), [result.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the highlight moved, the list follows it
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  const objects = meta.data?.objects ?? {};
  const go = (i: number) => {
    const hit = hits[i];
    if (!hit) return;
    onClose();
    navigate(`/o/${hit.object}/${hit.id}`);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (hits.length ? (a + 1) % hits.length : 0));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (hits.length ? (a - 1 + hits.length) % hits.length : 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      go(active);
    }
  };
  const busy = enabled && (result.isFetching || typed !== text.trim());
  let index = -1;
  return (
    <>
      <div className="f-gsearch__bar">
        <Search size={18} aria-hidden="true" />
        <input
          autoFocus
          className="f-gsearch__input"
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-label={t('globalSearch.title')}
          aria-activedescendant={hits.length ? `${listId}-${active}` : undefined}
          placeholder={t('globalSearch.placeholder')}
          value={text}
          maxLength={100}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {busy && <Spinner size={16} label={t('common.loading')} />}
      </div>
      <div
        ref={listRef}
        id={listId}
        role="listbox"
        aria-label={t('globalSearch.results')}
        aria-busy={busy}
        className="f-gsearch__list"
      >
        {groups.map((g) => (
          // biome-ignore lint/a11y/useSemanticElements: a listbox's groups are ARIA groups, not form fieldsets
          <div key={g.object} role="group" aria-label={objectLabel(g.object, objects[g.object], locale)}>
            <div className="f-gsearch__group" aria-hidden="true">
              <NavIcon name={objectIcon(g.object, objects[g.object])} size={14} />
              {objectLabel(g.object, objects[g.object], locale)}
            </div>
            {g.items.map((h) => {
              index += 1;
              const i = index;
              return (
                <div
                  key={h.id}
                  id={`${listId}-${i}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === active}
                  className="f-gsearch__option"
                  onMouseMove={() => setActive(i)}
                  onMouseDown={(e) => {
                    // Keep focus in the input (the palette's keyboard home) while picking with the mouse.
                    e.preventDefault();
                    go(i);
                  }}
                >
                  <span className="f-gsearch__label">{h.label || t('list.untitled')}</span>
                  {h.match && (
                    <span className="f-gsearch__match">
                      {fieldLabel(objects[g.object], h.match.field, locale)}: {h.match.value}
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        ))}
        {!busy && enabled && result.isSuccess && hits.length === 0 && (
          <p className="f-gsearch__empty">{t('globalSearch.none', { text: typed })}</p>
        )}
        {!enabled && <p className="f-gsearch__empty">{t('globalSearch.hint')}</p>}
        {result.isError && <p className="f-gsearch__empty">{result.error.message}</p>}
        {result.data?.partial && <p className="f-gsearch__empty">{t('globalSearch.partial')}</p>}
      </div>
      <footer className="f-gsearch__footer" aria-hidden="true">
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> {t('globalSearch.move')}
        </span>
        <span>
          <kbd>Enter</kbd> {t('globalSearch.open')}
        </span>
        <span>
          <kbd>Esc</kbd> {t('globalSearch.close')}
        </span>
      </footer>
    </>
  );
}
