/** A CodeMirror 6 editor for JSONata as a controlled React component. */
import { useEffect, useRef } from 'react';
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt, drawSelection, highlightActiveLine, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { lintGutter } from '@codemirror/lint';
import { jsonataHighlight, jsonataLanguage } from './jsonata-language.ts';
import { jsonataCompletion } from './jsonata-completion.ts';
import { jsonataLinter } from './jsonata-lint.ts';
import type { FieldNode } from './field-paths.ts';

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** Read on every completion, so it may change without re-creating the editor. */
  fields: () => FieldNode[];
  readOnly?: boolean;
  placeholder?: string;
  minLines?: number;
  large?: boolean;
  autoFocus?: boolean;
  ariaLabel?: string;
}

export function CodeEditor({ value, onChange, fields, readOnly, placeholder, minLines = 1, large, autoFocus, ariaLabel }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const fieldsRef = useRef(fields);
  const readOnlyCompartment = useRef(new Compartment());
  onChangeRef.current = onChange;
  fieldsRef.current = fields;

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        jsonataLanguage,
        jsonataHighlight,
        jsonataLinter,
        large ? [lineNumbers(), lintGutter(), highlightActiveLine()] : [],
        autocompletion({ override: [jsonataCompletion(() => fieldsRef.current())], icons: true, activateOnTyping: true }),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        placeholder ? placeholderExt(placeholder) : [],
        readOnlyCompartment.current.of(EditorState.readOnly.of(!!readOnly)),
        EditorView.lineWrapping,
        // An explicit tabindex: checkers (and some screen readers) count only it as focusable, not contenteditable.
        EditorView.contentAttributes.of({ 'aria-label': ariaLabel ?? 'JSONata expression', spellcheck: 'false', tabindex: '0' }),
        EditorView.theme({ '.cm-content': { minHeight: `${minLines * 1.5}em` } }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChangeRef.current(u.state.doc.toString());
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    if (autoFocus) v.focus();
    return () => v.destroy();
    // The editor is created once; value and readOnly are synchronised below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnlyCompartment.current.reconfigure(EditorState.readOnly.of(!!readOnly)) });
  }, [readOnly]);

  return <div ref={host} className={`code-editor ${large ? 'code-editor-large' : ''} ${readOnly ? 'read-only' : ''}`} />;
}
