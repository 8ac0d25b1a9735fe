import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import type { Ctx } from '../ctx';
import { sampleDataLoader } from './load-sample-data';
import type { TemplateDefinition } from './template-registry';

type Row = Record<string, unknown>;

/** Just enough of a model: each field's kind, and lookups. */
const fields: Record<string, Record<string, { kind: string; ref?: string }>> = {
  deal: {
    name: { kind: 'text' },
    close_on: { kind: 'date' },
    note: { kind: 'text' },
    account: { kind: 'lookup', ref: 'account' },
  },
  account: { name: { kind: 'text' }, seen_at: { kind: 'datetime' } },
};
const model = {
  object: (name: string) => ({ fields: new Map(Object.entries(fields[name] ?? {})) }),
};

function harness(opts: { volume?: 'full' | 'story' } = {}) {
  const saved: Record<string, Row[]> = {};
  const users: string[] = [];
  const updates: Array<[string, string, unknown]> = [];
  let id = 0;
  const load = sampleDataLoader({
    meta: { model: async () => model as never },
    records: {
      async createMany(_ctx, object, rows) {
        saved[object] = [...(saved[object] ?? []), ...(rows as Row[])];
        return { created: rows.map(() => ({ id: `id${++id}` })), failed: [] };
      },
      async update(_ctx, object, recordId, changes) {
        updates.push([object, recordId, changes]);
        if ((changes as Row).status === 'refused') throw Object.assign(new Error('no'), { fields: { status: 'No' } });
      },
    },
    users: {
      async insert(_ctx, input) {
        users.push(input.email);
        return { id: `u${++id}` };
      },
    },
    clock: new ManualClock('2026-03-15T10:00:00Z'),
    ...opts,
  });
  const run = (sampleData: Record<string, Row[]>) =>
    load({} as Ctx, { name: 't', label: 'T', version: '1', document: {}, sampleData } as TemplateDefinition);
  return { run, saved, users, updates };
}

describe('sample data loader', () => {
  it('resolves relative dates with the runtime clock, in date and date-time fields only', async () => {
    const { run, saved } = harness();
    await run({
      account: [
        { _key: 'a', name: 'A', seen_at: '$now-2h' },
        { name: 'B', seen_at: '$now+90m' },
      ],
      deal: [
        { name: 'today', close_on: '$today', account: '@a', note: '$today' },
        { name: 'back', close_on: '$today-30' },
        { name: 'ahead', close_on: '$today+20' },
        { name: 'months', close_on: '$today-2m' },
        { name: 'years', close_on: '$today-1y' },
        { name: 'not a token', close_on: '$today-soon' },
      ],
    });
    expect(saved.account!.map((r) => r.seen_at)).toEqual(['2026-03-15T08:00:00.000Z', '2026-03-15T11:30:00.000Z']);
    expect(saved.deal!.map((r) => r.close_on)).toEqual([
      '2026-03-15',
      '2026-02-13',
      '2026-04-04',
      '2026-01-15',
      '2025-03-15',
      // Left as written: the records engine refuses it as a date with the field named.
      '$today-soon',
    ]);
    expect(saved.deal![0]).toMatchObject({ account: 'id1', note: '$today' });
  });

  it('loads bulk rows marked _volume unless the runtime keeps sample data to the story', async () => {
    const data = () => ({
      users: [
        { _key: 'm', email: 'm@x.test', name: 'M', password: 'pw123456' },
        { _key: 'v', email: 'v@x.test', name: 'V', password: 'pw123456', _volume: true },
      ],
      account: [
        { _key: 'a', name: 'Story' },
        { name: 'Bulk', _volume: true },
      ],
      deal: [{ name: 'Bulk deal', account: '@a', _volume: true }],
    });
    const full = harness();
    await full.run(data());
    expect(full.users).toEqual(['m@x.test', 'v@x.test']);
    expect(full.saved.account).toEqual([{ name: 'Story' }, { name: 'Bulk' }]);
    expect(full.saved.deal).toEqual([{ name: 'Bulk deal', account: 'id3' }]);

    const story = harness({ volume: 'story' });
    await story.run(data());
    expect(story.users).toEqual(['m@x.test']);
    expect(story.saved.account).toEqual([{ name: 'Story' }]);
    expect(story.saved.deal).toBeUndefined();
  });

  it('walks a row through its later steps: _then after its batch, _finally after every object', async () => {
    const { run, saved, updates } = harness();
    await run({
      deal: [
        {
          _key: 'd',
          name: 'Order',
          _then: [{ note: 'confirmed' }, { close_on: '$today+1' }],
          _finally: [{ note: 'delivered', account: '@a' }],
        },
      ],
      account: [{ _key: 'a', name: 'A', _then: [{ name: 'A2' }] }],
    });
    expect(saved.deal).toEqual([{ name: 'Order' }]);
    expect(updates).toEqual([
      ['deal', 'id1', { note: 'confirmed' }],
      ['deal', 'id1', { close_on: '2026-03-16' }],
      ['account', 'id2', { name: 'A2' }],
      ['deal', 'id1', { note: 'delivered', account: 'id2' }],
    ]);
  });

  it('names the row and the step when the template refuses a later step', async () => {
    const { run } = harness();
    await expect(run({ deal: [{ name: 'x' }, { name: 'y', _then: [{ status: 'refused' }] }] })).rejects.toMatchObject({
      message: expect.stringContaining('Sample deal #1 of template t'),
      fields: { status: 'No' },
    });
  });
});
