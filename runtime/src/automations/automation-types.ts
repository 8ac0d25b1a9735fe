/** An automation rule as stored in the `automations` metadata section (metadata/schemas/automation.schema.json). */
export interface AutomationRule {
  label: string;
  description?: string;
  object: string;
  enabled?: boolean;
  trigger: AutomationTrigger;
  /** A records filter (the API filter language) the record must match: what the condition builder writes. */
  when?: Record<string, unknown>;
  condition?: string;
  actions: AutomationAction[];
}

export interface AutomationTrigger {
  on: 'create' | 'update' | 'schedule' | 'approval' | 'segment_entered' | 'segment_left';
  /** segment_entered / segment_left: the saved segment whose refreshes are followed. */
  segment?: string;
  fields?: string[];
  /** update with one field in `fields`: only when it changed to this value. */
  changedTo?: string | number | boolean;
  every?: string;
  filter?: Record<string, unknown>;
  /** approval: only this outcome. */
  outcome?: 'approved' | 'rejected';
  /** schedule: only records whose date field is `days` days from the sweep's date ("3 days before due"). */
  date?: { field: string; days: number };
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
