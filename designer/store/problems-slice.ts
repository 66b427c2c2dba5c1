/**
 * Problems of the current document, found by the same `validateFlow` the
 * runtime uses, recomputed shortly after edits (not during drags: positions
 * do not change what is valid).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { FlowProblem } from '../../nodes/validate-flow.ts';
import type { DesignerState, StoreDeps } from './designer-store.ts';

export interface ProblemsState {
  problems: FlowProblem[];
  problemsByNode: ReadonlyMap<string, FlowProblem[]>;
  /** The document the problems were computed for. */
  problemsOf: FlowDocument | null;
}

export interface ProblemsActions {
  recomputeProblems(): void;
  /**
   * Problems of `doc` found elsewhere: the server's, sent with the flow (its `validateFlow` is the
   * designer's), so opening a flow shows them without checking it again on the page.
   */
  takeProblems(doc: FlowDocument, problems: FlowProblem[]): void;
}

export type ProblemsSlice = ProblemsState & ProblemsActions;

const EMPTY: ReadonlyMap<string, FlowProblem[]> = new Map();

/** Problems grouped by the node they concern (edge problems go to both ends' nodes when named). */
export function groupByNode(problems: FlowProblem[]): Map<string, FlowProblem[]> {
  const map = new Map<string, FlowProblem[]>();
  for (const p of problems) {
    if (!p.nodeId) continue;
    const list = map.get(p.nodeId);
    if (list) list.push(p);
    else map.set(p.nodeId, [p]);
  }
  return map;
}

export const createProblemsSlice = (deps: StoreDeps): StateCreator<DesignerState, [], [], ProblemsSlice> => (set, get) => ({
  problems: [],
  problemsByNode: EMPTY,
  problemsOf: null,
  recomputeProblems() {
    const doc = get().document;
    if (!doc) {
      set({ problems: [], problemsByNode: EMPTY, problemsOf: null });
      return;
    }
    if (doc === get().problemsOf) return;
    const found = deps.validate(doc);
    if (Array.isArray(found)) {
      set({ problems: found, problemsByNode: groupByNode(found), problemsOf: doc });
      return;
    }
    void found.then((problems) => {
      // A newer document may have been checked already; keep the newest answer.
      if (problems && get().document === doc) set({ problems, problemsByNode: groupByNode(problems), problemsOf: doc });
    });
  },
  takeProblems(doc, problems) {
    if (get().document === doc) set({ problems, problemsByNode: groupByNode(problems), problemsOf: doc });
  },
});

/** True when two documents differ only in node positions (no need to re-validate). */
export function onlyPositionsDiffer(a: FlowDocument, b: FlowDocument): boolean {
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  const { nodes: an, ...ar } = a;
  const { nodes: bn, ...br } = b;
  for (const key of new Set([...Object.keys(ar), ...Object.keys(br)])) {
    if ((ar as Record<string, unknown>)[key] !== (br as Record<string, unknown>)[key]) return false;
  }
  for (let i = 0; i < an.length; i++) {
    const x = an[i];
    const y = bn[i];
    if (x === y) continue;
    if (x.id !== y.id || x.type !== y.type || x.config !== y.config || x.label !== y.label || x.typeVersion !== y.typeVersion || x.retry !== y.retry) return false;
  }
  return true;
}
