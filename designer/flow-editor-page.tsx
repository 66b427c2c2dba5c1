/** The flow editor screen: loads the flow, creates its store and lays out the panels. */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { errorMessage } from './api-client.ts';
import type { Environment, FlowDetail, VersionInfo } from '../runtime/api/contract/schemas.ts';
import type { FlowProblem } from '../nodes/validate-flow.ts';
import { EditorContext, type EditorContextValue } from './editor-context.tsx';
import { useSession } from './session.tsx';
import { createDesignerStore } from './store/designer-store.ts';
import { sharedWorkerValidator } from './store/worker-validator.ts';
import { PREFETCH, takePrefetched } from './prefetch.ts';
import { DesignerStoreProvider, useDesigner } from './store/store-context.tsx';
import { useDraftAutosave } from './versions/draft-autosave.ts';
import { LoadingScreen } from './shell/loading-screen.tsx';
import { whenIdle } from './shell/when-idle.ts';
import { Notices } from './shell/notices.tsx';
import { TopBar } from './panels/top-bar.tsx';
import { Palette } from './canvas/palette.tsx';
import { FlowCanvas } from './canvas/flow-canvas.tsx';
import { HelpPanel } from './canvas/help-panel.tsx';
import { useEditorActions } from './canvas/editor-actions.ts';
import { Inspector } from './panels/inspector.tsx';
import { BottomDrawer } from './panels/bottom-drawer.tsx';
import { SaveVersionDialog } from './versions/save-version-dialog.tsx';
import { SaveSubflowDialog } from './subflows/save-subflow-dialog.tsx';
import { DraftConflictBanner } from './versions/draft-conflict-banner.tsx';
import { DeployDialog } from './versions/deploy-dialog.tsx';
import { useSampleRereading } from './samples/use-sample-rereading.ts';

/** After the flow's first frames (~0.3–1 s on a busy machine), before an analyst's first edit. */
const WORKER_START_DELAY_MS = 1500;

const MapperDialog = lazy(() => import('./mapping/mapper-dialog.tsx'));
const VersionDiffView = lazy(() => import('./versions/version-diff-view.tsx'));

export default function FlowEditorPage({ params }: { params: Record<string, string> }) {
  const { api, user } = useSession();
  const flowId = params.id;
  const validator = sharedWorkerValidator();
  const store = useMemo(() => createDesignerStore({ validate: validator ?? undefined }), [flowId]);
  const [flow, setFlow] = useState<FlowDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [environments, setEnvironments] = useState<Environment[]>([]);
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const readOnly = user.role === 'operator';
  const autosave = useDraftAutosave(store, api, flowId, !readOnly && flow !== null);

  useEffect(() => {
    // A prefetch made before sign-in may have failed; ask again then.
    const loading = takePrefetched<FlowDetail>(PREFETCH.flow(flowId))?.catch(() => api.getFlow(flowId)) ?? api.getFlow(flowId);
    loading.then(
      (f) => {
        store.getState().loadDocument(f.draft, f.revision);
        // The server checked the draft it sends: no second check while the flow opens; the problems
        // worker starts once the canvas is drawn and the browser idle, ready for the first edit (which
        // starts it, if it comes first). Not sooner: on two busy cores its start slows the open.
        store.getState().takeProblems(f.draft, f.problems as FlowProblem[]);
        setTimeout(() => whenIdle(() => validator?.start()), WORKER_START_DELAY_MS);
        setFlow(f);
        // Asked after the flow, so the server answers the flow first.
        api.environments().then((r) => setEnvironments(r.items), () => undefined);
      },
      (err) => setError(errorMessage(err)),
    );
  }, [api, flowId, store]);

  const reloadMeta = useCallback(async () => {
    const [f, v] = await Promise.all([api.getFlow(flowId), api.listVersions(flowId)]);
    setFlow((old) => (old ? { ...old, latestVersion: f.latestVersion, deployments: f.deployments, name: f.name } : f));
    setVersions(v.items);
  }, [api, flowId]);

  useEffect(() => {
    if (flow) api.listVersions(flowId).then((r) => setVersions(r.items), () => setVersions([]));
  }, [api, flowId, flow !== null]);

  const context: EditorContextValue | null = useMemo(() => flow && {
    flowId, api, user, readOnly,
    latestVersion: flow.latestVersion,
    deployments: flow.deployments,
    environments, versions, reloadMeta,
    saveStatus: autosave.status, saveError: autosave.error, flushDraft: autosave.flush,
  }, [flow, flowId, api, user, readOnly, environments, versions, reloadMeta, autosave.status, autosave.error, autosave.flush]);

  if (error) {
    return (
      <div className="page-error">
        <h1>This flow could not be opened</h1>
        <p>{error}</p>
        <a className="btn" href="#/flows">Back to flows</a>
      </div>
    );
  }
  if (!context) return <LoadingScreen label="Opening the flow…" />;
  return (
    <EditorContext.Provider value={context}>
      <DesignerStoreProvider store={store}>
        <ReactFlowProvider>
          <FlowEditor />
        </ReactFlowProvider>
      </DesignerStoreProvider>
    </EditorContext.Provider>
  );
}

function FlowEditor() {
  const actions = useEditorActions();
  useSampleRereading();
  const helpOpen = useDesigner((s) => s.helpOpen);
  const mapperNodeId = useDesigner((s) => s.mapperNodeId);
  const diffView = useDesigner((s) => s.diffView);
  const dialog = useDesigner((s) => s.dialog);
  return (
    <div className="editor">
      <TopBar actions={actions} />
      <DraftConflictBanner />
      <div className="editor-body">
        <Palette onAdd={actions.addAtCenter} onAddSubflow={actions.addSubflowAtCenter} readOnly={actions.readOnly} />
        <div className="editor-center">
          {diffView ? (
            <Suspense fallback={<LoadingScreen label="Comparing versions…" />}>
              <VersionDiffView view={diffView} />
            </Suspense>
          ) : (
            <FlowCanvas readOnly={actions.readOnly} onLayout={actions.layout} />
          )}
          <BottomDrawer />
        </div>
        <Inspector />
      </div>
      {helpOpen && <HelpPanel />}
      {mapperNodeId && (
        <Suspense fallback={null}>
          <MapperDialog nodeId={mapperNodeId} />
        </Suspense>
      )}
      {dialog === 'save-version' && <SaveVersionDialog />}
      {dialog === 'deploy' && <DeployDialog />}
      {dialog === 'save-subflow' && <SaveSubflowDialog />}
      <Notices />
    </div>
  );
}
