import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { planMigration } from './plan-migration';

const rollupValue = (() => {
  throw new Error('no roll-ups in these documents');
}) as never;
const plan = (current: unknown, next: unknown, tablesWithRows?: ReadonlySet<string>) =>
  planMigration(current as MetadataDocument, next as MetadataDocument, {
    schema: 't_x',
    rollupValue,
    ...(tablesWithRows ? { tablesWithRows } : {}),
  });

const deal = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  objects: { deal: { type: 'object', 'x-id': 'o1', properties, ...extra } },
});
const name = { type: 'string', maxLength: 100, 'x-id': 'f1' };

describe('planMigration', () => {
  it('creates the table of a new object, and nothing when nothing changed', () => {
    const p = plan({ objects: {} }, deal({ name }));
    expect(p.errors).toEqual([]);
    expect(p.steps.map((s) => s.kind)).toContain('create_table');
    expect(p.steps.find((s) => s.kind === 'create_table')?.sql).toMatch(/create table "t_x"\."deal"/i);
    expect(p.destructive).toBe(false);
    expect(plan(deal({ name }), deal({ name })).steps).toEqual([]);
  });

  it('adds a column for a new field, without a rewrite', () => {
    const p = plan(deal({ name }), deal({ name, amount: { type: 'number', 'x-id': 'f2' } }));
    const add = p.steps.find((s) => s.kind === 'add_column');
    expect(add).toMatchObject({ object: 'deal', field: 'amount', destructive: false, phase: 'transaction' });
    expect(add?.sql).toMatch(/add column "amount" numeric/i);
  });

  it('marks dropping a field and narrowing a column destructive', () => {
    const dropped = plan(deal({ name, amount: { type: 'number', 'x-id': 'f2' } }), deal({ name }));
    expect(dropped.steps.map((s) => s.kind)).toContain('drop_column');
    expect(dropped.destructive).toBe(true);
    const narrowed = plan(deal({ name }), deal({ name: { ...name, maxLength: 10 } }));
    expect(narrowed.destructive).toBe(true);
    // Existing values longer than the new limit block the step: a data check counts them.
    expect(narrowed.checks.map((c) => c.path).join()).toContain('name');
  });

  it('renames by x-id instead of dropping and adding', () => {
    const p = plan(deal({ name }), deal({ title: { ...name } }));
    expect(p.steps.map((s) => s.kind)).toEqual(['rename_column']);
    expect(p.destructive).toBe(false);
  });

  it('a new required field without a default is added NOT NULL, behind a check that the table is empty', () => {
    const region = { type: 'string', maxLength: 20, 'x-id': 'f3' };
    const p = plan(deal({ name }), deal({ name, region }, { required: ['region'] }));
    expect(p.steps.map((s) => s.sql)).toEqual(['ALTER TABLE "t_x"."deal" ADD COLUMN "region" varchar(20) NOT NULL']);
    expect(p.checks).toEqual([
      expect.objectContaining({
        field: 'region',
        path: '/objects/deal/properties/region',
        problem: 'records of deal exist, so the new required field region needs a default',
      }),
    ]);
  });

  it('builds indexes on tables with rows concurrently, after commit', () => {
    const indexed = { ...name, 'x-index': true };
    const busy = plan(deal({ name }), deal({ name: indexed }), new Set(['deal']));
    expect(busy.steps.find((s) => s.kind === 'create_index')?.phase).toBe('after-commit');
    const empty = plan(deal({ name }), deal({ name: indexed }), new Set());
    expect(empty.steps.find((s) => s.kind === 'create_index')?.phase).toBe('transaction');
  });
});
