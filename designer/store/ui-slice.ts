/** Which panels are open: bottom drawer tab, help, mapper, version diff, notifications. */
import type { StateCreator } from 'zustand/vanilla';
import type { DesignerState } from './designer-store.ts';

export type DrawerTab = 'problems' | 'results' | 'tests' | 'samples' | 'versions';

export interface Notice {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
}

export interface VersionDiffView {
  from: number | 'draft';
  to: number | 'draft';
}

export type EditorDialog = 'save-version' | 'deploy' | 'save-subflow';

export interface UiState {
  drawer: DrawerTab | null;
  dialog: EditorDialog | null;
  helpOpen: boolean;
  /** Transform node whose visual mapper is open. */
  mapperNodeId: string | null;
  diffView: VersionDiffView | null;
  notices: Notice[];
  /** Focus the inspector on this config path (from a problem click). */
  focusPath: string | null;
  /** Bumped when a sub-flow is saved, so the palette lists it. */
  subflowsStamp: number;
}

export interface UiActions {
  openDrawer(tab: DrawerTab | null): void;
  openDialog(dialog: EditorDialog | null): void;
  toggleDrawer(tab: DrawerTab): void;
  setHelpOpen(open: boolean): void;
  openMapper(nodeId: string | null): void;
  showDiff(view: VersionDiffView | null): void;
  notify(kind: Notice['kind'], message: string): void;
  dismiss(id: number): void;
  focusProblem(nodeId: string | undefined, path: string | null): void;
  subflowsChanged(): void;
}

export type UiSlice = UiState & UiActions;

let nextNotice = 1;

export const createUiSlice: StateCreator<DesignerState, [], [], UiSlice> = (set, get) => ({
  drawer: null,
  dialog: null,
  helpOpen: false,
  mapperNodeId: null,
  diffView: null,
  notices: [],
  focusPath: null,
  subflowsStamp: 0,
  openDrawer: (drawer) => set({ drawer }),
  openDialog: (dialog) => set({ dialog }),
  toggleDrawer: (tab) => set({ drawer: get().drawer === tab ? null : tab }),
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  openMapper: (mapperNodeId) => set({ mapperNodeId }),
  showDiff: (diffView) => set({ diffView }),
  notify(kind, message) {
    const notice = { id: nextNotice++, kind, message };
    set({ notices: [...get().notices.slice(-3), notice] });
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
  subflowsChanged: () => set({ subflowsStamp: get().subflowsStamp + 1 }),
  focusProblem(nodeId, path) {
    set({ selectedNodeIds: nodeId ? [nodeId] : [], selectedEdgeIds: [], focusPath: path });
  },
});
