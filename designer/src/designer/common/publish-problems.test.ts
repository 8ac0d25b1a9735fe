import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error';
import type { FullMetaDocument } from './meta-write-api';
import { describePublishError, errorsUnder, itemIssues, localizedProblem, summaryLines } from './publish-problems';

describe('describePublishError', () => {
  it('lists validation issues by JSON path, falling back to error.fields', () => {
    const withIssues = new ApiError('VALIDATION_FAILED', 'Invalid metadata', {
      status: 400,
      details: { issues: [{ path: '/objects/deal/properties/x/type', message: 'must be string' }, 'junk'] },
    });
    expect(describePublishError(withIssues)).toEqual({
      kind: 'invalid',
      message: 'Invalid metadata',
      problems: [{ path: '/objects/deal/properties/x/type', message: 'must be string' }],
    });
    const withFields = new ApiError('VALIDATION_FAILED', 'Invalid', { fields: { '/objects/a': 'bad name' } });
    expect(describePublishError(withFields).problems).toEqual([{ path: '/objects/a', message: 'bad name' }]);
  });

  it('tells a stale version apart from data and dependency conflicts', () => {
    const stale = new ApiError('CONFLICT', 'Changed meanwhile', { details: { expectedVersion: 3, currentVersion: 4 } });
    expect(describePublishError(stale)).toMatchObject({ kind: 'stale', currentVersion: 4 });
    const deps = new ApiError('CONFLICT', 'Still used', {
      details: {
        dependents: {
          'field:deal.amount': [{ via: 'formula', name: 'deal.net', path: '/objects/deal/properties/net' }],
        },
        checks: [{ path: '/objects/deal/required', message: '3 records have no value', count: 3 }],
      },
    });
    expect(describePublishError(deps)).toEqual({
      kind: 'conflict',
      message: 'Still used',
      problems: [
        { path: '/objects/deal/properties/net', message: 'field:deal.amount ← formula deal.net' },
        { path: '/objects/deal/required', message: '3 records have no value' },
      ],
    });
  });

  it('prefers the coded issues of a dependency conflict, so they can be translated', () => {
    const issue = {
      path: '/segments/big',
      code: 'still_used',
      message: 'Field "Score" (client.score) is still used by segment "Big" (big): change or remove that first',
      params: { kind: 'field', what: 'client.score', whatLabel: 'Score', via: 'segment', name: 'big', user: 'Big' },
    };
    const deps = new ApiError('CONFLICT', 'Still used', {
      details: {
        dependents: { 'field:client.score': [{ via: 'segment', name: 'segment big', path: '/segments/big' }] },
        issues: [issue],
      },
    });
    expect(describePublishError(deps)).toEqual({ kind: 'conflict', message: 'Still used', problems: [issue] });
  });

  it("names what a still_used issue is about in the admin's language, from the published document", () => {
    const doc = {
      version: 3,
      objects: {
        client: {
          type: 'object',
          title: 'Client',
          properties: { score: { type: 'number', title: 'Score', 'x-i18n': { 'zh-CN': { title: '评分' } } } },
        },
      },
      roles: {},
      workflows: {},
      scripts: {},
      forms: {},
      views: {},
      segments: {
        big: { label: 'Big', object: 'client', filter: {}, 'x-i18n': { 'zh-CN': { label: '大客户' } } },
      },
    } as unknown as FullMetaDocument;
    const issue = {
      code: 'still_used',
      message: 'English',
      params: { kind: 'field', what: 'client.score', whatLabel: 'Score', via: 'segment', name: 'big', user: 'Big' },
    };
    expect(localizedProblem(issue, doc, 'zh-CN').params).toMatchObject({ whatLabel: '评分', user: '大客户' });
    expect(localizedProblem(issue, doc, 'en').params).toMatchObject({ whatLabel: 'Score', user: 'Big' });
    // Anything else, or nothing to read from, as it came.
    expect(localizedProblem(issue, undefined, 'zh-CN')).toBe(issue);
    const other = { code: 'required', message: 'Required', params: { field: 'x' } };
    expect(localizedProblem(other, doc, 'zh-CN')).toBe(other);
  });

  it('passes other failures through with their message', () => {
    expect(describePublishError(new ApiError('NETWORK', 'offline'))).toEqual({
      kind: 'other',
      message: 'offline',
      problems: [],
    });
    expect(describePublishError(new Error('x')).kind).toBe('other');
  });
});

describe('summaryLines', () => {
  it('flattens sections and fields, renames included', () => {
    expect(
      summaryLines({
        objects: { added: ['deal'], removed: [], changed: ['account'] },
        forms: { added: [], removed: ['deal'], changed: [] },
        fields: { account: { added: ['phone'], removed: [], changed: [], renamed: [{ from: 'tel', to: 'mobile' }] } },
      }),
    ).toEqual([
      { section: 'objects', change: 'added', name: 'deal' },
      { section: 'objects', change: 'changed', name: 'account' },
      { section: 'forms', change: 'removed', name: 'deal' },
      { section: 'fields', change: 'added', name: 'account.phone' },
      { section: 'fields', change: 'renamed', name: 'account.tel → account.mobile' },
    ]);
    expect(summaryLines(undefined)).toEqual([]);
  });
});

describe('itemIssues', () => {
  it("places the server's issues at their paths inside the item", () => {
    expect(
      itemIssues('webForms', 'contact', [
        { path: '/webForms/contact/fields', message: '"Company" is required' },
        { path: '/webForms/contact/owner', message: 'Carl may not create Lead' },
        { path: '/webForms/contact/owner', message: 'again' },
        { path: '/webForms/contact', message: 'the form itself' },
        { message: 'Something else' },
      ]),
    ).toEqual({
      '/fields': '"Company" is required',
      '/owner': 'Carl may not create Lead; again',
      '/': 'the form itself; Something else',
    });
  });

  it('keeps the whole path of an issue about another part of the document', () => {
    expect(
      itemIssues('segments', 'big', [
        { path: '/segments/big/refresh/every', message: 'too often' },
        { path: '/roles/sales', message: 'a role' },
      ]),
    ).toEqual({ '/refresh/every': 'too often', '/roles/sales': 'a role' });
  });

  it("never places another item's issue in this one because its name begins with this one's", () => {
    expect(
      itemIssues('segments', 'big', [
        { path: '/segments/bigger/filter', message: "bigger's filter" },
        { path: '/segments/big/filter', message: "big's filter" },
      ]),
    ).toEqual({ '/segments/bigger/filter': "bigger's filter", '/filter': "big's filter" });
  });
});

describe('errorsUnder', () => {
  it('joins the messages at a path and below it', () => {
    const errors = itemIssues('automations', 'won', [
      { path: '/automations/won/actions/0/to/1', message: 'unknown role "x"' },
      { path: '/automations/won/actions/0/to', message: 'too many' },
      { path: '/automations/won/actions/0/toll', message: 'not under' },
      { path: '/automations/won/when', message: 'when.ghost: unknown field' },
    ]);
    expect(errorsUnder(errors, '/actions/0/to')).toBe('unknown role "x"; too many');
    expect(errorsUnder(errors, '/actions/0/title')).toBeUndefined();
  });
});
