/**
 * Editor commands shared by the top bar, the canvas controls and the keyboard
 * shortcuts (installed here, once).
 */
import { useCallback, useEffect, useMemo } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useEditor } from '../editor-context.tsx';
import { runTestRun } from '../panels/test-run-action.ts';
import { parseClipboardText } from '../store/clipboard.ts';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { addSubflow } from '../subflows/add-subflow.ts';
import { layoutFlow } from './auto-layout.ts';
import { findShortcut, isTypingTarget, type ShortcutAction } from './shortcuts.ts';

export interface EditorActions {
  readOnly: boolean;
  addAtCenter(type: string): void;
  /** Adds a node using the latest version of stored sub-flow `name`. */
  addSubflowAtCenter(name: string): void;
  layout(): void;
  fitView(): void;
  testRun(): void;
  saveVersion(): void;
  run(action: ShortcutAction): void;
}

export function useEditorActions(): EditorActions {
  const store = useDesignerStoreApi();
  const { api, flowId, readOnly } = useEditor();
  const rf = useReactFlow();

  const fitView = useCallback(() => void rf.fitView({ padding: 0.2, duration: 250, maxZoom: 1.1, minZoom: 0.05 }), [rf]);

  const layout = useCallback(() => {
    const doc = store.getState().document;
    if (!doc || readOnly) return;
    layoutFlow(doc, (id) => {
      // React Flow's own node holds the measured size; nodes never on screen have their estimated one.
      const n = rf.getInternalNode(id);
      const width = n?.measured.width ?? n?.initialWidth;
      const height = n?.measured.height ?? n?.initialHeight;
      return width && height ? { width, height } : undefined;
    }).then(
      (moves) => {
        store.getState().moveNodes(moves, 'once');
        setTimeout(fitView, 30);
      },
      (err) => store.getState().notify('error', `Could not arrange the flow: ${(err as Error).message}`),
    );
  }, [store, rf, readOnly, fitView]);

  const centre = useCallback(() => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    const n = store.getState().document?.nodes.length ?? 0;
    return { x: Math.round(p.x - 120 + (n % 5) * 12), y: Math.round(p.y - 40 + (n % 5) * 12) };
  }, [rf, store]);

  const addAtCenter = useCallback((type: string) => {
    if (!readOnly) store.getState().addNode(type, centre());
  }, [store, readOnly, centre]);

  const addSubflowAtCenter = useCallback((name: string) => {
    if (!readOnly) void addSubflow(store, api, name, centre());
  }, [store, api, readOnly, centre]);

  const testRun = useCallback(() => void runTestRun(store, api, flowId), [store, api, flowId]);
  const saveVersion = useCallback(() => !readOnly && store.getState().openDialog('save-version'), [store, readOnly]);

  const run = useCallback((action: ShortcutAction) => {
    const s = store.getState();
    const editing = !readOnly && !s.diffView;
    switch (action) {
      case 'undo': if (editing) s.undo(); break;
      case 'redo': if (editing) s.redo(); break;
      case 'copy': {
        const clip = s.copy();
        if (clip) void navigator.clipboard?.writeText(JSON.stringify(clip, null, 2)).catch(() => undefined);
        break;
      }
      case 'cut': {
        if (!editing) break;
        const clip = s.cut();
        if (clip) void navigator.clipboard?.writeText(JSON.stringify(clip, null, 2)).catch(() => undefined);
        break;
      }
      case 'paste': {
        if (!editing) break;
        // Prefer the system clipboard, so nodes copied in another tab or flow paste here too.
        const fallback = () => s.paste();
        if (!navigator.clipboard?.readText) fallback();
        else navigator.clipboard.readText().then((t) => { const c = parseClipboardText(t); if (c) store.getState().paste(c); else fallback(); }, fallback);
        break;
      }
      case 'duplicate': if (editing && s.copy()) s.paste(); break;
      case 'selectAll': s.selectAll(); break;
      case 'delete': if (editing) s.deleteSelection(); break;
      case 'fitView': fitView(); break;
      case 'layout': if (editing) layout(); break;
      case 'testRun': testRun(); break;
      case 'saveVersion': saveVersion(); break;
      case 'problems': s.toggleDrawer('problems'); break;
      case 'help': s.setHelpOpen(!s.helpOpen); break;
      case 'escape':
        if (s.helpOpen) s.setHelpOpen(false);
        else if (s.diffView) s.showDiff(null);
        else s.select([], []);
        break;
    }
  }, [store, readOnly, fitView, layout, testRun, saveVersion]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target) || document.querySelector('.dialog-backdrop')) return;
      const shortcut = findShortcut(e);
      if (!shortcut) return;
      e.preventDefault();
      run(shortcut.action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  return useMemo(() => ({ readOnly, addAtCenter, addSubflowAtCenter, layout, fitView, testRun, saveVersion, run }), [readOnly, addAtCenter, addSubflowAtCenter, layout, fitView, testRun, saveVersion, run]);
}
