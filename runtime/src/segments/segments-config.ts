export interface SegmentsConfig {
  /** Longest a refresh's statements may run (also outside requests: scheduled refreshes). */
  refreshTimeoutMs: number;
  /** Refreshes per segment whose entered/left rows are kept (older ones are deleted; counts stay). */
  keepChanges: number;
}

export const defaultSegmentsConfig: SegmentsConfig = { refreshTimeoutMs: 300_000, keepChanges: 20 };
