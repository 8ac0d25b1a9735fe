import { describe, expect, it } from 'vitest';
import type { AfterSavePayload } from '../records/record-hooks';
import { eventsOf } from './webhook-events';

const change = (action: AfterSavePayload['action'], changes: AfterSavePayload['changes'] = {}): AfterSavePayload => ({
  object: 'case',
  id: 'x',
  action,
  record: {},
  old: null,
  changes,
});

describe('eventsOf', () => {
  it('maps creates and deletes; restores send nothing', () => {
    expect(eventsOf(change('create'), [])).toEqual(['created']);
    expect(eventsOf(change('delete'), ['status'])).toEqual(['deleted']);
    expect(eventsOf(change('restore'), [])).toEqual([]);
  });

  it('sends updates only when a listed field changed', () => {
    expect(eventsOf(change('update', { note: ['a', 'b'] }), [])).toEqual(['updated']);
    expect(eventsOf(change('update', { note: ['a', 'b'] }), ['status'])).toEqual([]);
    expect(eventsOf(change('update', { status: ['new', 'open'] }), ['status'])).toEqual(['updated']);
    expect(eventsOf(change('update', {}), [])).toEqual([]);
  });

  it('adds approval_decided when the approval ends, not when it starts', () => {
    expect(eventsOf(change('update', { approval_status: ['pending', 'approved'] }), ['status'])).toEqual([
      'approval_decided',
    ]);
    expect(eventsOf(change('update', { approval_status: ['pending', 'rejected'] }), [])).toEqual([
      'updated',
      'approval_decided',
    ]);
    expect(eventsOf(change('update', { approval_status: ['none', 'pending'] }), ['status'])).toEqual([]);
  });
});
