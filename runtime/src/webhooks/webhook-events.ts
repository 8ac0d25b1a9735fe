import type { AfterSavePayload } from '../records/record-hooks';

/** What a subscription can listen to. */
export const WEBHOOK_EVENTS = ['created', 'updated', 'deleted', 'approval_decided'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * The webhook events one saved change stands for: a create, an update (only when one of `fields`
 * changed, when given), a delete, and the approval engine setting the outcome (`approval_decided`,
 * alongside the update it is).
 */
export function eventsOf(change: AfterSavePayload, fields: readonly string[]): WebhookEvent[] {
  switch (change.action) {
    case 'create':
      return ['created'];
    case 'delete':
      return ['deleted'];
    case 'update': {
      const out: WebhookEvent[] = [];
      const changed = Object.keys(change.changes);
      if (changed.length && (!fields.length || changed.some((f) => fields.includes(f)))) out.push('updated');
      const status = change.changes.approval_status?.[1];
      if (status === 'approved' || status === 'rejected') out.push('approval_decided');
      return out;
    }
    default:
      return [];
  }
}
