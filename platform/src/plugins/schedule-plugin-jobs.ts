import { type Runtime, WorkflowScheduler } from '@forma/runtime';
import type { PluginManager } from './plugin-manager';

/**
 * Runs the plugins' jobs on their cron schedules with the runtime's pg-boss scheduler (the one the
 * workflow engine uses), so with several server processes each tick runs once. Real server only:
 * tests call `PluginManager.runJob` instead.
 */
export async function schedulePluginJobs(runtime: Runtime, plugins: PluginManager): Promise<{ stop(): Promise<void> }> {
  const jobs = plugins.jobs();
  if (!jobs.length) return { stop: async () => {} };
  const scheduler = new WorkflowScheduler(runtime.db, runtime.logger);
  await scheduler.start(
    jobs.map(({ id, job }) => ({
      name: `forma-plugin-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      cron: job.cron,
      run: () => plugins.runJob(id),
    })),
  );
  return { stop: () => scheduler.stop() };
}
