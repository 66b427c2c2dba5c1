/** Health: throughput over time, failures by error class, sync latency, dead letters by age, queue and workers. */
import { useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { formatSeconds, percent } from '../runs/ops-format.ts';
import { api } from '../api-client.ts';
import { useAsync } from '../runs/use-async.ts';
import { relativeTime } from '../shell/format.ts';
import { UplotChart } from './uplot-chart.tsx';
import './operations.css';

const WINDOWS = [{ label: '24 hours', hours: 24 }, { label: '7 days', hours: 168 }, { label: '30 days', hours: 720 }];
const CLASS_COLOR: Record<string, string> = { validation: '#f79009', mapping: '#7f56d9', transient: '#2e90fa', permanent: '#d92d20' };

export function HealthPage() {
  const [hours, setHours] = useState(24);
  const health = useAsync(() => api.health(hours), [hours]);
  useEffect(() => {
    const t = setInterval(() => health.reload(), 15_000);
    return () => clearInterval(t);
  }, [health.reload]);
  const h = health.data;

  const chart = useMemo(() => {
    if (!h) return null;
    const xs = h.throughput.hourly.map((p) => Date.parse(p.hour) / 1000);
    const data: uPlot.AlignedData = [xs, h.throughput.hourly.map((p) => p.read), h.throughput.hourly.map((p) => p.delivered), h.throughput.hourly.map((p) => p.exceptions)];
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      axes: [{ stroke: '#667085', grid: { stroke: '#f2f4f7' } }, { stroke: '#667085', grid: { stroke: '#f2f4f7' }, size: 48 }],
      series: [
        {},
        { label: 'Read', stroke: '#4f46e5', fill: 'rgba(79,70,229,.08)', width: 2 },
        { label: 'Delivered', stroke: '#079455', width: 2 },
        { label: 'Exceptions', stroke: '#d92d20', width: 2, dash: [5, 4] },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    return { data, options };
  }, [h]);

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div><h1>Health</h1><p className="muted">Throughput, failures and latency over the {h?.window ?? '…'}; refreshed every 15 s. Prometheus scrapes the same figures at <a href="/metrics" target="_blank" rel="noreferrer"><code>/metrics</code></a>.</p></div>
        <div className="segmented" role="group" aria-label="Window">
          {WINDOWS.map((w) => <button type="button" key={w.hours} className={hours === w.hours ? 'active' : ''} onClick={() => setHours(w.hours)}>{w.label}</button>)}
        </div>
      </div>
      {health.error && <div className="callout callout-error">{health.error}</div>}
      {!h && !health.error && <div className="skeleton-list">{[0, 1, 2].map((i) => <div key={i} className="skeleton-row" />)}</div>}
      {h && (
        <>
          <div className="stat-cards">
            <div className="stat-card"><span className="stat-label">Runs</span><span className="stat-value">{h.throughput.runs.toLocaleString()}</span><span className="muted small">{h.failureRate.runsFailed} failed · {h.failureRate.runsWithExceptions} with exceptions</span></div>
            <div className="stat-card"><span className="stat-label">Records read</span><span className="stat-value">{h.throughput.recordsRead.toLocaleString()}</span><span className="muted small">{h.throughput.recordsDelivered.toLocaleString()} delivered</span></div>
            <div className="stat-card"><span className="stat-label">Sync latency p50</span><span className="stat-value">{formatSeconds(h.latency.syncSecondsP50)}</span><span className="muted small">event time → delivered</span></div>
            <div className="stat-card"><span className="stat-label">Sync latency p95</span><span className="stat-value">{formatSeconds(h.latency.syncSecondsP95)}</span><span className="muted small">{h.latency.syncRecords.toLocaleString()} records with an event time</span></div>
            <div className="stat-card"><span className="stat-label">Queue depth</span><span className="stat-value">{h.queue ? h.queue.depth.toLocaleString() : '—'}</span><span className="muted small">{h.queue ? `${h.queue.active} being worked on` : 'queue unreachable'}</span></div>
            <div className="stat-card"><span className="stat-label">Workers online</span><span className="stat-value">{h.workers.length}</span><span className="muted small">run p50 {formatSeconds(h.latency.runSecondsP50)} · p95 {formatSeconds(h.latency.runSecondsP95)}</span></div>
          </div>

          <section className="ops-card">
            <div className="card-head"><h3>Throughput per hour</h3><span className="muted small">records read, delivered and sent to exceptions</span></div>
            {chart && <UplotChart options={chart.options} data={chart.data} />}
          </section>

          <div className="run-grid run-grid-even">
            <section className="ops-card">
              <div className="card-head"><h3>Failures by error class</h3><span className="muted small">items that failed, as a share of the {h.throughput.itemsRead.toLocaleString()} items read (each entry of a record that fans out is an item)</span></div>
              <BarList rows={h.failureRate.byClass.map((c) => ({ label: c.errorClass[0].toUpperCase() + c.errorClass.slice(1), value: c.records, note: percent(c.share), color: CLASS_COLOR[c.errorClass] }))} />
            </section>
            <section className="ops-card">
              <div className="card-head"><h3>Exception aging</h3><span className="muted small">{h.aging.openDeadLetters} open dead letters{h.aging.oldestOpenDeadLetterAgeSeconds !== null ? `, oldest ${formatSeconds(h.aging.oldestOpenDeadLetterAgeSeconds)}` : ''}</span></div>
              <BarList rows={h.aging.buckets.map((b, i) => ({ label: b.label, value: b.count, note: '', color: ['#fdb022', '#f79009', '#e04f16', '#d92d20'][i], href: '#/dead-letters' }))} />
            </section>
          </div>

          <section className="ops-card">
            <div className="card-head"><h3>Workers</h3></div>
            {h.workers.length === 0 ? <p className="muted">No worker has reported recently.</p> : (
              <table className="mini-table">
                <thead><tr><th>Worker</th><th>Last seen</th><th className="num">Chunks done</th></tr></thead>
                <tbody>{h.workers.map((w) => <tr key={w.id}><td className="mono">{w.id}</td><td>{relativeTime(w.lastSeenAt)}</td><td className="num">{w.chunksDone.toLocaleString()}</td></tr>)}</tbody>
              </table>
            )}
          </section>
        </>
      )}
    </main>
  );
}

function BarList({ rows }: { rows: { label: string; value: number; note: string; color: string; href?: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <div className="bar-list">
      {rows.map((r) => (
        <div key={r.label} className="bar-row">
          <span className="bar-label">{r.label}</span>
          <span className="bar-track"><span className="bar-fill" style={{ width: `${(r.value / max) * 100}%`, background: r.color }} /></span>
          <span className="bar-value">{r.value.toLocaleString()}</span>
          <span className="bar-note muted small">{r.note}</span>
        </div>
      ))}
    </div>
  );
}
