import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { actionsOf, openTargetOf, type RecordAction } from './record-actions';

const meta = (actions: unknown): AppMeta => ({ version: 1, objects: {}, actions });

describe('actionsOf', () => {
  it('keeps well-formed script and plugin-endpoint actions of the object', () => {
    const list = [
      { name: 'win', label: 'Mark won', kind: 'script' },
      { name: 'convert', label: 'Convert', kind: 'endpoint', path: '/api/plugins/core-crm/leads/{id}/convert' },
    ];
    expect(actionsOf(meta({ lead: list }), 'lead')).toEqual(list);
    expect(actionsOf(meta({ lead: list }), 'deal')).toEqual([]);
  });

  it('drops endpoints outside the plugin routes and malformed entries', () => {
    const list = [
      { name: 'evil', label: 'Evil', kind: 'endpoint', path: 'https://evil.test/{id}' },
      { name: 'tenants', label: 'T', kind: 'endpoint', path: '/api/tenants/{id}' },
      { name: 'noid', label: 'N', kind: 'endpoint', path: '/api/plugins/x/y' },
      { name: 'Bad name', label: 'B', kind: 'script' },
      { name: 'nolabel', kind: 'script' },
      'nope',
      null,
    ];
    expect(actionsOf(meta({ lead: list }), 'lead')).toEqual([]);
    expect(actionsOf(meta('nope'), 'lead')).toEqual([]);
    expect(actionsOf(undefined, 'lead')).toEqual([]);
  });
});

describe('openTargetOf', () => {
  const script: RecordAction = { name: 'copy', label: 'Copy', kind: 'script' };
  const convert: RecordAction = { name: 'convert', label: 'Convert', kind: 'endpoint', path: '/x', open: 'deal' };

  it('follows a script result {open: {object, id}}', () => {
    expect(openTargetOf(script, { result: { open: { object: 'deal', id: 'd1' } } })).toEqual({
      object: 'deal',
      id: 'd1',
    });
    expect(openTargetOf(script, { result: 42 })).toBeUndefined();
    expect(openTargetOf(script, { result: { open: { object: '../x', id: 'd1' } } })).toBeUndefined();
  });

  it('follows the named key of an endpoint answer', () => {
    expect(openTargetOf(convert, { deal: { id: 'd2' }, lead: { id: 'l1' } })).toEqual({ object: 'deal', id: 'd2' });
    expect(openTargetOf(convert, { lead: { id: 'l1' } })).toBeUndefined();
    expect(openTargetOf({ ...convert, open: undefined } as RecordAction, { deal: { id: 'd2' } })).toBeUndefined();
    expect(openTargetOf(convert, null)).toBeUndefined();
  });
});
