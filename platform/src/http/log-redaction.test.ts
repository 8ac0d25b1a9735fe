import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction';

describe('redactUrl', () => {
  it('cuts link tokens out of the path and credentials out of the query', () => {
    expect(redactUrl('/api/approvals/links/acme.AAAA.BBBB')).toBe('/api/approvals/links/[redacted]');
    expect(redactUrl('/api/approvals/links/acme.AAAA.BBBB?x=1')).toBe('/api/approvals/links/[redacted]?x=1');
    expect(redactUrl('/api/records/deal?token=abc&limit=5')).toBe('/api/records/deal?token=[redacted]&limit=5');
    expect(redactUrl('/api/x?a=1&access_token=abc')).toBe('/api/x?a=1&access_token=[redacted]');
  });

  it('leaves other URLs alone', () => {
    expect(redactUrl('/api/records/deal?limit=5&filter=%7B%7D')).toBe('/api/records/deal?limit=5&filter=%7B%7D');
    expect(redactUrl('/api/approvals/inbox')).toBe('/api/approvals/inbox');
  });
});
