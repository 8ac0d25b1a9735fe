import { describe, expect, it } from 'vitest';
import { messageIssue, messageProblem, renderMessage } from './message-template';

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

describe('messageIssue', () => {
  it('codes a syntax error and an unknown field with their facts', () => {
    const fields = new Set(['subject']);
    expect(messageIssue('Hi {{record.ghost}}', fields)).toEqual({
      message: 'unknown field "ghost" in {{…}}',
      code: 'message_unknown_field',
      params: { field: 'ghost' },
    });
    expect(messageIssue('Hi {{record.subject', fields)).toMatchObject({
      code: 'message_template_syntax',
      params: { error: expect.stringMatching(/./) },
    });
    expect(messageIssue('Hi {{record.subject}}', fields)).toBeUndefined();
  });
});
