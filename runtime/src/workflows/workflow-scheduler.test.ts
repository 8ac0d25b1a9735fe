import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaTestTenant, type MetaTestTenant } from '../testing/meta-test-tenant';
import { WorkflowScheduler } from './workflow-scheduler';

let t: MetaTestTenant;
beforeAll(async () => {
  t = await metaTestTenant('sched');
});
afterAll(async () => {
  await t?.close();
});

describe('WorkflowScheduler', () => {
  it('starts pg-boss on the runtime pool, registers the schedule, and stops cleanly', async () => {
    const scheduler = new WorkflowScheduler(t.runtime.db, t.runtime.logger);
    await scheduler.start([{ name: 'forma-test-sweep', cron: '*/5 * * * *', run: async () => undefined }]);
    const schedules = await t.runtime.db.withSchema('pgboss').from('schedule').where({ name: 'forma-test-sweep' });
    expect(schedules).toHaveLength(1);
    expect(schedules[0].cron).toBe('*/5 * * * *');
    await scheduler.stop();
    await scheduler.stop();
  });
});
