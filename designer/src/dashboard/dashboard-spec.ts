import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { valueKind } from '../records/field-kind';

/** Which object and fields feed each home chart; found from the metadata, no configuration needed. */
export interface DashboardSpec {
  pipeline?: { object: string; stage: string; amount: string; date?: string | undefined } | undefined;
  receivables?: { object: string; due: string; amount: string } | undefined;
}

const PIPELINE_NAMES = ['deal', 'opportunity', 'deals', 'opportunities'];
const RECEIVABLE_NAMES = ['invoice', 'receivable', 'invoices', 'bill'];

const entries = (s: ObjectSchema) => Object.entries(s.properties ?? {}) as Array<[string, FieldSchema]>;
const readable = (f: FieldSchema) => f['x-access'] !== 'none';

function moneyField(s: ObjectSchema, prefer: string[]): string | undefined {
  const money = entries(s).filter(([, f]) => readable(f) && ['currency', 'number'].includes(valueKind(f)));
  return (
    prefer.map((p) => money.find(([n]) => n === p)?.[0]).find(Boolean) ??
    money.find(([, f]) => valueKind(f) === 'currency')?.[0] ??
    money[0]?.[0]
  );
}

function byPreference(meta: AppMeta, names: string[]): Array<[string, ObjectSchema]> {
  const all = Object.entries(meta.objects);
  const rank = (n: string) => {
    const i = names.indexOf(n);
    return i === -1 ? names.length : i;
  };
  return all.sort((a, b) => rank(a[0]) - rank(b[0]));
}

export function dashboardSpec(meta: AppMeta | null | undefined): DashboardSpec {
  if (!meta) return {};
  let pipeline: DashboardSpec['pipeline'];
  for (const [object, s] of byPreference(meta, PIPELINE_NAMES)) {
    const stage =
      entries(s).find(([n, f]) => n === 'stage' && readable(f) && valueKind(f) === 'select')?.[0] ??
      entries(s).find(([n, f]) => /stage|status/.test(n) && readable(f) && valueKind(f) === 'select')?.[0];
    const amount = moneyField(s, ['amount', 'value', 'total']);
    if (!stage || !amount) continue;
    const date =
      entries(s).find(([n, f]) => /close|expected/.test(n) && readable(f) && valueKind(f) === 'date')?.[0] ??
      entries(s).find(([, f]) => readable(f) && valueKind(f) === 'date')?.[0];
    pipeline = { object, stage, amount, date };
    break;
  }
  let receivables: DashboardSpec['receivables'];
  for (const [object, s] of byPreference(meta, RECEIVABLE_NAMES)) {
    const due = entries(s).find(([n, f]) => /due/.test(n) && readable(f) && valueKind(f) === 'date')?.[0];
    const amount = moneyField(s, ['balance', 'outstanding', 'amount_due', 'amount', 'total']);
    if (!due || !amount) continue;
    receivables = { object, due, amount };
    break;
  }
  return { pipeline, receivables };
}

/** `2026-03-01`, `2026-03-01T00:00:00Z` or a Date's JSON → `2026-03`. */
export function monthKey(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 7) : '';
}
