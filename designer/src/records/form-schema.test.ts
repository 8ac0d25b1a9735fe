import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { buildRecordForm, clearChangedFieldErrors, extraErrorsOf, payloadOf, toFormData } from './form-schema';

const deal: ObjectSchema = {
  title: 'Deal',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } }, 'x-unique': true },
    amount: { type: 'number', 'x-kind': 'currency', minimum: 0 },
    discount: { type: 'number', 'x-kind': 'percent', 'x-access': 'read' },
    stage: { type: 'string', enum: ['new', 'won'], 'x-i18n': { 'zh-CN': { enum: { won: '赢单' } } } },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    net: { type: 'number', 'x-formula': 'record.amount' },
    number: { type: 'string', 'x-autonumber': 'D-{0000}' },
    secret: { type: 'string', 'x-access': 'none' },
    notes: { type: 'string', 'x-kind': 'textarea' },
    tags: { type: 'array', items: { type: 'string', enum: ['hot', 'cold'] } },
    lines: { type: 'array', 'x-children': 'line' },
  },
  required: ['name', 'amount', 'discount'],
};

describe('buildRecordForm', () => {
  const form = buildRecordForm(
    deal,
    { uiSchema: { notes: { 'ui:placeholder': 'Anything' }, 'ui:order': ['secret', 'stage', 'ghost'] } },
    'zh-CN',
  );
  const props = form.schema.properties as Record<string, Record<string, unknown>>;
  const ui = form.uiSchema as Record<string, Record<string, unknown>>;

  it('leaves out hidden fields and line items, and the x- vocabulary', () => {
    expect(Object.keys(props)).not.toContain('secret');
    expect(Object.keys(props)).not.toContain('lines');
    expect(props.name).toEqual({ type: 'string', maxLength: 200, title: '名称' });
  });

  it('locks computed and read-only fields, never sends them, never requires them', () => {
    for (const f of ['net', 'number', 'discount']) {
      expect(props[f]?.readOnly, f).toBe(true);
      expect(ui[f]?.['ui:readonly'], f).toBe(true);
    }
    expect(form.writable).toEqual(['name', 'amount', 'stage', 'account', 'notes', 'tags']);
    expect(form.schema.required).toEqual(['name', 'amount']);
  });

  it('picks a widget per kind, with translated enum labels', () => {
    expect(ui.amount?.['ui:widget']).toBe('currency');
    expect(ui.account).toMatchObject({ 'ui:widget': 'lookup', 'ui:options': { ref: 'account' } });
    expect(ui.stage?.['ui:enumNames']).toEqual(['New', '赢单']);
    expect(ui.notes).toMatchObject({ 'ui:widget': 'textarea', 'ui:placeholder': 'Anything' });
    expect(ui.tags?.['ui:widget']).toBe('checkboxes');
  });

  it('keeps only visible fields of the form order', () => {
    expect(form.uiSchema['ui:order']).toEqual(['stage', '*']);
  });
});

describe('payloads', () => {
  const form = buildRecordForm(deal, undefined, 'en');

  it('create: every writable field with a value, nothing computed', () => {
    expect(payloadOf({ name: 'A', amount: 5, net: 5, number: 'D-1', notes: '' }, form)).toEqual({
      name: 'A',
      amount: 5,
    });
  });

  it('update: only changes, a cleared field as null', () => {
    const original = { id: 'x', name: 'A', amount: 5, notes: 'old', net: 5 };
    expect(payloadOf({ name: 'A', amount: 6, net: 99 }, form, original)).toEqual({ amount: 6, notes: null });
  });

  it('form data drops nulls and fields the form does not show', () => {
    expect(toFormData({ id: 'x', name: 'A', notes: null, secret: 's', version: 3 }, form)).toEqual({ name: 'A' });
  });
});

describe('extraErrorsOf', () => {
  const form = buildRecordForm(deal, undefined, 'en');
  it('puts server messages on their fields, the rest on the form', () => {
    expect(extraErrorsOf({ discount: 'Too high', '/amount': 'Must be >= 0', ghost: 'Unknown field' }, form)).toEqual({
      discount: { __errors: ['Too high'] },
      amount: { __errors: ['Must be >= 0'] },
      __errors: ['Unknown field'],
    });
    expect(extraErrorsOf(undefined, form)).toBeUndefined();
  });
});

