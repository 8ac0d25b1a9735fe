import { createHash } from 'node:crypto';

/** A stable signed 64-bit key for pg_advisory_*lock, derived from a readable name. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
