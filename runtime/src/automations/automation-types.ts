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

/**
 * An action of a rule: one of the core kinds (actions/: set, create, notify, script, document, each
 * module typing its own shape) or a kind a plugin registered.
 */
export interface AutomationAction {
  type: string;
  [property: string]: unknown;
}

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';
