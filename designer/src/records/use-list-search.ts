import { useEffect, useRef, useState } from 'react';
import type { useListState } from './use-list-state';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/**
 * The quick-search box of a list: what is typed, and the debounced text. Typing writes the address
 * (replacing, not pushing: one Back step per list, not per letter); an address that changes
 * otherwise (Back, a link) puts its search in the box.
 */
export function useListSearch(ls: ReturnType<typeof useListState>) {
  const [search, setSearch] = useState(ls.url.q);
  const q = useDebounced(search, 300);
  const written = useRef(ls.url.q);
  useEffect(() => {
    if (q === written.current) return;
    written.current = q;
    ls.update({ q, pages: 1 }, { replace: true });
  }, [q, ls.update]);
  useEffect(() => {
    if (ls.url.q !== written.current) {
      written.current = ls.url.q;
      setSearch(ls.url.q);
    }
  }, [ls.url.q]);
  return { search, setSearch, q };
}
