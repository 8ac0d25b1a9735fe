import { analytics } from './analytics';
import { approvalsBench } from './approvals';
import { deepPage } from './deep-page';
import { expand } from './expand';
import { fairness } from './fairness';
import { import100k } from './import-100k';
import { listAdmin } from './list-admin';
import { listScoped } from './list-scoped';
import { noisyNeighbour } from './noisy-neighbour';
import { onlineDdl } from './online-ddl';
import { readById } from './read-by-id';
import { sandboxMicroBench } from './sandbox-micro';
import { savePath } from './save-path';
import { startup } from './startup';
import { pgbouncerCheck } from './pgbouncer';
import { tenantScale } from './tenant-scale';
import type { Workload } from './workload';

/** Every workload of issue 12, in the order `npm run bench` runs them (tenant-scale last: it adds 1,000 tenants). */
export const workloads: Record<string, Workload> = {
  'list-admin': listAdmin,
  'read-by-id': readById,
  'list-scoped': listScoped,
  'deep-page': deepPage,
  expand,
  'save-path': savePath,
  'sandbox-micro': sandboxMicroBench,
  'noisy-neighbour': noisyNeighbour,
  'import-100k': import100k,
  'online-ddl': onlineDdl,
  approvals: approvalsBench,
  fairness,
  analytics,
  startup,
  'tenant-scale': tenantScale,
};

/**
 * Run only when named (`npm run bench -- pgbouncer`): they need a program a fresh clone may not
 * have, and a plain `npm run bench` must not fail for its absence.
 */
export const optInWorkloads: Record<string, Workload> = {
  pgbouncer: pgbouncerCheck,
};
