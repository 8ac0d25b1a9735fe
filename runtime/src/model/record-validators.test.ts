import { describe, expect, it } from 'vitest';
import { loadModel } from './load-model';
import { compileRecordValidators } from './record-validators';

const dealModel = (version: number, stages: string[]) =>
  loadModel(
    {
      objects: {
        deal: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 20 },
            amount: { type: 'number', minimum: 0 },
            stage: { type: 'string', enum: stages },
            close_on: { type: 'string', format: 'date' },
          },
        },
      },
    },
    version,
  ).object('deal');

describe('record validators', () => {
  it('keep judging payloads by their own model after many more objects were compiled (ajv instances are shared)', () => {
    const first = compileRecordValidators(dealModel(1, ['open', 'won']));
    // More compilations than one shared ajv instance serves, each with its own picklist.
    const many = loadModel(
      {
        objects: Object.fromEntries(
          Array.from({ length: 51 }, (_, i) => [
            `o${i}`,
            {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', maxLength: 20 }, stage: { type: 'string', enum: [`s${i}`] } },
            },
          ]),
        ),
      },
      2,
    );
    const later = Array.from({ length: 51 }, (_, i) => compileRecordValidators(many.object(`o${i}`)));

    expect(first.create({ name: 'Acme', amount: 5, stage: 'won', close_on: '2026-01-31' }).ok).toBe(true);
    const bad = first.create({ amount: -1, stage: 's7', close_on: 'soon', color: 'red' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(Object.keys(bad.codes).sort()).toEqual(['amount', 'close_on', 'color', 'name', 'stage']);
    expect(first.update({ amount: 3 }).ok).toBe(true);
    expect(first.update({ name: null }).ok).toBe(false);

    // The last one compiled knows only its own stage, the first one's are unknown to it.
    const last = later.at(-1)!;
    expect(last.create({ name: 'Globex', stage: 's50' }).ok).toBe(true);
    expect(last.create({ name: 'Globex', stage: 'won' }).ok).toBe(false);
    // A validator's errors are its own: a failure of one leaves another's next answer alone.
    expect(later[5]!.create({ name: 'x'.repeat(21) }).ok).toBe(false);
    expect(later[6]!.create({ name: 'fine', stage: 's5' }).ok).toBe(false);
    expect(later[6]!.create({ name: 'fine', stage: 's6' }).ok).toBe(true);
  });
});
