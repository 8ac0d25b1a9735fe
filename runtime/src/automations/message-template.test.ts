import { describe, expect, it } from 'vitest';
import { messageProblem, renderMessage } from './message-template';

describe('message templates', () => {
  const fields = new Set(['subject', 'status']);

  it('renders record and old values as plain text (no HTML escaping)', () => {
    expect(
      renderMessage('{{record.subject}} was {{old.status}}', {
        record: { subject: 'A & <b>' },
        old: { status: 'new' },
      }),
    ).toBe('A & <b> was new');
  });

  it('never reaches prototype properties', () => {
    expect(renderMessage('{{record.constructor.name}}|{{record.__proto__}}', { record: {} })).toBe('|');
  });

  it('names syntax errors, unknown fields and unknown helpers', () => {
    expect(messageProblem('Hi {{record.subject}}', fields)).toBeUndefined();
    expect(messageProblem('Hi {{record.subject', fields)).toMatch(/template error/);
    expect(messageProblem('Hi {{record.ghost}}', fields)).toMatch(/unknown field "ghost"/);
    expect(messageProblem('{{lookup record "x"}}{{evil record}}', fields)).toMatch(/template error/);
  });
});
