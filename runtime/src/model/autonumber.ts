import { autonumberScope, formatAutonumber } from '@forma/metadata';
import type { Knex } from 'knex';
import { SYSTEM_TABLE } from './naming';
import type { FieldModel } from './load-model';

/**
 * The next number of an autonumber field, for the records engine to call inside its save
 * transaction: the counter row stays locked until that transaction ends, so numbers are gapless
 * (a rolled-back save gives its number back) and never issued twice.
 */
export async function nextAutonumber(
  trx: Knex.Transaction,
  schema: string,
  field: FieldModel,
  at: Date,
): Promise<string> {
  if (!field.autonumber) throw new Error(`${field.name} is not an autonumber field`);
  const scope = autonumberScope(field.autonumber.format, at);
  const r = await trx.raw(
    `INSERT INTO ??.?? (field_id, scope, value) VALUES (?, ?, 1)
     ON CONFLICT (field_id, scope) DO UPDATE SET value = ??.value + 1
     RETURNING value`,
    [schema, SYSTEM_TABLE.autonumbers, field.id, scope, SYSTEM_TABLE.autonumbers],
  );
  return formatAutonumber(field.autonumber.format, Number(r.rows[0].value), at);
}
