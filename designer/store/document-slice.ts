/**
 * The flow document and its undo/redo history. Every edit goes through
 * `change()`, which records the previous document unless told not to (a drag
 * records once, when it ends).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { FlowDocument, FlowEdge, FlowNode } from '../../nodes/flow-document.ts';
import { checkConnection, type ConnectionCandidate, type ConnectionVerdict } from '../canvas/connection-rules.ts';
import { uniqueEdgeId, uniqueNodeId } from '../canvas/node-ids.ts';
import { EMPTY_HISTORY, recordChange, redo, undo, type History } from './history.ts';
import type { DesignerState, StoreDeps } from './designer-store.ts';

export interface DocumentState {
  document: FlowDocument | null;
  history: History;
  /** Bumped on every document change; the draft autosave compares it with `savedRevision`. */
  revision: number;
  savedRevision: number;
  /** The server's revision of the draft this document is based on (sent with each save); null before loading. */
  draftRevision: number | null;
  /** Someone else saved the draft since `draftRevision`: nothing is saved until the user reloads or overwrites. */
  draftConflict: DraftConflict | null;
  /** Document before the drag in progress, recorded in history when the drag ends. */
  dragStart: FlowDocument | null;
  /** The last recorded edit, so typing in one field becomes one undo step. */
  lastEdit: { key: string; at: number } | null;
}

/** What the server said when a save was refused: the draft as someone else saved it. */
export interface DraftConflict {
  revision: number;
  updatedBy: string | null;
  updatedAt: string;
  draft: FlowDocument;
}

export interface DocumentActions {
  loadDocument(doc: FlowDocument, draftRevision?: number | null): void;
  /**
   * Applies an edit. `coalesce` names what is edited (e.g. a node's config): edits with the same key
   * less than a second apart share one undo step, so a typed word is undone at once, not letter by letter.
   */
  change(recipe: (doc: FlowDocument) => FlowDocument, options?: { history?: boolean; coalesce?: string }): void;
  addNode(type: string, position: { x: number; y: number }): string | null;
  updateNode(id: string, patch: Partial<Pick<FlowNode, 'label' | 'config' | 'retry'>>): void;
  updateNodeConfig(id: string, config: Record<string, unknown>): void;
  connect(candidate: ConnectionCandidate): ConnectionVerdict;
  removeElements(nodeIds: readonly string[], edgeIds: readonly string[]): void;
  /** `drag` moves without history; `end` records the move; `once` is a single recorded move. */
  moveNodes(moves: { id: string; position: { x: number; y: number } }[], phase: 'drag' | 'end' | 'once'): void;
  undo(): void;
  redo(): void;
  /** The edits up to `revision` are saved, as the server's draft revision `draftRevision`. */
  markSaved(revision: number, draftRevision?: number): void;
  draftConflicted(conflict: DraftConflict): void;
  /** Drops this user's unsaved edits and loads the draft as the other person saved it. */
  reloadConflictingDraft(): void;
  /** Keeps this user's document and saves it over the other person's draft (a deliberate overwrite). */
  overwriteConflictingDraft(): void;
}

export type DocumentSlice = DocumentState & DocumentActions;

const COALESCE_MS = 1000;

/** The selection without nodes and edges that an undo or redo took away. */
function keepExisting(s: DesignerState, doc: FlowDocument): Pick<DesignerState, 'selectedNodeIds' | 'selectedEdgeIds'> {
  const nodes = new Set(doc.nodes.map((n) => n.id));
  const edges = new Set(doc.edges.map((e) => e.id));
  return { selectedNodeIds: s.selectedNodeIds.filter((id) => nodes.has(id)), selectedEdgeIds: s.selectedEdgeIds.filter((id) => edges.has(id)) };
}

