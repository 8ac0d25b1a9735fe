import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { ownLayer } from './own-layer';

const template: MetadataDocument = {
  objects: {
    account: { type: 'object', properties: { name: { type: 'string' } } },
    deal: { type: 'object', properties: { name: { type: 'string' } } },
  },
  roles: { rep: { label: 'Rep' } },
};

describe('ownLayer', () => {
  it("keeps only what the tenant added or changed, ignoring the tenant's ids", () => {
    const current: MetadataDocument = {
      objects: {
        account: { type: 'object', 'x-id': 'a1', properties: { name: { type: 'string', 'x-id': 'f1' } } },
        deal: { type: 'object', properties: { name: { type: 'string' }, region: { type: 'string' } } },
        invoice: { type: 'object', properties: {} },
      },
      roles: { rep: { label: 'Rep' }, boss: { label: 'Boss' } },
      views: {},
    };
    const own = ownLayer(current, [template]);
    expect(Object.keys(own.objects ?? {})).toEqual(['deal', 'invoice']);
    expect(own.objects?.deal).toEqual(current.objects?.deal);
    expect(Object.keys(own.roles ?? {})).toEqual(['boss']);
    expect(own.views).toEqual({});
  });

  it('is the whole document without templates', () => {
    expect(ownLayer(template, [])).toMatchObject(template);
  });
});
