import type { Action, ActionHandler, ActionKind } from './action';
import { addCheck } from './add-check';
import { addColumn } from './add-column';
import { addForeignKey } from './add-foreign-key';
import { alterColumnType } from './alter-column-type';
import { backfillColumn } from './backfill-column';
import { createIndex } from './create-index';
import { createTable } from './create-table';
import { dropCheck } from './drop-check';
import { dropColumn } from './drop-column';
import { dropDefault } from './drop-default';
import { dropForeignKey } from './drop-foreign-key';
import { dropIndex } from './drop-index';
import { dropNotNull } from './drop-not-null';
import { dropTable } from './drop-table';
import { recomputeRollup } from './recompute-rollup';
import { renameColumn } from './rename-column';
import { renameTable } from './rename-table';
import { setDefault } from './set-default';
import { setNotNull } from './set-not-null';

const handlers = [
  createTable,
  dropTable,
  renameTable,
  addColumn,
  dropColumn,
  renameColumn,
  alterColumnType,
  setNotNull,
  dropNotNull,
  setDefault,
  dropDefault,
  backfillColumn,
  recomputeRollup,
  addCheck,
  dropCheck,
  addForeignKey,
  dropForeignKey,
  createIndex,
  dropIndex,
] as ActionHandler[];

const registry = new Map<ActionKind, ActionHandler>(handlers.map((h) => [h.kind, h]));

export function handlerOf<A extends Action>(action: A): ActionHandler<A> {
  const h = registry.get(action.kind);
  if (!h) throw new Error(`no handler for action ${action.kind}`);
  return h as unknown as ActionHandler<A>;
}
