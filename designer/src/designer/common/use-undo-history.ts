import { type KeyboardEvent as ReactKeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { initialUndoState, pushUndo, redoStep, undoKeyAction, undoStep, type UndoState } from './undo-history';

export interface UndoHistory<T> {
  value: T;
  /** A new value (or an updater of the current one), recorded as one undoable step. */
  set: (next: T | ((current: T) => T)) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Starts over from a value with an empty history (after loading or publishing). */
  reset: (value: T) => void;
  /**
   * Keyboard binding: put it on an editor's container (`onKeyDown={history.onKeyDown}`) so the
   * shortcuts work there; text inputs keep their own native undo.
   */
  onKeyDown: (e: ReactKeyboardEvent | KeyboardEvent) => void;
}

function isTextInput(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'range', 'color', 'file'].includes(target.type);
}

/** Undo/redo over any immutable value; see undo-history.ts for the rules. */
export function useUndoHistory<T>(initial: T): UndoHistory<T> {
  const [state, setState] = useState<UndoState<T>>(() => initialUndoState(initial));
  const set = useCallback(
    (next: T | ((current: T) => T)) =>
      setState((s) => pushUndo(s, typeof next === 'function' ? (next as (c: T) => T)(s.present) : next)),
    [],
  );
  const undo = useCallback(() => setState(undoStep), []);
  const redo = useCallback(() => setState(redoStep), []);
  const reset = useCallback((value: T) => setState(initialUndoState(value)), []);
  const onKeyDown = useCallback(
    (e: ReactKeyboardEvent | KeyboardEvent) => {
      const action = undoKeyAction(e);
      if (!action || isTextInput(e.target)) return;
      e.preventDefault();
      if (action === 'undo') undo();
      else redo();
    },
    [undo, redo],
  );
  return useMemo(
    () => ({
      value: state.present,
      set,
      undo,
      redo,
      canUndo: state.past.length > 0,
      canRedo: state.future.length > 0,
      reset,
      onKeyDown,
    }),
    [state, set, undo, redo, reset, onKeyDown],
  );
}

/**
 * Binds the shortcuts on the whole window while the calling screen is mounted (for full-page
 * editors without one focusable container).
 */
export function useUndoShortcuts(history: Pick<UndoHistory<unknown>, 'onKeyDown'>, enabled = true): void {
  const ref = useRef(history.onKeyDown);
  ref.current = history.onKeyDown;
  useEffect(() => {
    if (!enabled) return;
    const listener = (e: KeyboardEvent) => {
      // A dialog on top owns the keyboard.
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      ref.current(e);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [enabled]);
}
