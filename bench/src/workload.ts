import type { BenchEnv } from './bench-env';
import type { BenchResult } from './results';
import type { SalesFixture } from './sales-fixture';

/** What every workload gets: the running server, its sizes, and the shared sales data set. */
export interface WorkloadContext {
  env: BenchEnv;
  /** Seconds of each measured load phase. */
  seconds: number;
  connections: number;
  /** Rows of the sales data set (list workloads). */
  rows: number;
  /** Seeded once per run, on first use. */
  sales(): Promise<SalesFixture>;
  knob(name: string, fallback: number): number;
}

export type Workload = (ctx: WorkloadContext) => Promise<BenchResult[]>;