export const createDocumentSlice = (deps: StoreDeps): StateCreator<DesignerState, [], [], DocumentSlice> => (set, get) => ({
  document: null,
  history: EMPTY_HISTORY,
  revision: 0,
  savedRevision: 0,
  draftRevision: null,
  draftConflict: null,
  dragStart: null,
  lastEdit: null,

  loadDocument(doc, draftRevision = null) {
    set({ document: doc, history: EMPTY_HISTORY, revision: 0, savedRevision: 0, draftRevision, draftConflict: null, dragStart: null, lastEdit: null, selectedNodeIds: [], selectedEdgeIds: [] });
  },

  change(recipe, options = {}) {
    const { document, history, revision, lastEdit } = get();
    if (!document) return;
    const next = recipe(document);
    if (next === document) return;
    const now = deps.now();
    const joins = !!options.coalesce && lastEdit?.key === options.coalesce && now - lastEdit.at < COALESCE_MS && history.past.length > 0;
    set({
      document: next,
      history: options.history === false || joins ? history : recordChange(history, document),
      revision: revision + 1,
      lastEdit: options.coalesce ? { key: options.coalesce, at: now } : null,
    });
  },

  addNode(type, position) {
    const decl = deps.catalog.get(type);
    const doc = get().document;
    if (!decl || !doc) return null;
    const id = uniqueNodeId(doc, type);
    const node: FlowNode = { id, type, typeVersion: decl.version, position, config: structuredClone(decl.defaults as Record<string, unknown>) };
    get().change((d) => ({ ...d, nodes: [...d.nodes, node] }));
    set({ selectedNodeIds: [id], selectedEdgeIds: [] });
    return id;
  },

  updateNode(id, patch) {
    const field = patch.config ? 'config' : patch.label !== undefined ? 'label' : 'retry';
    get().change((d) => ({
      ...d,
      nodes: d.nodes.map((n) => {
        if (n.id !== id) return n;
        const next: FlowNode = { ...n, ...patch };
        if (patch.label !== undefined && patch.label.trim() === '') delete next.label;
        if ('retry' in patch && patch.retry === undefined) delete next.retry;
        return next;
      }),
    }), { coalesce: `node:${id}:${field}` });
  },

  updateNodeConfig(id, config) {
    get().updateNode(id, { config });
  },

  connect(candidate) {
    const doc = get().document;
    if (!doc) return { ok: false, reason: 'No flow is open' };
    const verdict = checkConnection(doc, candidate, deps.catalog);
    if (!verdict.ok) return verdict;
    const edge: FlowEdge = { id: uniqueEdgeId(doc, candidate.source, candidate.target), source: candidate.source, target: candidate.target };
    if (candidate.sourceHandle) edge.sourceHandle = candidate.sourceHandle;
    if (candidate.targetHandle) edge.targetHandle = candidate.targetHandle;
    get().change((d) => ({ ...d, edges: [...d.edges, edge] }));
    return verdict;
  },

  removeElements(nodeIds, edgeIds) {
    if (nodeIds.length === 0 && edgeIds.length === 0) return;
    const nodes = new Set(nodeIds);
    const edges = new Set(edgeIds);
    get().change((d) => ({
      ...d,
      nodes: d.nodes.filter((n) => !nodes.has(n.id)),
      edges: d.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
      tests: d.tests?.filter((t) => !t.node || !nodes.has(t.node)),
    }));
    const s = get();
    set({ selectedNodeIds: s.selectedNodeIds.filter((id) => !nodes.has(id)), selectedEdgeIds: s.selectedEdgeIds.filter((id) => !edges.has(id)) });
  },

  moveNodes(moves, phase) {
    const { document, dragStart } = get();
    if (!document) return;
    if (moves.length) {
      const byId = new Map(moves.map((m) => [m.id, m.position]));
      const next = { ...document, nodes: document.nodes.map((n) => (byId.has(n.id) ? { ...n, position: byId.get(n.id)! } : n)) };
      set({ document: next, revision: get().revision + 1 });
    }
    if (phase === 'drag') {
      if (!dragStart) set({ dragStart: document });
      return;
    }
    const before = dragStart ?? document;
    const now = get().document;
    if (before === now) {
      set({ dragStart: null });
      return;
    }
    // The revision bump lets the autosave (which waits while dragging) run now.
    set({ history: recordChange(get().history, before), dragStart: null, revision: get().revision + 1 });
  },

  undo() {
    const { document, history, revision } = get();
    if (!document) return;
    const step = undo(history, document);
    if (step) set({ document: step.document, history: step.history, revision: revision + 1, lastEdit: null, ...keepExisting(get(), step.document) });
  },

  redo() {
    const { document, history, revision } = get();
    if (!document) return;
    const step = redo(history, document);
    if (step) set({ document: step.document, history: step.history, revision: revision + 1, lastEdit: null, ...keepExisting(get(), step.document) });
  },

  markSaved(revision, draftRevision) {
    set(draftRevision === undefined ? { savedRevision: revision } : { savedRevision: revision, draftRevision });
  },

  draftConflicted(conflict) {
    set({ draftConflict: conflict });
  },

  reloadConflictingDraft() {
    const conflict = get().draftConflict;
    if (conflict) get().loadDocument(conflict.draft, conflict.revision);
  },

  overwriteConflictingDraft() {
    const { draftConflict, revision } = get();
    // A new local revision, so the autosave saves it, now based on the other person's revision.
    if (draftConflict) set({ draftRevision: draftConflict.revision, draftConflict: null, revision: revision + 1 });
  },
});