describe('line items', () => {
  const quote: ObjectSchema = {
    properties: {
      name: { type: 'string' },
      lines: { type: 'array', title: 'Lines', 'x-children': { object: 'quote_line', field: 'quote' } },
      subtotal: { type: 'number', 'x-rollup': { children: 'lines', op: 'sum', field: 'amount' } },
    },
  };
  const line: ObjectSchema = {
    properties: {
      quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
      product: { type: 'string', format: 'uuid', 'x-ref': 'product' },
      quantity: { type: 'number', default: 1 },
      cost: { type: 'number', 'x-access': 'none' },
      margin: { type: 'number', 'x-access': 'read' },
      amount: { type: 'number', 'x-formula': 'record.quantity' },
    },
  };
  const form = buildRecordForm(quote, undefined, 'en', { quote, quote_line: line });

  it('edits readable children as a grid: parent link and hidden fields left out, computed ones shown only', () => {
    expect(form.lineItems.lines).toEqual({
      object: 'quote_line',
      parent: 'quote',
      columns: ['product', 'quantity', 'margin', 'amount'],
      writable: ['product', 'quantity'],
    });
    expect((form.uiSchema as Record<string, Record<string, unknown>>).lines?.['ui:field']).toBe('lineItems');
    expect(form.writable).toContain('lines');
  });

  it('leaves the field out when the child object is not readable', () => {
    const hidden = buildRecordForm(quote, undefined, 'en', { quote });
    expect(hidden.lineItems).toEqual({});
    expect((hidden.schema.properties as Record<string, unknown>).lines).toBeUndefined();
  });

  it('sends ids and writable fields only, and only when the rows changed', () => {
    const stored = { id: 'q', lines: [{ id: 'l1', quote: 'q', product: 'p', quantity: 2, amount: 20, version: 1 }] };
    expect(payloadOf(toFormData(stored, form), form, stored)).toEqual({});
    const edited = { lines: [...stored.lines, { _key: 'new-1', product: 'p2', quantity: 3, margin: 5, amount: 9 }] };
    expect(payloadOf(edited, form, stored)).toEqual({
      lines: [
        { id: 'l1', product: 'p', quantity: 2 },
        { product: 'p2', quantity: 3 },
      ],
    });
    expect(payloadOf({ lines: [] }, form, stored)).toEqual({ lines: [] });
    expect(payloadOf({ name: 'A', lines: [] }, form)).toEqual({ name: 'A' });
  });

  it('puts a row’s server error on the grid, worded by the caller', () => {
    const out = extraErrorsOf(
      { 'lines.1.quantity': 'must be >= 0', 'lines.0.product': 'unknown' },
      form,
      (f, r, c, m) => [f, r, c, m].join('|'),
    );
    expect(out).toEqual({ lines: { __errors: ['lines|1|quantity|must be >= 0', 'lines|0|product|unknown'] } });
  });
});

describe('clearChangedFieldErrors', () => {
  it('drops the errors of changed fields (line rows by their field) and keeps the others', () => {
    const errors = { discount: 'Too high', 'lines.1.quantity': 'Must be positive', '': 'Rule failed', name: 'Taken' };
    const before = { discount: 30, name: 'A', lines: [{ q: 1 }, { q: -1 }] };
    expect(clearChangedFieldErrors(errors, before, { ...before, discount: 10 })).toEqual({
      'lines.1.quantity': 'Must be positive',
      '': 'Rule failed',
      name: 'Taken',
    });
    expect(clearChangedFieldErrors(errors, before, { ...before, lines: [{ q: 1 }, { q: 2 }] })).toEqual({
      discount: 'Too high',
      '': 'Rule failed',
      name: 'Taken',
    });
    // Nothing changed: the same object, so React does not re-render for nothing.
    expect(clearChangedFieldErrors(errors, before, { ...before })).toBe(errors);
    expect(clearChangedFieldErrors({ discount: 'x' }, before, { ...before, discount: 1 })).toBeUndefined();
  });
});

describe('retired picklist options', () => {
  const ticket: ObjectSchema = {
    title: 'Ticket',
    properties: {
      channel: {
        type: 'string',
        enum: ['phone', 'fax', 'web'],
        'x-enum-labels': { fax: 'Fax' },
        'x-enum-retired': ['fax'],
      },
      tags: { type: 'array', items: { type: 'string', enum: ['vip', 'legacy'] }, 'x-enum-retired': ['legacy'] },
    },
  };
  const props = (f: ReturnType<typeof buildRecordForm>) =>
    f.schema.properties as Record<string, Record<string, unknown>>;

  it('offers no retired option to a new record', () => {
    const form = buildRecordForm(ticket, undefined, 'en');
    expect(props(form).channel!.enum).toEqual(['phone', 'web']);
    expect((props(form).tags!.items as { enum: string[] }).enum).toEqual(['vip']);
  });

  it('keeps a record its own retired value, with its label', () => {
    const form = buildRecordForm(ticket, undefined, 'en', undefined, { channel: 'fax', tags: ['legacy'] });
    expect(props(form).channel!.enum).toEqual(['phone', 'fax', 'web']);
    expect((form.uiSchema as Record<string, Record<string, unknown>>).channel!['ui:enumNames']).toContain('Fax');
    expect((props(form).tags!.items as { enum: string[] }).enum).toEqual(['vip', 'legacy']);
  });
});
