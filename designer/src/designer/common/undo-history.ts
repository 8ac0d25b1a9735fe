/**
 * The pure state behind useUndoHistory: a present value with bounded past and future stacks.
 * Kept free of React so the rules (what a no-op is, when redo is lost) are unit-tested.
 */
export interface UndoState<T> {
  past: T[];
  present: T;
  future: T[];
}

/** Enough for a long editing session without keeping every keystroke of a big document forever. */
export const UNDO_LIMIT = 200;

export function initialUndoState<T>(value: T): UndoState<T> {
  return { past: [], present: value, future: [] };
}

/**
 * A new present. Setting the same value (by identity) is no step at all, so re-renders that hand
 * back the current value do not fill the stack; a real change clears redo.
 */
export function pushUndo<T>(state: UndoState<T>, next: T, limit = UNDO_LIMIT): UndoState<T> {
  if (Object.is(next, state.present)) return state;
  const past = [...state.past, state.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: next, future: [] };
}

export function undoStep<T>(state: UndoState<T>): UndoState<T> {
  const previous = state.past.at(-1);
  if (state.past.length === 0) return state;
  return { past: state.past.slice(0, -1), present: previous as T, future: [state.present, ...state.future] };
}

export function redoStep<T>(state: UndoState<T>): UndoState<T> {
  if (state.future.length === 0) return state;
  const [next, ...future] = state.future;
  return { past: [...state.past, state.present], present: next as T, future };
}

/** Which history action a keyboard event asks for: Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z or Ctrl+Y redoes. */
export function undoKeyAction(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !e.shiftKey) return 'redo';
  return null;
}
