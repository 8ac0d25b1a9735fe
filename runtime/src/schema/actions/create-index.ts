import { ident, tableRef } from '../sql-text';
import type { ActionHandler, CreateIndex } from './action';

export function createIndexSql(a: Omit<CreateIndex, 'kind'>, opts: { ifNotExists?: boolean } = {}): string {
  // Trigram indexes name their operator class per column (pg_trgm, created by a platform migration).
  const suffix = a.method === 'trgm' ? ' gin_trgm_ops' : a.method === 'desc' ? ' DESC NULLS LAST' : '';
  const cols = a.columns
    .map((c, i) => `${ident(c)}${a.method === 'recent' ? (i === 0 ? ' DESC NULLS LAST' : '') : suffix}`)
    .join(', ');
  const using = a.method === 'gin' || a.method === 'trgm' ? ' USING gin' : '';
  return [
    `CREATE${a.unique ? ' UNIQUE' : ''} INDEX${a.concurrently ? ' CONCURRENTLY' : ''}${opts.ifNotExists ? ' IF NOT EXISTS' : ''}`,
    `${ident(a.name)} ON ${tableRef(a.schema, a.table)}${using} (${cols})`,
    ...(a.partial ? [`WHERE ${ident('deleted_at')} IS NULL`] : []),
  ].join(' ');
}

export const createIndex: ActionHandler<CreateIndex> = {
  kind: 'create_index',
  sql: (a) => createIndexSql(a),
  inverse: (a) => ({ ...a, kind: 'drop_index', concurrently: false }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) =>
    `${a.unique ? 'Enforce unique values of' : 'Index'} ${a.object}.${a.columns.join(', ')}${a.method === 'desc' || a.method === 'recent' ? ' (descending)' : ''}${a.concurrently ? ' (built after commit without blocking writes)' : ''}`,
};
