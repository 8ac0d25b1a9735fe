import type { ReportNarrowing } from './reports-api';

/**
 * A dashboard's filters, chosen by the viewer above the widgets and kept in the page's address
 * (`?period=this_month&owner=me&pick=deal.stage&value=won`, or `period=custom&from=…&to=…`; owner
 * `me`, `team` or a user's id), so a
 * filtered dashboard can be reloaded, bookmarked and shared. Each widget's run is narrowed by them
 * (`POST /api/reports/:name/run` with `filter` and `period`): the date range on the report's date
 * field, the owner on every report, the picklist only on reports of that picklist's object.
 */
export type PeriodPreset = '' | 'this_month' | 'last_month' | 'this_quarter' | 'this_year' | 'last_30_days' | 'custom';
export const PERIOD_PRESETS: PeriodPreset[] = [
  '',
  'this_month',
  'last_month',
  'this_quarter',
  'this_year',
  'last_30_days',
  'custom',
];

export interface DashboardFilters {
  period: PeriodPreset;
  /** Custom range, both days included (YYYY-MM-DD). */
  from: string;
  to: string;
  /** '' anyone, 'me' the viewer, 'team' the viewer and everyone under them, else a user's id. */
  owner: string;
  /** A picklist as `<object>.<field>`, and the value chosen. */
  pick: string;
  value: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An owner choice as the address may carry it ('' for anything else). */
export function ownerChoice(raw: string | null): string {
  return raw === 'me' || raw === 'team' || (raw && UUID.test(raw)) ? raw : '';
}

/** The filters in an address's query (anything malformed is ignored, never sent). */
export function filtersFromParams(params: URLSearchParams): DashboardFilters {
  const period = params.get('period') ?? '';
  const pick = params.get('pick') ?? '';
  const [object = '', field = ''] = pick.split('.');
  const okPick = pick.split('.').length === 2 && NAME.test(object) && NAME.test(field);
  const day = (k: string) => {
    const v = params.get(k) ?? '';
    return DAY.test(v) ? v : '';
  };
  return {
    period: (PERIOD_PRESETS as string[]).includes(period) ? (period as PeriodPreset) : '',
    from: day('from'),
    to: day('to'),
    owner: ownerChoice(params.get('owner')),
    pick: okPick ? pick : '',
    value: okPick ? (params.get('value') ?? '').slice(0, 200) : '',
  };
}

/** The address query for the filters, keeping the page's other parameters. */
export function filtersToParams(f: DashboardFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const k of ['period', 'from', 'to', 'owner', 'pick', 'value']) out.delete(k);
  if (f.period) out.set('period', f.period);
  if (f.period === 'custom') {
    if (f.from) out.set('from', f.from);
    if (f.to) out.set('to', f.to);
  }
  if (f.owner) out.set('owner', f.owner);
  if (f.pick) {
    out.set('pick', f.pick);
    if (f.value) out.set('value', f.value);
  }
  return out;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));

/** A preset as the days it covers, counted from `today` (YYYY-MM-DD); both days included. */
export function periodRange(f: DashboardFilters, today: string): { from?: string; to?: string } | undefined {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const month = m - 1;
  switch (f.period) {
    case 'this_month':
      return { from: iso(utc(y, month, 1)), to: iso(utc(y, month + 1, 0)) };
    case 'last_month':
      return { from: iso(utc(y, month - 1, 1)), to: iso(utc(y, month, 0)) };
    case 'this_quarter': {
      const q = Math.floor(month / 3) * 3;
      return { from: iso(utc(y, q, 1)), to: iso(utc(y, q + 3, 0)) };
    }
    case 'this_year':
      return { from: `${y}-01-01`, to: `${y}-12-31` };
    case 'last_30_days':
      return { from: iso(utc(y, month, d - 29)), to: today };
    case 'custom':
      return f.from || f.to ? { ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) } : undefined;
    default:
      return undefined;
  }
}

export interface WidgetNarrowing {
  narrowing: ReportNarrowing;
  /** The picklist is chosen but the widget's report is on another object: it is not narrowed by it. */
  pickNotApplied: boolean;
}

/** What one widget's run is narrowed to, for a report on `object`. */
export function narrowingFor(
  f: DashboardFilters,
  object: string | undefined,
  viewer: string,
  today: string,
): WidgetNarrowing {
  const parts: Record<string, unknown>[] = [];
  // "My team" is resolved by the server from the session (inMyTeam), so it can never name another's team.
  if (f.owner === 'me') parts.push({ owner: { eq: viewer } });
  else if (f.owner === 'team') parts.push({ owner: { inMyTeam: true } });
  else if (f.owner) parts.push({ owner: { eq: f.owner } });
  const [pickObject, pickField] = f.pick.split('.');
  const pickApplies = !!f.pick && !!f.value && pickObject === object && !!pickField;
  if (pickApplies) parts.push({ [pickField as string]: { eq: f.value } });
  const period = periodRange(f, today);
  const filter = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { and: parts };
  return {
    narrowing: { ...(filter ? { filter } : {}), ...(period ? { period } : {}) },
    pickNotApplied: !!f.pick && !!f.value && !pickApplies,
  };
}

/** Whether any filter is set (the bar offers "Clear" then). */
export const anyFilter = (f: DashboardFilters) => !!(f.period || f.owner || (f.pick && f.value));
