export * from './generated/metadata-types';
export * from './identifiers';
export * from './scope-levels';
export * from './metadata-issue';
export * from './field-kinds';
export * from './formula';
export * from './formula-eval';
export * from './form-rules';
export * from './autonumber-format';
export * from './system-fields';
export {
  META_AJV_OPTIONS,
  META_SCHEMAS,
  metaAjv,
  metaSchemaId,
  metaValidator,
  type MetaSchemaName,
  type MetaValidatorSource,
  setMetaValidatorSource,
} from './meta-ajv';
export { findCycles, validateDocument, validateStructure } from './validate-document';
export { compileRecordTypes, typeNameOf, type RecordTypeSource } from './record-types';
export { coreAutomationActionSchemas } from './automation-action-schemas';
