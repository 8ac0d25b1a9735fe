/** The script engine's public surface (re-exported by the runtime package). */
export type {
  CompileResult,
  Diagnostic,
  ExpressionScope,
  FailureReason,
  QueryOptions,
  RecordData,
  SaveInput,
  SaveResult,
  ScriptDefinition,
  ScriptEvent,
  ScriptHost,
  ScriptLanguage,
  ScriptRef,
  ScriptRunInput,
  ScriptRunResult,
  ScriptUser,
  ScriptVersion,
} from './script-types';
export { SCRIPT_EVENTS } from './script-types';
export { defaultScriptsConfig, type ScriptLimits, type ScriptsConfig } from './scripts-config';
export { ScriptEngine } from './script-engine';
export type { CallTrace } from './sandbox-process';
export type { ChildTrace } from './sandbox-protocol';
export { ScriptLimitsStore, type ScriptLimitsStoreOptions } from './script-limits-store';
export { AFTER_SAVE_TOPIC, type AfterSavePayload, SavePipeline, type SavePipelineDeps } from './save-pipeline';
export {
  type ActionRecords,
  type ActionResult,
  ScriptActions,
  type ScriptActionsDeps,
  type ScriptTestRequest,
} from './script-actions';
export { checkScriptItem } from './check-script-item';
export { compileExpression, compileScript, formatDiagnostics } from './compile-script';
export { SCRIPT_API_DTS } from './script-api-dts';
export {
  assertNoScriptErrors,
  formulasFor,
  hasSaveWork,
  type RecordsQuery,
  saveInputFor,
  scriptHostFor,
  scriptsFor,
  scriptUserOf,
} from './record-scripts';
export {
  parseScriptLimits,
  SCRIPT_LIMIT_RANGES,
  type TenantLimitsStore,
  tenantSettingsLimitsStore,
} from './tenant-script-limits';
