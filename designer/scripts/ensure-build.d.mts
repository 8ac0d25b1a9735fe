/** True when designer/dist is missing or older than any of its inputs. */
export function isDesignerBuildStale(): boolean;
/** Builds designer/dist when stale (serialized across processes); true when it built. */
export function ensureDesignerBuild(opts?: { log?: (line: string) => void }): boolean;
