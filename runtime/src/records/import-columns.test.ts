import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { fullAccess, type ObjectAccess } from '../permissions/object-access';
import { mapColumns } from './import-columns';

const model = loadModel(
  {
    objects: {
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string', title: 'Deal name' },
          amount: { type: 'number' },
          margin: { type: 'number' },
          secret: { type: 'string' },
          number: { type: 'string', 'x-autonumber': 'D-{0000}' },
        },
      },
    },
  },
  1,
);
const deal = model.object('deal');
const access: ObjectAccess = { ...fullAccess('deal'), fields: { margin: 'read', secret: 'none' } };
const fail = (header: string[], key?: string) => {
  try {
    mapColumns(deal, header, access, key);
  } catch (e) {
    return e as { status: number; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a failure');
};

describe('mapColumns', () => {
  it('maps names and labels case-insensitively and ignores read-only and system columns', () => {
    const map = mapColumns(deal, ['DEAL NAME', 'Amount', 'id', 'number', 'created_at'], access, undefined);
    expect(map.fields.map((f) => f?.name ?? null)).toEqual(['name', 'amount', null, null, null]);
    expect(map.ignored).toEqual(['id', 'number', 'created_at']);
  });

  it('keeps the key column even when it is read-only (id)', () => {
    const map = mapColumns(deal, ['id', 'amount'], access, 'id');
    expect(map.keyIndex).toBe(0);
    expect(map.fields[0]?.name).toBe('id');
  });

  it('refuses unknown and hidden columns together with 400, listing them', () => {
    const e = fail(['name', 'nope', 'secret']);
    expect(e.status).toBe(400);
    expect(e.details?.unknownColumns).toEqual(['nope', 'secret']);
  });

  it('refuses columns the user may only read with 403', () => {
    expect(fail(['name', 'margin']).status).toBe(403);
  });

  it('refuses two columns naming one field, and a missing key column', () => {
    expect(fail(['name', 'Deal name']).message).toMatch(/both name/);
    expect(fail(['name'], 'amount').message).toMatch(/no column for the key/);
  });
});
