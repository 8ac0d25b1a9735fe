import type { MetadataDocument, RoleDefinition } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { computedFieldAccess } from './computed-field-access';
import { resolveGrants } from './resolve-grants';

const doc = {
  objects: {
    deal: {
      type: 'object',
      properties: {
        amount: { type: 'number' },
        margin: { type: 'number' },
        net: { type: 'number', 'x-formula': 'record.amount * 0.9' },
        leak: { type: 'number', 'x-formula': 'record.margin' },
        leak_twice: { type: 'number', 'x-formula': 'record.leak + 1' },
        was: { type: 'number', 'x-formula': 'old ? old.margin : null' },
        dump: { type: 'string', 'x-formula': 'JSON.stringify(record)' },
        lines: { type: 'array', 'x-children': { object: 'line' } },
        total: { type: 'number', 'x-rollup': { children: 'lines', op: 'sum', field: 'price' } },
        cost_total: { type: 'number', 'x-rollup': { children: 'lines', op: 'sum', field: 'cost' } },
        with_total: { type: 'number', 'x-formula': 'record.cost_total * 2' },
        won_count: {
          type: 'integer',
          'x-rollup': { object: 'task', via: 'deal', op: 'count', filter: { secret: { eq: 'x' } } },
        },
      },
    },
    line: {
      type: 'object',
      properties: {
        deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' },
        price: { type: 'number' },
        cost: { type: 'number' },
      },
    },
    task: {
      type: 'object',
      properties: { deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' }, secret: { type: 'string' } },
    },
  },
} as unknown as MetadataDocument;

const model = loadModel(doc, 1);
const fieldsFor = (roles: Record<string, RoleDefinition>) =>
  computedFieldAccess(loadModel({ ...doc, roles } as MetadataDocument, 1), 'deal', (o) =>
    resolveGrants(roles, Object.keys(roles), o),
  );

describe('computedFieldAccess', () => {
  it('leaves formulas and roll-ups over readable fields readable', () => {
    expect(model.object('deal').field('net').formula?.reveals).toEqual(['amount']);
    const fields = fieldsFor({
      rep: { objects: { deal: { read: 'all' }, line: { read: 'all' }, task: { read: 'all' } } },
    } as never);
    expect(fields).toEqual({});
  });

  it('hides a formula reading a hidden field, and formulas reading that formula', () => {
    const fields = fieldsFor({
      rep: {
        objects: { deal: { read: 'all', fields: { margin: 'none' } }, line: { read: 'all' }, task: { read: 'all' } },
      },
    } as never);
    expect(fields).toMatchObject({ margin: 'none', leak: 'none', leak_twice: 'none', was: 'none', dump: 'none' });
    expect(fields.net).toBeUndefined();
    expect(fields.total).toBeUndefined();
  });

  it('hides roll-ups over hidden child fields, filters included, and over unreadable children', () => {
    const hiddenCost = fieldsFor({
      rep: {
        objects: {
          deal: { read: 'all' },
          line: { read: 'all', fields: { cost: 'none' } },
          task: { read: 'all', fields: { secret: 'none' } },
        },
      },
    } as never);
    expect(hiddenCost).toMatchObject({ cost_total: 'none', with_total: 'none', won_count: 'none' });
    expect(hiddenCost.total).toBeUndefined();
    const noLines = fieldsFor({ rep: { objects: { deal: { read: 'all' }, task: { read: 'all' } } } } as never);
    expect(noLines).toMatchObject({ total: 'none', cost_total: 'none', with_total: 'none' });
    expect(noLines.won_count).toBeUndefined();
  });

  it('admins see everything', () => {
    const roles = { rep: { objects: { deal: { read: 'all', fields: { margin: 'none' } } } } } as never;
    const fields = computedFieldAccess(model, 'deal', (o) => resolveGrants(roles, ['admin'], o));
    expect(fields).toEqual({});
  });
});
