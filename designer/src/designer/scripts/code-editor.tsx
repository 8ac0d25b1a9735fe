import { javascript } from '@codemirror/lang-javascript';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Annotation, Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { type Ref, useEffect, useImperativeHandle, useRef } from 'react';
import { problemRange, type SourceProblem } from './script-diagnostics';

/** Marks a document replaced from the `value` prop: not the user's edit, so not echoed to onChange. */
const fromProps = Annotation.define<boolean>();

export interface CodeEditorHandle {
  /** Moves the cursor to a problem and focuses the editor. */
  reveal: (p: SourceProblem) => void;
}

interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: 'js' | 'ts';
  problems: SourceProblem[];
  label: string;
  ref?: Ref<CodeEditorHandle>;
}

/**
 * CodeMirror 6 with JavaScript/TypeScript highlighting; the server's problems are shown as lint
 * diagnostics at their line (gutter marker, underline, message on hover). The view is created once
 * and fed changes, so typing never remounts it.
 */
export function CodeEditor({ value, onChange, language, problems, label, ref }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lang = useRef(new Compartment());
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once; later props are dispatched below.
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          lang.current.of(javascript({ typescript: language === 'ts' })),
          lintGutter(),
          // Long rules stay readable on a tablet without sideways scrolling.
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((tr) => tr.annotation(fromProps)))
              onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // A value from outside (another script picked, changes discarded) replaces the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value }, annotations: fromProps.of(true) });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(javascript({ typescript: language === 'ts' })) });
  }, [language]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const text = v.state.doc.toString();
    const diagnostics: Diagnostic[] = problems.map((p) => ({
      ...problemRange(text, p),
      severity: 'error',
      message: p.message,
    }));
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [problems]);

  useImperativeHandle(
    ref,
    () => ({
      reveal(p) {
        const v = view.current;
        if (!v) return;
        const { from } = problemRange(v.state.doc.toString(), p);
        v.dispatch({ selection: { anchor: from }, scrollIntoView: true });
        v.focus();
      },
    }),
    [],
  );

  return <div className="f-code-editor" ref={host} />;
}
