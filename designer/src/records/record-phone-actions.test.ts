import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { phoneActions } from './record-phone-actions';

const meta: AppMeta = {
  version: 1,
  objects: {
    account: {
      properties: {
        name: { type: 'string' },
        phone: { type: 'string' },
        email: { type: 'string', format: 'email' },
        street: { type: 'string' },
        city: { type: 'string' },
        secret_mobile: { type: 'string', 'x-access': 'none' },
      },
    },
    quote: {
      properties: {
        account: { type: 'string', 'x-ref': 'account' },
        lines: { type: 'array', 'x-children': 'quote_line' },
      },
    },
    quote_line: { properties: { quote: { type: 'string', 'x-ref': 'quote' } } },
    activity: {
      'x-timeline': true,
      properties: {
        type: { type: 'string', enum: ['call', 'visit'] },
        account: { type: 'string', 'x-ref': 'account' },
        quote: { type: 'string', 'x-ref': 'quote' },
      },
    },
  },
};

describe('phoneActions', () => {
  it('calls, mails and maps from the filled fields, and logs a visit against the record', () => {
    const a = phoneActions(
      meta,
      'account',
      meta.objects.account!,
      { phone: ' +49 30 1234 ', email: 'a@b.test', street: 'Main St 1', city: 'Berlin' },
      'A1',
    );
    expect(a).toMatchObject({ call: '+49 30 1234', email: 'a@b.test', map: 'Main St 1, Berlin' });
    expect(a.logVisit).toBe('/o/activity/new?account=A1&type=visit');
    expect(a.related.map((r) => r.href)).toEqual(['/o/quote/new?account=A1', '/o/activity/new?account=A1']);
  });

  it('offers nothing for empty or hidden fields, and leaves line items to their parent form', () => {
    const a = phoneActions(meta, 'account', meta.objects.account!, { phone: '  ', secret_mobile: '555' }, 'A1');
    expect(a.call).toBeUndefined();
    expect(a.email).toBeUndefined();
    expect(a.map).toBeUndefined();
    const q = phoneActions(meta, 'quote', meta.objects.quote!, {}, 'Q1');
    expect(q.related.map((r) => r.object)).toEqual(['activity']);
  });
});
