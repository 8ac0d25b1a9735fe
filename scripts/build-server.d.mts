/** Types of build-server.mjs, for the TypeScript that starts the compiled server (bench, tests). */
export const ROOT: string;
export const COMPILED_CONDITION: string;
export const SERVER_ENTRY: string;
export const SERVER_FLAGS: string[];
export function isServerBuildStale(): boolean;
export function ensureServerBuild(opts?: { log?: (line: string) => void }): Promise<boolean>;
export function serverPackages(): Array<{ dir: string; entries: Record<string, string>; assets: string[] }>;
