import { useState } from 'react';
import { useLocation, useNavigationType, useSearchParams } from 'react-router';
import { type DashboardFilters, filtersFromParams, filtersToParams } from './dashboard-filters';

/**
 * The dashboard's filters, kept in the page's address so reloading or sharing keeps them.
 *
 * The address is a mirror, not the source: the router applies an address change in a transition, so
 * a filter bar reading back from it can lag one edit behind (typing "To" right after "From" would
 * drop "From"). Edits therefore live in component state, written to the address with `replace`;
 * the address wins only when it changes by other means (back/forward, a link, a reload).
 */
export function useDashboardFilters(): [DashboardFilters, (next: DashboardFilters) => void] {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigation = useNavigationType();
  const [filters, setLocal] = useState(() => filtersFromParams(params));
  const [seenKey, setSeenKey] = useState(location.key);
  if (seenKey !== location.key) {
    // Adjusting state while rendering (React's pattern for "state derived from a changed prop").
    setSeenKey(location.key);
    if (navigation !== 'REPLACE') setLocal(filtersFromParams(params));
  }
  const setFilters = (next: DashboardFilters) => {
    setLocal(next);
    setParams(filtersToParams(next, new URLSearchParams(window.location.search)), { replace: true });
  };
  return [filters, setFilters];
}
