import { describe, expect, it } from 'vitest';
import { exportFileName } from './templates-api';

describe('exportFileName', () => {
  const day = new Date('2026-11-23T15:04:05Z');
  it('names the tenant, the layer and the day', () => {
    expect(exportFileName('acme', 'all', day)).toBe('acme-configuration-2026-11-23.json');
    expect(exportFileName('acme', 'own', day)).toBe('acme-configuration-own-2026-11-23.json');
  });

  it('never lets a display name put path characters into the file name', () => {
    expect(exportFileName('../Acme Corp/..', 'all', day)).toBe('Acme-Corp-configuration-2026-11-23.json');
    expect(exportFileName('', 'all', day)).toBe('forma-configuration-2026-11-23.json');
  });
});
