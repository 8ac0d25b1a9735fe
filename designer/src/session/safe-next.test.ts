import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext', () => {
  it('keeps in-app paths with their query', () => {
    expect(safeNext('/o/deal?view=mine')).toBe('/o/deal?view=mine');
    expect(safeNext('/designer')).toBe('/designer');
  });

  it('refuses other origins, protocol-relative and backslash tricks', () => {
    for (const bad of ['https://evil.test', '//evil.test', '/\\evil.test', 'javascript:alert(1)', 'evil', '/\n//x']) {
      expect(safeNext(bad)).toBe('/');
    }
  });

  it('does not loop back to the login page and handles missing values', () => {
    expect(safeNext('/login')).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('')).toBe('/');
  });
});
