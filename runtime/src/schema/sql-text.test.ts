import { describe, expect, it } from 'vitest';
import { renderQuery, sqlRenderer } from './sql-text';

describe('renderQuery', () => {
  const db = sqlRenderer();

  it('inlines bound values as escaped, untyped literals with no placeholder left', () => {
    const sql = renderQuery(
      db
        .withSchema('t_a')
        .from('deal')
        .select(db.raw('count(*)'))
        .whereRaw('?? = ?', ['deal.stage', "it's ?$1\\"])
        .whereRaw('?? = any(?)', ['deal.region', ['a"b', 'c,d', '{x}']])
        .whereRaw('?? > ?', ['deal.amount', 1.5])
        .whereRaw('?? = ?', ['deal.open', true]),
    );
    expect(sql).toBe(
      `select count(*) from "t_a"."deal" where "deal"."stage" = E'it\\'s \\x3f$1\\\\' and "deal"."region" = any(E'{"a\\\\"b","c,d","{x}"}') and "deal"."amount" > 1.5 and "deal"."open" = true`,
    );
    expect(sql).not.toContain('?');
  });
});
