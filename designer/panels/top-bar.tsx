/** The editor's top bar: flow name, save state, environments, and the main actions. */
import { useState } from 'react';
import type { EditorActions } from '../canvas/editor-actions.ts';
import { useEditor } from '../editor-context.tsx';
import { Brand } from '../shell/brand.tsx';
import { EnvBadges } from '../shell/env-badges.tsx';
import { UserMenu } from '../shell/user-menu.tsx';
import { RunFlowDialog } from '../runs/run-flow-dialog.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { flowNameProblem } from '../../nodes/flow-limits.ts';

const SAVE_LABEL = { saved: 'Draft saved', saving: 'Saving…', unsaved: 'Unsaved changes', error: 'Not saved', conflict: 'Changed by someone else' } as const;

export function TopBar({ actions }: { actions: EditorActions }) {
  const store = useDesignerStoreApi();
  const { flowId, deployments, environments, saveStatus, saveError, readOnly, latestVersion } = useEditor();
  const [runOpen, setRunOpen] = useState(false);
  const name = useDesigner((s) => s.document?.name ?? '');
  const canUndo = useDesigner((s) => s.history.past.length > 0);
  const canRedo = useDesigner((s) => s.history.future.length > 0);
  const problemCount = useDesigner((s) => s.problems.length);
  const running = useDesigner((s) => s.testRun.status === 'running');
  const hasSample = useDesigner((s) => s.samples.length > 0);
  const [editing, setEditing] = useState(false);
  const [renameProblem, setRenameProblem] = useState<string | null>(null);

  // A name over the limit is refused here, with the reason, and stays in the field to be shortened.
  const rename = (value: string) => {
    const next = value.trim();
    const problem = next ? flowNameProblem(next) : null;
    setRenameProblem(problem);
    if (problem) return;
    setEditing(false);
    if (next && next !== name) store.getState().change((d) => ({ ...d, name: next }));
  };
  const stopRenaming = () => {
    setRenameProblem(null);
    setEditing(false);
  };

  return (
    <header className="top-bar">
      <a href="#/flows" className="top-bar-back" title="All flows"><Brand compact /><span className="crumb">Flows</span><span className="crumb-sep">/</span></a>
      {editing && !readOnly ? (
        <span className="flow-title-edit">
          <input className="flow-title-input" autoFocus defaultValue={name} onBlur={(e) => rename(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') rename(e.currentTarget.value); if (e.key === 'Escape') { e.stopPropagation(); stopRenaming(); } }}
            aria-label="Flow name" aria-invalid={renameProblem ? true : undefined} aria-describedby={renameProblem ? 'flow-rename-problem' : undefined} />
          {renameProblem && <span className="flow-title-problem" id="flow-rename-problem" role="alert">{renameProblem.replace(/^name/, 'The name')}: not renamed. Escape keeps the old name.</span>}
        </span>
      ) : (
        <button type="button" className="flow-title" onClick={() => setEditing(true)} title={readOnly ? name : `${name} (click to rename)`} disabled={readOnly}>{name}</button>
      )}
      {readOnly ? <span className="status-pill">Read only</span> : (
        <span className={`save-status save-${saveStatus}`} title={saveError ?? undefined}>{SAVE_LABEL[saveStatus]}</span>
      )}
      <span className="top-bar-env" title={latestVersion ? `Latest version v${latestVersion}` : 'No version saved yet'}>
        <EnvBadges deployments={deployments} environments={environments} />
      </span>
      <div className="spacer" />
      {!readOnly && (
        <div className="btn-group" role="group" aria-label="History">
          <button type="button" className="btn btn-ghost" onClick={() => actions.run('undo')} disabled={!canUndo} title="Undo (Mod+Z)" aria-label="Undo">↶</button>
          <button type="button" className="btn btn-ghost" onClick={() => actions.run('redo')} disabled={!canRedo} title="Redo (Mod+Shift+Z)" aria-label="Redo">↷</button>
        </div>
      )}
      <button type="button" className={`btn btn-ghost problems-indicator ${problemCount ? 'has' : ''}`} onClick={() => store.getState().toggleDrawer('problems')} title="Problems (Shift+P)">
        {problemCount ? `⚠ ${problemCount} problem${problemCount === 1 ? '' : 's'}` : '✓ No problems'}
      </button>
      <button type="button" className="btn btn-ghost" onClick={() => store.getState().setHelpOpen(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
      <button type="button" className="btn" onClick={actions.testRun} disabled={running} title={hasSample ? 'Run the flow on the sample; nothing is written (Mod+Enter)' : 'Load a sample first'}>
        {running ? 'Running…' : '▶ Test run'}
      </button>
      <button type="button" className="btn" onClick={() => setRunOpen(true)} title="Run the version deployed in an environment on a file or a stored sample; the run opens live">Run…</button>
      {runOpen && <RunFlowDialog flowId={flowId} onClose={() => setRunOpen(false)} />}
      {!readOnly && <button type="button" className="btn" onClick={actions.saveVersion} title="Save an immutable version (Mod+S)">Save version</button>}
      <button type="button" className="btn btn-primary" onClick={() => store.getState().openDialog('deploy')}>Deploy</button>
      <UserMenu />
    </header>
  );
}
