import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error';
import { problemRange, sourceProblemsByScript, sourceProblemsOf } from './script-diagnostics';

describe('sourceProblemsOf', () => {
  it('reads every compile problem of a refused save', () => {
    const e = new ApiError('VALIDATION_FAILED', 'The metadata is not valid', {
      status: 400,
      details: {
        issues: [
          { path: '/scripts/rule/code', message: "line 2, column 14: ';' expected." },
          { path: '/scripts/rule/code', message: 'line 5, column 1: Unexpected end' },
          { path: '/scripts/rule/event', message: 'must be one of …' },
        ],
      },
    });
    expect(sourceProblemsOf(e)).toEqual([
      { line: 2, column: 14, message: "';' expected." },
      { line: 5, column: 1, message: 'Unexpected end' },
    ]);
  });

  it('falls back to fields, and reads the place of a run-time failure', () => {
    const saved = new ApiError('VALIDATION_FAILED', 'x', { fields: { '/scripts/a/code': 'line 3, column 7: boom' } });
    expect(sourceProblemsOf(saved)).toEqual([{ line: 3, column: 7, message: 'boom' }]);
    const failed = new ApiError('SCRIPT_FAILED', 'Script "a" failed at line 2, column 14: TypeError', {
      details: { line: 2, column: 14, reason: 'error' },
    });
    expect(sourceProblemsOf(failed)).toEqual([{ line: 2, column: 14, message: failed.message }]);
  });

  it('is empty for errors without a place in the source', () => {
    expect(sourceProblemsOf(new ApiError('SCRIPT_FAILED', 'timed out', { details: { reason: 'timeout' } }))).toEqual(
      [],
    );
    expect(sourceProblemsOf(new ApiError('CONFLICT', 'stale'))).toEqual([]);
    expect(sourceProblemsOf(new Error('x'))).toEqual([]);
  });
});

describe('problemRange', () => {
  const text = 'const a = 1;\nif (record.amount > 10) error("amount", "too big");';
  it('underlines the word at the line and column', () => {
    const r = problemRange(text, { line: 2, column: 5, message: '' });
    expect(text.slice(r.from, r.to)).toBe('record');
  });

  it('underlines one character where no word starts, and clamps stale positions', () => {
    const r = problemRange(text, { line: 1, column: 9, message: '' });
    expect(text.slice(r.from, r.to)).toBe('=');
    const past = problemRange(text, { line: 99, column: 999, message: '' });
    expect(past.from).toBe(text.length);
    expect(past.to).toBe(text.length);
    expect(problemRange('', { line: 1, column: 1, message: '' })).toEqual({ from: 0, to: 0 });
  });
});

describe('sourceProblemsByScript', () => {
  it('sorts a refused publish’s compile problems by script and leaves other problems out', () => {
    const e = new ApiError('VALIDATION_FAILED', 'The metadata is not valid', {
      status: 400,
      details: {
        issues: [
          { path: '/scripts/rule/code', message: "line 2, column 14: ';' expected." },
          { path: '/scripts/other_rule/code', message: 'line 1, column 3: Unexpected token' },
          { path: '/scripts/rule/event', message: 'must be one of …' },
          { path: '/roles/x', message: 'line 1, column 1: not code' },
        ],
      },
    });
    expect(sourceProblemsByScript(e)).toEqual({
      rule: [{ line: 2, column: 14, message: "';' expected." }],
      other_rule: [{ line: 1, column: 3, message: 'Unexpected token' }],
    });
    const older = new ApiError('VALIDATION_FAILED', 'x', { fields: { '/scripts/a/code': 'line 3, column 7: boom' } });
    expect(sourceProblemsByScript(older)).toEqual({ a: [{ line: 3, column: 7, message: 'boom' }] });
    expect(sourceProblemsByScript(new ApiError('CONFLICT', 'newer version', {}))).toEqual({});
    expect(sourceProblemsByScript(new Error('network'))).toEqual({});
  });
});
