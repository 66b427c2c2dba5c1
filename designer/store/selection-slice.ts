/** What is selected on the canvas, and the clipboard (copy, cut, paste with new ids). */
import type { StateCreator } from 'zustand/vanilla';
import { copySelection, pasteClipboard, type ClipboardContent } from './clipboard.ts';
import type { DesignerState } from './designer-store.ts';

export interface SelectionState {
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  clipboard: ClipboardContent | null;
  /** How many times the current clipboard was pasted; each paste lands a little further off. */
  pasteCount: number;
}

export interface SelectionActions {
  select(nodeIds: string[], edgeIds?: string[]): void;
  selectAll(): void;
  copy(): ClipboardContent | null;
  cut(): ClipboardContent | null;
  paste(content?: ClipboardContent): string[];
  deleteSelection(): void;
}

export type SelectionSlice = SelectionState & SelectionActions;

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const createSelectionSlice: StateCreator<DesignerState, [], [], SelectionSlice> = (set, get) => ({
  selectedNodeIds: [],
  selectedEdgeIds: [],
  clipboard: null,
  pasteCount: 0,

  select(nodeIds, edgeIds = []) {
    const s = get();
    if (same(s.selectedNodeIds, nodeIds) && same(s.selectedEdgeIds, edgeIds)) return;
    set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds });
  },

  selectAll() {
    const doc = get().document;
    if (doc) set({ selectedNodeIds: doc.nodes.map((n) => n.id), selectedEdgeIds: doc.edges.map((e) => e.id) });
  },

  copy() {
    const { document, selectedNodeIds } = get();
    if (!document) return null;
    const clip = copySelection(document, selectedNodeIds);
    if (clip) set({ clipboard: clip, pasteCount: 0 });
    return clip;
  },

  cut() {
    const clip = get().copy();
    if (clip) get().deleteSelection();
    return clip;
  },

  paste(content) {
    const { document, clipboard, pasteCount } = get();
    const clip = content ?? clipboard;
    if (!document || !clip) return [];
    const step = 40 * (pasteCount + 1);
    const result = pasteClipboard(document, clip, { x: step, y: step });
    get().change(() => result.document);
    set({ selectedNodeIds: result.nodeIds, selectedEdgeIds: result.edgeIds, pasteCount: content ? pasteCount : pasteCount + 1 });
    return result.nodeIds;
  },

  deleteSelection() {
    const { selectedNodeIds, selectedEdgeIds } = get();
    get().removeElements(selectedNodeIds, selectedEdgeIds);
  },
});
