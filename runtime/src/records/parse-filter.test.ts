import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { loadModel } from '../model/load-model';
import { FILTER_LIMITS, parseFilter } from './parse-filter';

const doc = {
  objects: {
    account: { type: 'object', properties: { name: { type: 'string' }, secret: { type: 'string' } } },
    deal: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 50 },
        amount: { type: 'number' },
        qty: { type: 'integer' },
        won: { type: 'boolean' },
        close_on: { type: 'string', format: 'date' },
        stage: { type: 'string', enum: ['open', 'won'] },
        account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
        lines: { type: 'array', 'x-children': { object: 'line' } },
      },
    },
    line: { type: 'object', properties: { deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' } } },
  },
} as unknown as MetadataDocument;
const model = loadModel(doc, 1);
const deal = model.object('deal');
const open = { fieldAccess: () => ({}) };
const parse = (filter: unknown, opts: Parameters<typeof parseFilter>[3] = open) =>
  parseFilter(model, deal, filter, opts);
const U = '11111111-1111-4111-8111-111111111111';

/** The 400 a filter is refused with. */
function refusal(filter: unknown, opts: Parameters<typeof parseFilter>[3] = open): string {
  try {
    parse(filter, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(400);
    return (e as AppError).message;
  }
  throw new Error(`accepted: ${JSON.stringify(filter)}`);
}

describe('parseFilter', () => {
  it('reads JSON text and data alike; empty means no filter', () => {
    expect(parse('')).toBeNull();
    expect(parse(undefined)).toBeNull();
    const fromText = parse('{"stage":{"eq":"won"}}');
    expect(fromText).toEqual(parse({ stage: { eq: 'won' } }));
    expect(fromText).toMatchObject({ kind: 'cmp', op: 'eq', value: 'won', hops: [] });
  });

  it('builds and/or trees and follows lookup paths', () => {
    const tree = parse({ or: [{ amount: { gt: 10 } }, { 'account.name': { contains: 'ac' } }] });
    expect(tree).toMatchObject({
      kind: 'or',
      items: [
        { kind: 'cmp', op: 'gt' },
        { kind: 'cmp', op: 'contains' },
      ],
    });
    const path = (tree as { items: Array<{ hops: unknown[] }> }).items[1];
    expect(path?.hops).toHaveLength(1);
  });

  it('refuses malformed JSON, unknown fields and operators, and wrong value types, naming the path', () => {
    expect(refusal('{"stage":')).toBe('filter is not valid JSON');
    expect(refusal({ nope: { eq: 1 } })).toContain('unknown field');
    expect(refusal({ stage: { like: 'x' } })).toContain('unknown operator');
    expect(refusal({ stage: 'won' })).toContain('must be an object of operators');
    expect(refusal({ amount: { gt: 'ten' } })).toContain('must be a number');
    expect(refusal({ qty: { eq: 1.5 } })).toContain('must be an integer');
    expect(refusal({ won: { eq: 'yes' } })).toContain('must be true or false');
    expect(refusal({ close_on: { eq: '07/12/2026' } })).toContain('must be a date');
    expect(refusal({ account: { eq: 'acme' } })).toContain('must be a record id');
    expect(refusal({ stage: { in: 'won' } })).toContain('must be an array');
    expect(refusal({ and: { stage: { eq: 'won' } } })).toContain('must be an array of filters');
    expect(refusal({ lines: { isNull: true } })).toContain('line items cannot be filtered');
    expect(refusal({ 'name.x': { eq: 1 } })).toContain('is not a lookup');
    expect(refusal({ 'account.name.x.y': { eq: 1 } })).toContain('path too long');
  });

  it('refuses what would reach SQL as an identifier or an unbounded list', () => {
    expect(refusal({ 'name"; drop table deal; --': { eq: 1 } })).toContain('unknown field');
    expect(refusal({ stage: { in: Array.from({ length: FILTER_LIMITS.listItems + 1 }, () => 'won') } })).toContain(
      'too many values',
    );
    expect(refusal({ name: { eq: 'x'.repeat(FILTER_LIMITS.stringLength + 1) } })).toContain('too long');
    let deep: Record<string, unknown> = { stage: { eq: 'won' } };
    for (let i = 0; i <= FILTER_LIMITS.depth; i += 1) deep = { and: [deep] };
    expect(refusal(deep)).toContain('nested too deeply');
  });

  it("reads inMyTeam as the reader's own team, on user fields only", () => {
    expect(parse({ owner: { inMyTeam: true } }, { ...open, me: U })).toMatchObject({ kind: 'teamOf', user: U });
    expect(refusal({ owner: { inMyTeam: true } })).toContain('needs a signed-in user');
    expect(refusal({ owner: { inMyTeam: U } }, { ...open, me: U })).toContain('must be true');
    expect(refusal({ stage: { inMyTeam: true } }, { ...open, me: U })).toContain('own user fields');
  });

  it('keeps the scope operators to the permission engine', () => {
    expect(refusal({ owner: { $inTeamOf: U } })).toContain('unknown operator');
    expect(parse({ owner: { $inTeamOf: U } }, { ...open, trusted: true })).toMatchObject({ kind: 'teamOf', user: U });
  });

  it('treats fields the reader may not see as unknown, also behind a lookup', () => {
    const hidden = {
      fieldAccess: (o: string): Record<string, 'none'> => (o === 'account' ? { secret: 'none' } : {}),
    };
    expect(refusal({ 'account.secret': { eq: 'x' } }, hidden)).toContain('unknown field');
    expect(parse({ 'account.name': { eq: 'x' } }, hidden)).toMatchObject({ kind: 'cmp' });
  });
});
