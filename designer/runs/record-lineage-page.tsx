/** One record's lineage: keys, path through the nodes with what went in and out, failures, errors, retries and the target's answer. */
import { catalog } from '../../nodes/catalog.ts';
import { CATEGORY_LOOK } from '../canvas/categories.ts';
import { JsonView } from '../shell/json-view.tsx';
import '../operations/operations.css';
import { formatAmount, formatDateTime } from './ops-format.ts';
import { api } from '../api-client.ts';
import type { StoredTrace, TraceWithSourceRecord } from '../../runtime/api/contract/schemas.ts';
import { OutcomePill, RunStatusPill } from './status-pill.tsx';
import { useAsync } from './use-async.ts';

interface Step {
  nodeId: string;
  label: string;
  typeTitle: string;
  glyph: string;
  color: string;
  input: unknown;
  output: unknown;
  changed: boolean;
}

/** The path with the record as it entered and left each node (unchanged nodes pass it on as is). */
function stepsOf(trace: StoredTrace, nodes: { id: string; type: string; label?: string }[]): Step[] {
  const byNode = new Map(trace.steps.map((s) => [s.node, s.data]));
  let current: unknown = trace.input;
  return trace.path.map((nodeId, i) => {
    const node = nodes.find((n) => n.id === nodeId);
    const decl = node ? catalog.get(node.type) : undefined;
    const look = decl ? CATEGORY_LOOK[decl.category] : undefined;
    const input = current;
    const changed = byNode.has(nodeId);
    const output = changed ? byNode.get(nodeId) : i === trace.path.length - 1 ? trace.output : input;
    current = output;
    return { nodeId, label: node?.label || nodeId, typeTitle: decl?.title ?? node?.type ?? 'node', glyph: look?.glyph ?? '•', color: look?.color ?? '#94a3b8', input, output, changed };
  });
}

