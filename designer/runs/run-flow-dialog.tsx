/**
 * "Run": starts a run of the version deployed in an environment, on an
 * uploaded file, a sample stored with the flow, or what the source reads by
 * itself; then opens the run, which updates live. Analysts see only the first
 * environment (the server refuses the others to them: runtime/promotion/rules.ts).
 */
import { useEffect, useId, useState } from 'react';
import type { Environment, FlowSummary, Sample } from '../../runtime/api/contract/schemas.ts';
import { errorMessage } from '../api-client.ts';
import { navigate } from '../router.ts';
import { sampleOfBytes } from '../samples/sample-file.ts';
import { useSession } from '../session.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { useAsync } from './use-async.ts';

type InputChoice = 'upload' | 'stored' | 'source';

/** Environments the role may run in, in promotion order. */
export function runnableEnvironments(role: string, envs: readonly Environment[]): Environment[] {
  const sorted = [...envs].sort((a, b) => a.position - b.position);
  return role === 'analyst' ? sorted.slice(0, 1) : sorted;
}

/** `flowId` runs that flow (the flow editor); without it the dialog offers every flow, `initialFlowId` chosen first. */
export function RunFlowDialog({ flowId: fixedFlow, initialFlowId, onClose }: { flowId?: string; initialFlowId?: string; onClose: () => void }) {
  const { api, user } = useSession();
  const flows = useAsync(() => (fixedFlow ? Promise.resolve(null) : api.listFlows()), [api, fixedFlow]);
  const envs = useAsync(() => api.environments(), [api]);
  const [flowId, setFlowId] = useState(fixedFlow ?? initialFlowId ?? '');
  const flow = useAsync(() => (flowId ? api.getFlow(flowId) : Promise.resolve(null)), [api, flowId]);
  const samples = useAsync(() => (flowId ? api.listSamples(flowId) : Promise.resolve({ items: [] })), [api, flowId]);
  const [chosenEnvironment, setEnvironment] = useState('');
  const [choice, setChoice] = useState<InputChoice>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [stored, setStored] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const [error, setError] = useState<string | null>(null);

  const allowed = runnableEnvironments(user.role, envs.data?.items ?? []);
  const deployments: FlowSummary['deployments'] = flow.data?.deployments ?? {};
  // What the user chose wins; until then, the first environment the flow is deployed in. Derived, never
  // written back by an effect: a choice made while the flow or the environments load must not be overwritten.
  const environment = allowed.some((e) => e.name === chosenEnvironment)
    ? chosenEnvironment
    : (allowed.find((e) => deployments[e.name] != null) ?? allowed[0])?.name ?? '';
  useEffect(() => {
    const first = samples.data?.items[0]?.name;
    if (first && !stored) setStored(first);
  }, [samples.data]);

  const deployed = environment ? deployments[environment] ?? null : null;
  const ready = !!flowId && !!environment && deployed !== null && (choice === 'source' || (choice === 'upload' ? !!file : !!stored));

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      let input: Sample | undefined;
      if (choice === 'upload' && file) input = sampleOfBytes(file.name, new Uint8Array(await file.arrayBuffer()));
      if (choice === 'stored') input = { name: stored };
      const { runId } = await api.startRun(flowId, environment, input);
      onClose();
      navigate(`/runs/${encodeURIComponent(runId)}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Run a flow" onClose={onClose} width={540} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-primary" onClick={start} disabled={!ready || busy}>{busy ? 'Starting…' : '▶ Start run'}</button>
    </>}>
      {!fixedFlow && (
        <div className="field">
          <label className="field-label" htmlFor={`${id}-flow`}>Flow</label>
          <select id={`${id}-flow`} value={flowId} onChange={(e) => { setFlowId(e.target.value); setStored(''); }}>
            <option value="">Choose a flow…</option>
            {flows.data?.items.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>
        </div>
      )}
      <div className="field">
        <label className="field-label" htmlFor={`${id}-env`}>Environment</label>
        <select id={`${id}-env`} value={environment} onChange={(e) => setEnvironment(e.target.value)} disabled={!flowId}>
          {allowed.map((e) => <option key={e.name} value={e.name}>{e.name}{deployments[e.name] != null ? ` — runs v${deployments[e.name]}` : ' — nothing deployed'}</option>)}
        </select>
        <span className="field-help">
          {user.role === 'analyst' ? `Analysts run flows in ${allowed[0]?.name ?? 'the first environment'}; an operator or admin runs them in deployed environments.` : 'The run uses the version deployed there and that environment\'s connections.'}
        </span>
      </div>
      {flowId && environment && deployed === null && <div className="callout callout-warning">Nothing of this flow is deployed in {environment}. Deploy a version there first.</div>}
      <fieldset className="choice-cards" style={{ marginBottom: 12 }}>
        <legend className="field-label">Input</legend>
        <label className={`choice-card ${choice === 'upload' ? 'checked' : ''}`}>
          <input type="radio" name="run-input" checked={choice === 'upload'} onChange={() => setChoice('upload')} />
          <strong>Upload a file</strong>
          <span className="muted small">A document for the flow's source (CSV, JSON, XML …).</span>
        </label>
        <label className={`choice-card ${choice === 'stored' ? 'checked' : ''}`}>
          <input type="radio" name="run-input" checked={choice === 'stored'} disabled={!samples.data?.items.length} onChange={() => setChoice('stored')} />
          <strong>A sample stored with the flow</strong>
          <span className="muted small">{samples.data?.items.length ? `${samples.data.items.length} stored.` : 'This flow has no stored samples.'}</span>
        </label>
        <label className={`choice-card ${choice === 'source' ? 'checked' : ''}`}>
          <input type="radio" name="run-input" checked={choice === 'source'} onChange={() => setChoice('source')} />
          <strong>Let the source read</strong>
          <span className="muted small">For sources that read by themselves: a database query, an API, an SFTP folder.</span>
        </label>
      </fieldset>
      {choice === 'upload' && (
        <label className="field">
          <span className="field-label">File</span>
          <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
      )}
      {choice === 'stored' && (
        <div className="field">
          <label className="field-label" htmlFor={`${id}-sample`}>Stored sample</label>
          <select id={`${id}-sample`} value={stored} onChange={(e) => setStored(e.target.value)}>
            {samples.data?.items.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
          </select>
        </div>
      )}
      {error && <div className="callout callout-error" role="alert">{error}</div>}
    </Dialog>
  );
}
