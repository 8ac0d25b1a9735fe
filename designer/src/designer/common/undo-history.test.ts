import { describe, expect, it } from 'vitest';
import { initialUndoState, pushUndo, redoStep, undoKeyAction, undoStep } from './undo-history';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }>) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('undo history', () => {
  it('undoes and redoes in order, a new change dropping the redo stack', () => {
    let s = initialUndoState('a');
    s = pushUndo(s, 'b');
    s = pushUndo(s, 'c');
    s = undoStep(s);
    expect(s.present).toBe('b');
    s = undoStep(s);
    expect(s.present).toBe('a');
    s = redoStep(s);
    expect(s.present).toBe('b');
    s = pushUndo(s, 'd');
    expect(s.future).toEqual([]);
    expect(redoStep(s)).toBe(s);
    expect(s.past).toEqual(['a', 'b']);
  });

  it('treats the same value as no step and ignores undo/redo at the ends', () => {
    const obj = { x: 1 };
    const s = initialUndoState(obj);
    expect(pushUndo(s, obj)).toBe(s);
    expect(undoStep(s)).toBe(s);
    expect(redoStep(s)).toBe(s);
  });

  it('keeps at most the given number of past steps', () => {
    let s = initialUndoState(0);
    for (let i = 1; i <= 10; i++) s = pushUndo(s, i, 3);
    expect(s.past).toEqual([7, 8, 9]);
  });

  it('maps the platform shortcuts', () => {
    expect(undoKeyAction(key('z', { ctrlKey: true }))).toBe('undo');
    expect(undoKeyAction(key('z', { metaKey: true }))).toBe('undo');
    expect(undoKeyAction(key('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(undoKeyAction(key('y', { ctrlKey: true }))).toBe('redo');
    expect(undoKeyAction(key('z', {}))).toBeNull();
    expect(undoKeyAction(key('z', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(undoKeyAction(key('x', { ctrlKey: true }))).toBeNull();
  });
});
