import type { AutomationActionType } from './action-type';

export interface WebhookAction {
  type: 'webhook';
  /** The name of a webhook subscription of the rule's object (Admin → Integrations). */
  webhook: string;
}

/**
 * "Call webhook": sends the record to a webhook subscription, signed and logged like its own
 * events (docs/webhooks.md). The delivery is written in the run's transaction and queued after
 * commit, so a failed run sends nothing; a missing or disabled subscription fails the run.
 */
export const webhookAction: AutomationActionType<WebhookAction> = {
  type: 'webhook',
  schema: {
    required: ['webhook'],
    additionalProperties: false,
    properties: { webhook: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  async run(action, { services, run, record }) {
    const delivery = await services.webhooks.sendForRule(run.tx, {
      webhook: action.webhook,
      object: run.object,
      rule: run.rule,
      record,
    });
    return { summary: { webhook: action.webhook, delivery } };
  },
};
