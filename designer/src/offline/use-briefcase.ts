import { liveQuery } from 'dexie';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { type BriefcaseRecord, briefcaseDb, type OutboxItem, readState } from './briefcase-db';
import { isOnline, subscribeNetwork } from './network-state';

export interface BriefcaseView {
  records: BriefcaseRecord[];
  outbox: OutboxItem[];
  lastSync: string | undefined;
  lastRefresh: string | undefined;
}

/** The briefcase as it is now, re-read whenever IndexedDB changes (another tab, a sync). */
export function useBriefcase(): BriefcaseView | undefined {
  const [view, setView] = useState<BriefcaseView>();
  useEffect(() => {
    const sub = liveQuery(async () => {
      const d = briefcaseDb();
      const [records, outbox, lastSync, lastRefresh] = await Promise.all([
        d.records.toArray(),
        d.outbox.orderBy('seq').toArray(),
        readState<string>('lastSync'),
        readState<string>('lastRefresh'),
      ]);
      return { records, outbox, lastSync, lastRefresh };
    }).subscribe({
      next: setView,
      error: () => setView({ records: [], outbox: [], lastSync: undefined, lastRefresh: undefined }),
    });
    return () => sub.unsubscribe();
  }, []);
  return view;
}

/** Whether the server answers (network-state.ts), re-rendering when that changes. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribeNetwork, isOnline, () => true);
}
