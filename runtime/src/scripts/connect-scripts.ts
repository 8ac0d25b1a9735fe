import type { Outbox } from '../events/outbox';
import type { MetaService } from '../meta/meta-service';
import type { SectionCheck } from '../meta/section-checks';
import { compileScript } from './compile-script';
import { AFTER_SAVE_TOPIC, type AfterSavePayload, type ScriptEngine } from './script-engine';
import type { ScriptDefinition } from './script-types';

/**
 * Save-time check of `scripts.<name>`: the code must compile (TypeScript: and type-check against the
 * script API). Each diagnostic becomes an issue at `/code` with its line and column.
 */
export const checkScriptItem: SectionCheck<{ code?: unknown; language?: unknown }> = (_ctx, { item }) => {
  // A missing or non-string code is the meta-schema's to report.
  if (typeof item?.code !== 'string') return [];
  const result = compileScript(item.code, item.language === 'ts' ? 'ts' : 'js');
  return result.diagnostics.map((d) => ({
    path: '/code',
    message: `line ${d.line}, column ${d.column}: ${d.message}`,
  }));
};

/** Wires the script engine to the metadata service: save-time compile checks and saved scripts by name. */
export function connectScriptsToMeta(scripts: ScriptEngine, meta: MetaService): void {
  meta.registerSectionCheck('scripts', checkScriptItem, 'scripts');
  scripts.useScriptLoader(async (ctx, name) => {
    const model = await meta.model(ctx);
    const definition = Object.hasOwn(model.scripts, name) ? model.scripts[name] : undefined;
    return definition ? { definition: definition as ScriptDefinition, version: model.version } : undefined;
  });
}

/**
 * Runs queued afterSave scripts once their save has committed: the handler of `AFTER_SAVE_TOPIC`,
 * acting as the user who saved, on the tenant's current metadata.
 */
export function connectScriptsToOutbox(scripts: ScriptEngine, outbox: Outbox, meta: MetaService): void {
  scripts.useOutbox(outbox);
  outbox.register(AFTER_SAVE_TOPIC, async (tx, payload) => {
    await scripts.runAfterSave(tx, await meta.model(tx), payload as unknown as AfterSavePayload);
  });
}
