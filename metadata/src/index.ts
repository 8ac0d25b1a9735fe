export * from './generated/metadata-types';
export * from './identifiers';
export * from './metadata-issue';
export * from './field-kinds';
export * from './formula';
export * from './autonumber-format';
export * from './system-fields';
export { META_SCHEMAS, metaAjv, metaSchemaId, type MetaSchemaName } from './meta-ajv';
export { findCycles, validateDocument, validateStructure } from './validate-document';
