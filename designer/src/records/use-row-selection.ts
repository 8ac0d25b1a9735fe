import { useEffect, useState } from 'react';

/** The rows ticked in a list; another object or view (another `resetKey`) clears them. */
export function useRowSelection(resetKey: string) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // biome-ignore lint/correctness/useExhaustiveDependencies: resetting on these changes is the point
  useEffect(() => setSelected(new Set()), [resetKey]);
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return { selected, setSelected, toggle, clear: () => setSelected(new Set()) };
}
