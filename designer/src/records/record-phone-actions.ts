import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { referencesTo } from './related-lists';

/** What the phone's action bar offers for one record (docs/mobile.md). */
export interface PhoneActions {
  call?: string | undefined;
  email?: string | undefined;
  /** The address as one line, for a maps search. */
  map?: string | undefined;
  /** A new visit against this record: `/o/activity/new?deal=<id>&type=visit`. */
  logVisit?: string | undefined;
  /** New records that link to this one (the lookups pointing at its object). */
  related: Array<{ object: string; field: string; href: string }>;
}

const PHONE = /(^|_)(phone|mobile|tel|telephone|cell)($|_)/;
const ADDRESS_PARTS = ['address', 'street', 'address_line', 'postal_code', 'zip', 'city', 'state', 'region', 'country'];

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/**
 * Call, e-mail and map come from the record's own fields: a phone-named field, an `email`-format
 * field, address parts (street… city… country, in that order). Only filled, readable fields count.
 */
export function phoneActions(
  meta: AppMeta,
  object: string,
  schema: ObjectSchema,
  record: Record<string, unknown>,
  id: string,
): PhoneActions {
  const props = Object.entries(schema.properties ?? {}).filter(([, f]) => f['x-access'] !== 'none');
  const call = props.map(([n]) => (PHONE.test(n) ? text(record[n]) : undefined)).find(Boolean);
  const email = props.map(([n, f]) => (f.format === 'email' ? text(record[n]) : undefined)).find(Boolean);
  const names = new Set(props.map(([n]) => n));
  const address = ADDRESS_PARTS.filter((p) => names.has(p))
    .map((p) => text(record[p]))
    .filter(Boolean)
    .join(', ');
  const refs = referencesTo(meta, object).filter(({ object: o }) => {
    // Line items belong to their parent's form, not to a separate "new" page.
    const parentField = Object.values(schema.properties ?? {}).some((f) => f['x-children'] === o);
    return !parentField;
  });
  const visit = refs.find(({ object: o }) => {
    const s = meta.objects[o];
    return (
      s?.['x-timeline'] === true && Array.isArray(s.properties?.type?.enum) && s.properties.type.enum.includes('visit')
    );
  });
  const href = (o: string, field: string, extra = '') => `/o/${o}/new?${new URLSearchParams({ [field]: id })}${extra}`;
  return {
    call,
    email,
    map: address || undefined,
    logVisit: visit ? href(visit.object, visit.field, '&type=visit') : undefined,
    related: refs.map((r) => ({ ...r, href: href(r.object, r.field) })),
  };
}
