import { describe, expect, it } from 'vitest';
import { addIsoDuration, parseIsoDuration } from './iso-duration';

describe('parseIsoDuration', () => {
  it('reads the units of a duration', () => {
    expect(parseIsoDuration('PT48H')).toMatchObject({ hours: 48, days: 0 });
    expect(parseIsoDuration('P1DT2H30M')).toMatchObject({ days: 1, hours: 2, minutes: 30 });
    expect(parseIsoDuration('P2W')).toMatchObject({ weeks: 2 });
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '48H', 'P1.5D', 'PT-1H', 'P1DT', "PT1H'; drop table x"])
      expect(parseIsoDuration(bad)).toBeUndefined();
  });
});

describe('addIsoDuration', () => {
  it('adds to an instant', () => {
    const at = new Date('2026-01-31T10:00:00Z');
    expect(addIsoDuration(at, 'PT48H').toISOString()).toBe('2026-02-02T10:00:00.000Z');
    expect(addIsoDuration(at, 'PT30M').toISOString()).toBe('2026-01-31T10:30:00.000Z');
  });

  it('throws on a malformed duration', () => {
    expect(() => addIsoDuration(new Date(), 'soon')).toThrow(/Invalid/);
  });
});