/** Where every record of this source record ended: one outcome per target (and fan-out item); partial delivery said plainly. */
function SourceRecordEnds({ id, current, source }: { id: string; current: string; source: NonNullable<TraceWithSourceRecord['sourceRecord']> }) {
  // Items of a flow that declares an item key or amount show them: which entry went where, for how much.
  const withItems = source.ends.some((e) => e.itemKey);
  const withAmounts = source.ends.some((e) => e.amount);
  return (
    <section className="ops-card" data-testid="source-record-ends">
      <div className="card-head"><h3>Source record {source.lineageKey}: every target</h3></div>
      {source.partiallyDelivered && (
        <p className="text-error" data-testid="partially-delivered">
          ⚠ Partially delivered: written to some targets and failed at others. Replaying it writes only the missing targets.
        </p>
      )}
      <table className="mini-table">
        <thead><tr><th>Record</th>{withItems && <th>Item</th>}{withAmounts && <th className="num">Amount</th>}<th>Node</th><th>Outcome</th></tr></thead>
        <tbody>
          {source.ends.map((e) => (
            <tr key={e.lineageKey}>
              <td className="mono">{e.lineageKey === current ? e.lineageKey : <a href={`#/runs/${encodeURIComponent(id)}/records/${encodeURIComponent(e.lineageKey)}`}>{e.lineageKey}</a>}</td>
              {withItems && <td className="mono" title={e.itemKey}>{e.itemKey ?? '—'}</td>}
              {withAmounts && <td className="num mono nowrap">{e.amount ? `${formatAmount(e.amount, e.currency)} ${e.currency ?? ''}` : '—'}</td>}
              <td className="mono">{e.nodeId}</td>
              <td><OutcomePill outcome={e.outcome} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export default function RecordLineagePage({ params }: { params: Record<string, string> }) {
  const { id, lineageKey } = params;
  const trace = useAsync(() => api.record(id, lineageKey), [id, lineageKey]);
  const run = useAsync(() => api.run(id), [id]);
  if (trace.error) return <div className="page-error"><h1>Record not found</h1><p className="muted">{trace.error}</p><a href={`#/runs/${encodeURIComponent(id)}`}>Back to the run</a></div>;
  if (!trace.data) return <main className="ops-page"><div className="skeleton-list">{[0, 1, 2].map((i) => <div key={i} className="skeleton-row" />)}</div></main>;
  const t = trace.data;
  const steps = stepsOf(t, run.data?.version?.document.nodes ?? []);
  const failed = t.outcome === 'quarantined' || t.outcome === 'dead_lettered';

  return (
    <main className="ops-page lineage-page">
      <div className="crumbs">
        <a href="#/runs">Runs</a><span className="crumb-sep">/</span>
        <a href={`#/runs/${encodeURIComponent(id)}`} className="mono">{id}</a><span className="crumb-sep">/</span>
        <span>record {t.lineageKey}</span>
      </div>
      <div className="run-head">
        <div>
          <h1>{t.businessKey ?? `Record ${t.lineageKey}`} <OutcomePill outcome={t.outcome} /></h1>
          <div className="run-meta">
            <span>{run.data?.version?.document.name ?? t.flowId}</span>
            {t.version !== null && <span className="version-pill">v{t.version}</span>}
            {run.data && <RunStatusPill status={run.data.run.status} />}
            <span>· ended {formatDateTime(new Date(t.finishedAt).toISOString())}</span>
          </div>
        </div>
        <div className="button-row">
          {t.businessKey && <a className="btn" href={`#/search?businessKey=${encodeURIComponent(t.businessKey)}`}>Every run of {t.businessKey}</a>}
          {failed && <a className="btn btn-primary" href={`#/dead-letters?runId=${encodeURIComponent(id)}`}>Go to dead letters</a>}
        </div>
      </div>

      {t.sourceRecord && t.sourceRecord.ends.length > 1 && <SourceRecordEnds id={id} current={t.lineageKey} source={t.sourceRecord} />}

      <div className="run-grid run-grid-even">
        <section className="ops-card">
          <div className="card-head"><h3>Keys</h3></div>
          <dl className="facts">
            <dt>Business key</dt><dd className="mono">{t.businessKey ?? '—'}</dd>
            <dt>Lineage key</dt><dd className="mono">{t.lineageKey}</dd>
            <dt>Source key</dt><dd className="mono" title={t.sourceKey}>{t.sourceKey}</dd>
            {t.itemKey && <><dt>Item key</dt><dd className="mono" title={t.itemKey}>{t.itemKey}</dd></>}
            <dt>{t.itemKey || t.lineageKey.includes('.') ? 'Item amount' : 'Amount'}</dt><dd className="mono" data-testid="record-amount">{t.amount ? `${formatAmount(t.amount, t.currency)} ${t.currency ?? ''}` : '—'}</dd>
            <dt>Event time</dt><dd>{t.eventTime ? formatDateTime(new Date(t.eventTime).toISOString()) : '—'}</dd>
          </dl>
        </section>
        <section className={`ops-card outcome-card outcome-card-${t.outcome}`} data-testid="target-outcome">
          <div className="card-head"><h3>Outcome</h3></div>
          <dl className="facts">
            <dt>Outcome</dt><dd><OutcomePill outcome={t.outcome} /></dd>
            <dt>Ended at node</dt><dd className="mono">{t.endNode}</dd>
            {t.targetNode && <><dt>Target</dt><dd className="mono">{t.targetNode}</dd></>}
            {t.targetRef && <><dt>Row key / id</dt><dd className="mono" data-testid="target-ref">{t.targetRef}</dd></>}
            {t.targetStatus !== undefined && t.targetStatus !== null && <><dt>HTTP status</dt><dd className="mono">{t.targetStatus}</dd></>}
            {t.idempotencyKey && <><dt>Idempotency key</dt><dd className="mono">{t.idempotencyKey}</dd></>}
          </dl>
          {t.outcome === 'duplicate' && <p className="muted small">Already delivered under this idempotency key; the target was not written again.</p>}
        </section>
      </div>

      {(t.failures?.length || t.error || t.retries?.length) ? (
        <section className="ops-card">
          <div className="card-head"><h3>Why it {failed ? 'failed' : 'was flagged'}</h3></div>
          {t.failures && t.failures.length > 0 && (
            <ul className="failures" aria-label="Validation failures">
              {t.failures.map((f, i) => (
                <li key={i} className={`failure failure-${f.severity}`}>
                  <span className="failure-rule">{f.rule}</span>
                  {f.field && <code className="failure-field">{f.field}</code>}
                  <span className="failure-message">{f.message}</span>
                </li>
              ))}
            </ul>
          )}
          {t.error && (
            <div className="callout callout-error">
              <strong className="error-class">{t.error.errorClass}</strong> {t.errorClass && t.errorClass !== t.error.errorClass ? `(${t.errorClass}) ` : ''}{t.error.message}
              {t.error.nodeId && <span className="muted"> — at node {t.error.nodeId}</span>}
            </div>
          )}
          {t.retries && t.retries.length > 0 && (
            <table className="mini-table">
              <thead><tr><th>Attempt</th><th>At</th><th>Class</th><th>Message</th></tr></thead>
              <tbody>{t.retries.map((r) => <tr key={r.attempt}><td className="num">{r.attempt}</td><td>{formatDateTime(r.at)}</td><td>{r.error.errorClass}</td><td>{r.error.message}</td></tr>)}</tbody>
            </table>
          )}
        </section>
      ) : null}

      <section className="ops-card">
        <div className="card-head"><h3>Path through the flow</h3><span className="muted small">Values under sensitive fields are masked by the server</span></div>
        <ol className="lineage-steps">
          {steps.map((s, i) => (
            <li key={s.nodeId} className={`lineage-step ${s.nodeId === t.endNode ? 'end' : ''}`} style={{ '--cat': s.color } as React.CSSProperties}>
              <div className="lineage-step-head">
                <span className="flow-node-glyph">{s.glyph}</span>
                <strong>{s.label}</strong><span className="muted small">{s.typeTitle}</span>
                {!s.changed && i > 0 && s.nodeId !== t.endNode && <span className="chip chip-small">passed unchanged</span>}
                {s.nodeId === t.endNode && <OutcomePill outcome={t.outcome} />}
              </div>
              {(i === 0 || s.changed || s.nodeId === t.endNode) && (
                <div className="lineage-io">
                  <div><div className="preview-label">{i === 0 ? 'Source record' : 'In'}</div><JsonView value={s.input} /></div>
                  {i > 0 && <div><div className="preview-label">Out</div><JsonView value={s.output} /></div>}
                </div>
              )}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
