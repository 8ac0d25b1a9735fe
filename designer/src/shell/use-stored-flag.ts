import { useCallback, useState } from 'react';
import { browserStore } from '../i18n/use-locale';

/** A boolean UI preference kept in localStorage (e.g. a collapsed sidebar); storage failures are ignored. */
export function useStoredFlag(key: string, initial: boolean): [boolean, (v: boolean) => void] {
  const [value, setValue] = useState(() => {
    try {
      const raw = browserStore()?.getItem(key);
      return raw === null || raw === undefined ? initial : raw === '1';
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: boolean) => {
      setValue(v);
      try {
        browserStore()?.setItem(key, v ? '1' : '0');
      } catch {
        // A preference that cannot be stored still applies to this page view.
      }
    },
    [key],
  );
  return [value, set];
}
