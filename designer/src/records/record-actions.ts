import type { AppMeta } from '../meta/meta-types';

/** A record-page button as `GET /api/meta/app` lists it under `actions.<object>`. */
export interface RecordAction {
  name: string;
  label: string;
  description?: string;
  'x-i18n'?: Record<string, Record<string, unknown>>;
  /** `script`: `POST /api/records/:object/:id/actions/:name`; `endpoint`: `POST path` with `{id}` filled in. */
  kind: 'script' | 'endpoint';
  path?: string;
  /** Endpoint actions: the key of the answer holding the record to open (also its object's name). */
  open?: string;
  confirm?: boolean;
  [key: string]: unknown;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const ENDPOINT = /^\/api\/plugins\/[a-z][a-z0-9-]{0,39}\/[A-Za-z0-9_/-]*\{id\}[A-Za-z0-9_/-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The object's actions from the app metadata. The server already checked them; the browser checks
 * the shape again because it POSTs to `path`: nothing outside the server's plugin routes.
 */
export function actionsOf(meta: AppMeta | undefined, object: string): RecordAction[] {
  const all = isObject(meta?.actions) ? meta.actions[object] : undefined;
  if (!Array.isArray(all)) return [];
  return all.filter(
    (a): a is RecordAction =>
      isObject(a) &&
      typeof a.name === 'string' &&
      NAME.test(a.name) &&
      typeof a.label === 'string' &&
      (a.kind === 'script' || (a.kind === 'endpoint' && typeof a.path === 'string' && ENDPOINT.test(a.path))),
  );
}

export interface OpenTarget {
  object: string;
  id: string;
}

function target(object: unknown, id: unknown): OpenTarget | undefined {
  return typeof object === 'string' && NAME.test(object) && typeof id === 'string' && id ? { object, id } : undefined;
}

/**
 * The record an action created, to open next: a script returns `{open: {object, id}}` as its
 * result; an endpoint action names the key of its answer (`open: "deal"` → `answer.deal.id`).
 */
export function openTargetOf(action: RecordAction, answer: unknown): OpenTarget | undefined {
  if (!isObject(answer)) return undefined;
  if (action.kind === 'script') {
    const open = isObject(answer.result) ? answer.result.open : undefined;
    return isObject(open) ? target(open.object, open.id) : undefined;
  }
  const created = action.open ? answer[action.open] : undefined;
  return action.open && isObject(created) ? target(action.open, created.id) : undefined;
}
