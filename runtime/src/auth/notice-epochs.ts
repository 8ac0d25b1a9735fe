/**
 * Per-tenant counters for a cache that follows database notices (auth/session-cache.ts,
 * webhooks/subscription-cache.ts): every notice for a schema bumps its counter, a reset bumps them
 * all. A lookup takes `token(schema)` before it reads the database and keeps its result only while
 * `token(schema)` is still the same: a read that started before a notice may have seen the state
 * the notice says is gone.
 */
export class NoticeEpochs {
  private readonly bySchema = new Map<string, number>();
  private all = 0;

  /** Taken before the database read. */
  token(schema: string): string {
    return `${this.all}:${this.bySchema.get(schema) ?? 0}`;
  }

  /** No notice for `schema` (nor a reset) since `token` was taken. */
  unchanged(schema: string, token: string | undefined): boolean {
    return token === this.token(schema);
  }

  /** A notice for `schema`. */
  bump(schema: string): void {
    this.bySchema.set(schema, (this.bySchema.get(schema) ?? 0) + 1);
  }

  /** Everything may have missed notices (the listening connection was made again or lost). */
  bumpAll(): void {
    this.all += 1;
  }
}
