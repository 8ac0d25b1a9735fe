/**
 * Wiring of the records I/O services (import, export, aggregates, duplicate rules) over the
 * records engine, and the duplicate check on every create (`record.beforeCreate`).
 */
import type { Clock } from '../clock';
import type { HookBus } from '../events/hook-bus';
import type { MetaService } from '../meta/meta-service';
import type { PermissionEngine } from '../permissions/object-access';
import { AggregateService } from './aggregate-service';
import { BulkService } from './bulk-service';
import { DuplicateService } from './duplicate-finder';
import { ExportService } from './export-service';
import { type ImportLimits, ImportService } from './import-service';
import { RECORD_EVENTS } from './record-hooks';
import type { RecordService } from './record-service';

export interface RecordsIoDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  records: RecordService;
  hooks: HookBus;
  clock: Clock;
  importLimits?: Partial<ImportLimits>;
}

export function createRecordsIo(deps: RecordsIoDeps) {
  const duplicates = new DuplicateService(deps);
  deps.hooks.filter(RECORD_EVENTS.beforeCreate, duplicates.beforeCreate, 'duplicates');
  return {
    imports: new ImportService({ ...deps, ...(deps.importLimits ? { limits: deps.importLimits } : {}) }),
    exports: new ExportService(deps),
    aggregates: new AggregateService(deps),
    duplicates,
    /** Bulk update/owner change/delete of a list selection, through the records engine. */
    bulk: new BulkService(deps),
  };
}

export type RecordsIo = ReturnType<typeof createRecordsIo>;
