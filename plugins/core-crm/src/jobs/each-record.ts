import type { Ctx, Runtime } from '@forma/platform/plugin-api';

type Row = Record<string, unknown>;

/** Visits every live record matching `filter`, a page of 500 at a time (keyset pagination). */
export async function eachRecord(
  runtime: Runtime,
  ctx: Ctx,
  object: string,
  filter: Record<string, unknown>,
  visit: (row: Row) => Promise<void>,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await runtime.records.list(ctx, object, {
      filter,
      sort: 'id',
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const row of page.items) await visit(row);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
