import { describe, expect, it } from 'vitest';
import { filtersFromParams, filtersToParams, narrowingFor, periodRange } from './dashboard-filters';

const none = { period: '', from: '', to: '', owner: '', pick: '', value: '' } as const;

describe('dashboard filters', () => {
  it('round-trip through the address and ignore what is malformed', () => {
    const f = {
      ...none,
      period: 'custom',
      from: '2026-01-01',
      to: '2026-03-31',
      owner: 'me',
      pick: 'deal.stage',
      value: 'won',
    } as const;
    const params = filtersToParams(f, new URLSearchParams('tab=x'));
    expect(params.get('tab')).toBe('x');
    expect(filtersFromParams(params)).toEqual(f);
    expect(
      filtersFromParams(new URLSearchParams('period=forever&from=yesterday&owner=boss&pick=deal.stage;drop&value=won')),
    ).toEqual(none);
    expect(filtersFromParams(new URLSearchParams('pick=Deal.stage')).pick).toBe('');
  });

  it('turn presets into days, both included', () => {
    const at = (period: string) => periodRange({ ...none, period } as never, '2026-02-15');
    expect(at('this_month')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(at('last_month')).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(at('this_quarter')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(at('this_year')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(at('last_30_days')).toEqual({ from: '2026-01-17', to: '2026-02-15' });
    expect(periodRange({ ...none, period: 'last_month' }, '2026-01-10')).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
    });
    expect(at('')).toBeUndefined();
    expect(periodRange({ ...none, period: 'custom', to: '2026-01-05' }, '2026-02-15')).toEqual({ to: '2026-01-05' });
  });

  it('narrow each widget: owner everywhere, the picklist only on its object', () => {
    const f = { ...none, period: 'this_month', owner: 'me', pick: 'deal.stage', value: 'won' } as const;
    expect(narrowingFor(f, 'deal', 'u1', '2026-02-15')).toEqual({
      narrowing: {
        filter: { and: [{ owner: { eq: 'u1' } }, { stage: { eq: 'won' } }] },
        period: { from: '2026-02-01', to: '2026-02-28' },
      },
      pickNotApplied: false,
    });
    expect(narrowingFor(f, 'lead', 'u1', '2026-02-15')).toEqual({
      narrowing: { filter: { owner: { eq: 'u1' } }, period: { from: '2026-02-01', to: '2026-02-28' } },
      pickNotApplied: true,
    });
    expect(narrowingFor(none, 'deal', 'u1', '2026-02-15')).toEqual({ narrowing: {}, pickNotApplied: false });
  });

  it("narrow to the viewer's team or to another user, kept in the address", () => {
    const id = '0b5c3a4e-1f2d-4c3b-9a8e-7d6c5b4a3f21';
    expect(narrowingFor({ ...none, owner: 'team' }, 'deal', 'u1', '2026-02-15').narrowing).toEqual({
      filter: { owner: { inMyTeam: true } },
    });
    expect(narrowingFor({ ...none, owner: id }, 'deal', 'u1', '2026-02-15').narrowing).toEqual({
      filter: { owner: { eq: id } },
    });
    expect(filtersFromParams(new URLSearchParams('owner=team')).owner).toBe('team');
    expect(filtersFromParams(new URLSearchParams(`owner=${id}`)).owner).toBe(id);
    expect(filtersToParams({ ...none, owner: id }).toString()).toBe(`owner=${id}`);
    expect(filtersFromParams(new URLSearchParams('owner=everyone%27s')).owner).toBe('');
  });
});
