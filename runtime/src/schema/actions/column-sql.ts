import type { DbCheck } from '@forma/metadata';
import { ident, literal, stringLiteral, typeSql } from '../sql-text';
import type { ColumnDef } from '../table-spec';

/** `"col" type [NOT NULL] [DEFAULT literal]` for CREATE TABLE and ADD COLUMN. */
export function columnDefSql(c: ColumnDef): string {
  const parts = [ident(c.column), typeSql(c.type)];
  if (c.default !== undefined) parts.push(`DEFAULT ${literal(c.default, c.type)}`);
  if (c.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/** The boolean expression of a check constraint over a (quoted) column expression. */
export function checkExpression(check: DbCheck, col: string): string {
  switch (check.type) {
    case 'in':
      return `${col} = ANY (${literal(check.values)})`;
    case 'subset':
      return `${col} <@ ${literal(check.values)}`;
    case 'match':
      return `${col} ${check.caseInsensitive ? '~*' : '~'} ${stringLiteral(check.pattern)}`;
  }
}
