import type { FieldDefinition } from './generated/metadata-types';
import { APPROVAL_STATUSES, type SystemFieldName, USER_REF } from './identifiers';

/**
 * The system fields every record has, described in the same language as custom fields so that
 * filters, types and forms treat them alike. They are read-only for clients.
 */
export function systemFieldDefinitions(objectName: string): Record<SystemFieldName, FieldDefinition> {
  const at = (title: string): FieldDefinition => ({ type: 'string', format: 'date-time', title });
  const user = (title: string): FieldDefinition => ({ type: 'string', format: 'uuid', 'x-ref': USER_REF, title });
  return {
    id: { type: 'string', format: 'uuid', 'x-ref': objectName, title: 'ID' },
    owner: user('Owner'),
    created_at: at('Created at'),
    created_by: user('Created by'),
    updated_at: at('Updated at'),
    updated_by: user('Updated by'),
    version: { type: 'integer', minimum: 1, title: 'Version' },
    approval_status: { type: 'string', enum: [...APPROVAL_STATUSES], title: 'Approval status' },
    deleted_at: at('Deleted at'),
  };
}

/** Fields of the user lookup target a filter or a formula may follow (`owner.name`). */
export const USER_LOOKUP_FIELDS: Record<string, FieldDefinition> = {
  id: { type: 'string', format: 'uuid', 'x-ref': USER_REF },
  name: { type: 'string' },
  email: { type: 'string', format: 'email' },
};
