/** Keyboard shortcuts of the editor: one list for the handler and the help panel. */

export type ShortcutAction =
  | 'delete' | 'copy' | 'cut' | 'paste' | 'undo' | 'redo' | 'selectAll' | 'fitView' | 'layout'
  | 'help' | 'testRun' | 'saveVersion' | 'problems' | 'escape' | 'duplicate';

export interface Shortcut {
  action: ShortcutAction;
  /** Shown in the help panel; `Mod` is ⌘ on a Mac and Ctrl elsewhere. */
  keys: string[];
  label: string;
  match(e: KeyboardEvent, mod: boolean): boolean;
}

const key = (e: KeyboardEvent) => e.key.toLowerCase();

export const SHORTCUTS: Shortcut[] = [
  { action: 'undo', keys: ['Mod+Z'], label: 'Undo', match: (e, mod) => mod && !e.shiftKey && key(e) === 'z' },
  { action: 'redo', keys: ['Mod+Shift+Z', 'Mod+Y'], label: 'Redo', match: (e, mod) => mod && ((e.shiftKey && key(e) === 'z') || key(e) === 'y') },
  { action: 'copy', keys: ['Mod+C'], label: 'Copy selected nodes', match: (e, mod) => mod && key(e) === 'c' },
  { action: 'cut', keys: ['Mod+X'], label: 'Cut selected nodes', match: (e, mod) => mod && key(e) === 'x' },
  { action: 'paste', keys: ['Mod+V'], label: 'Paste nodes', match: (e, mod) => mod && key(e) === 'v' },
  { action: 'duplicate', keys: ['Mod+D'], label: 'Duplicate selected nodes', match: (e, mod) => mod && key(e) === 'd' },
  { action: 'selectAll', keys: ['Mod+A'], label: 'Select everything', match: (e, mod) => mod && key(e) === 'a' },
  { action: 'delete', keys: ['Delete', 'Backspace'], label: 'Delete selection', match: (e, mod) => !mod && (e.key === 'Delete' || e.key === 'Backspace') },
  { action: 'fitView', keys: ['F'], label: 'Zoom to fit', match: (e, mod) => !mod && !e.shiftKey && key(e) === 'f' },
  { action: 'layout', keys: ['Shift+L'], label: 'Arrange automatically', match: (e, mod) => !mod && e.shiftKey && key(e) === 'l' },
  { action: 'testRun', keys: ['Mod+Enter'], label: 'Test run on the sample', match: (e, mod) => mod && e.key === 'Enter' },
  { action: 'saveVersion', keys: ['Mod+S'], label: 'Save a version', match: (e, mod) => mod && key(e) === 's' },
  { action: 'problems', keys: ['Shift+P'], label: 'Show problems', match: (e, mod) => !mod && e.shiftKey && key(e) === 'p' },
  { action: 'help', keys: ['?'], label: 'Show these shortcuts', match: (e) => e.key === '?' },
  { action: 'escape', keys: ['Esc'], label: 'Clear selection, close panels', match: (e) => e.key === 'Escape' },
];

/** Multi-select is React Flow's: Shift+click, or Shift+drag a box. Listed for the help panel. */
export const POINTER_HINTS: { keys: string[]; label: string }[] = [
  { keys: ['Shift+Click'], label: 'Add a node to the selection' },
  { keys: ['Shift+Drag'], label: 'Select with a box' },
  { keys: ['Drag port → port'], label: 'Connect two nodes' },
  { keys: ['Scroll', 'Pinch'], label: 'Zoom' },
];

export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
}

/** True when the key press belongs to a text field, not to the canvas. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest?.('.cm-editor');
}

export function findShortcut(e: KeyboardEvent): Shortcut | undefined {
  const mod = isMac() ? e.metaKey : e.ctrlKey;
  return SHORTCUTS.find((s) => s.match(e, mod));
}
