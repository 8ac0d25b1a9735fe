/** An automation rule as stored in the `automations` metadata section (metadata/schemas/automation.schema.json). */
export interface AutomationRule {
  label: string;
  description?: string;
  object: string;
  enabled?: boolean;
  trigger: AutomationTrigger;
  condition?: string;
  actions: AutomationAction[];
}

export interface AutomationTrigger {
  on: 'create' | 'update' | 'schedule';
  fields?: string[];
  every?: string;
  filter?: Record<string, unknown>;
}

/** `owner` and `managerOfOwner` are the record's; `field` and `managerOf` name a user lookup of the record. */
export type Recipient =
  | 'owner'
  | 'managerOfOwner'
  | { user: string }
  | { role: string }
  | { field: string }
  | { managerOf: string };

export type AutomationAction =
  | { type: 'set'; values?: Record<string, unknown>; expressions?: Record<string, string> }
  | {
      type: 'create';
      object: string;
      values?: Record<string, unknown>;
      expressions?: Record<string, string>;
      owner?: Recipient;
    }
  | { type: 'notify'; to: Recipient[]; title: string; message?: string; email?: boolean }
  | { type: 'script'; script: string; params?: Record<string, unknown> }
  | { type: 'document'; template: string; fileName?: string };

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';
