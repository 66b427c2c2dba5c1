/**
 * The designer's state: a zustand vanilla store made by a factory (one per
 * open flow, provided through React context), composed of one slice per
 * concern. State and actions are typed separately in each slice.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { catalog as defaultCatalog, type NodeCatalog } from '../../nodes/catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { FlowProblem } from '../../nodes/validate-flow.ts';
import { createDocumentSlice, type DocumentActions, type DocumentState } from './document-slice.ts';
import { createSelectionSlice, type SelectionActions, type SelectionState } from './selection-slice.ts';
import { createSamplesSlice, type SamplesActions, type SamplesState } from './samples-slice.ts';
import { createTestRunSlice, type TestRunActions, type TestRunState } from './test-run-slice.ts';
import { createProblemsSlice, onlyPositionsDiffer, type ProblemsActions, type ProblemsState } from './problems-slice.ts';
import { createUiSlice, type UiActions, type UiState } from './ui-slice.ts';

export type DesignerData = DocumentState & SelectionState & SamplesState & TestRunState & ProblemsState & UiState;
export type DesignerActions = DocumentActions & SelectionActions & SamplesActions & TestRunActions & ProblemsActions & UiActions;
export type DesignerState = DesignerData & DesignerActions;
export type DesignerStore = StoreApi<DesignerState>;

/**
 * Finds a document's problems: at once (`validateOnMainThread`), or later (a Web Worker; null when a
 * newer request overtook this one).
 */
export type FlowValidator = (doc: FlowDocument) => FlowProblem[] | Promise<FlowProblem[] | null>;

/** `validateOnMainThread`, loaded on first use: opening a flow needs neither ajv nor jsonata on the page. */
const validateOnMainThreadLater: FlowValidator = (doc) => import('./main-thread-validator.ts').then((m) => m.validateOnMainThread(doc));

export interface StoreDeps {
  catalog: NodeCatalog;
  /** How problems are found: the flow editor passes its worker's; `validateOnMainThread` otherwise, loaded on first use. */
  validate: FlowValidator;
  /** Clock for grouping edits into undo steps (tests pass their own). */
  now: () => number;
}

export interface DesignerStoreOptions extends Partial<StoreDeps> {
  /** Delay before problems are recomputed after an edit; 0 recomputes at once (tests). */
  problemsDelayMs?: number;
}

export function createDesignerStore(options: DesignerStoreOptions = {}): DesignerStore {
  const deps: StoreDeps = { catalog: options.catalog ?? defaultCatalog, validate: options.validate ?? validateOnMainThreadLater, now: options.now ?? Date.now };
  const delay = options.problemsDelayMs ?? 200;
  const store = createStore<DesignerState>()((...a) => ({
    ...createDocumentSlice(deps)(...a),
    ...createSelectionSlice(...a),
    ...createSamplesSlice(...a),
    ...createTestRunSlice(...a),
    ...createProblemsSlice(deps)(...a),
    ...createUiSlice(...a),
  }));

  let timer: ReturnType<typeof setTimeout> | undefined;
  store.subscribe((state, prev) => {
    if (state.document === prev.document) return;
    const checked = state.problemsOf;
    if (state.document && checked && onlyPositionsDiffer(checked, state.document)) return;
    if (delay === 0) {
      state.recomputeProblems();
      return;
    }
    clearTimeout(timer);
    // Loading a flow shows its problems at once; edits are batched.
    timer = setTimeout(() => store.getState().recomputeProblems(), prev.document === null ? 0 : delay);
  });
  return store;
}
