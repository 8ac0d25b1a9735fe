import type { ApiClient } from '../../api/api-client';

export const SCRIPT_EVENTS = ['validate', 'beforeSave', 'afterSave', 'action'] as const;
export type ScriptEvent = (typeof SCRIPT_EVENTS)[number];

/** An item of the metadata's `scripts` section (docs/scripts.md). */
export interface ScriptDefinition {
  object: string;
  event: ScriptEvent;
  code: string;
  language?: 'js' | 'ts';
  label?: string;
  description?: string;
  active?: boolean;
  order?: number;
  [key: string]: unknown;
}

export interface ScriptTestResult {
  errors: Record<string, string>;
  changes: Record<string, unknown>;
  logs: string[];
  ms: number;
  result?: unknown;
}

export const SCRIPT_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Runs the definition in the editor (saved or not) on a sample record; nothing is saved. */
export function testScript(
  client: ApiClient,
  name: string,
  input: {
    script: ScriptDefinition;
    record: Record<string, unknown>;
    old: Record<string, unknown> | null;
    params?: Record<string, unknown>;
  },
): Promise<ScriptTestResult> {
  const { script, ...rest } = input;
  // The test endpoint takes only the keys a script runs with.
  const { object, event, code, language } = script;
  return client.post(`/api/meta/scripts/${encodeURIComponent(name)}/test`, {
    ...rest,
    script: { object, event, code, ...(language ? { language } : {}) },
  });
}
