/** A run's control totals: counts and amounts per currency by outcome, and whether they close. */
import type { Reconciliation } from '../../runtime/engine/run-types.ts';
import { formatAmount } from './ops-format.ts';

const ROWS = [
  ['read', 'Read from source'], ['delivered', 'Delivered'], ['quarantined', 'Quarantined'], ['deadLettered', 'Dead-lettered'], ['duplicate', 'Duplicates (skipped)'], ['filtered', 'Filtered'],
] as const;

export function ReconciliationPanel({ reconciliation }: { reconciliation: Reconciliation | null }) {
  if (!reconciliation) return <p className="muted">No reconciliation yet: it is computed when the run finishes.</p>;
  const currencies = [...new Set(ROWS.flatMap(([k]) => Object.keys(reconciliation.totals[k] ?? {})))].sort();
  return (
    <div className="reconciliation" data-testid="reconciliation">
      <div className={`recon-verdict ${reconciliation.closes ? 'closes' : 'open'}`}>
        {reconciliation.closes ? '✓ Closes: every record read is accounted for, in count and amount.' : '⚠ Does not close'}
      </div>
      {!reconciliation.closes && reconciliation.differences.length > 0 && (
        <ul className="recon-differences">{reconciliation.differences.map((d) => <li key={d}>{d}</li>)}</ul>
      )}
      <table className="mini-table recon-table">
        <thead>
          <tr><th /><th className="num">Records</th>{currencies.map((c) => <th key={c} className="num">{c}</th>)}</tr>
        </thead>
        <tbody>
          {ROWS.map(([k, label]) => (
            <tr key={k} className={k === 'read' ? 'recon-read' : ''}>
              <td>{label}</td>
              <td className="num mono">{reconciliation.counts[k].toLocaleString()}</td>
              {currencies.map((c) => <td key={c} className="num mono">{reconciliation.totals[k]?.[c] ? formatAmount(reconciliation.totals[k][c], c) : <span className="muted">—</span>}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      {(reconciliation.partiallyDelivered ?? 0) > 0 && (
        <p className="text-error" data-testid="partially-delivered">
          {reconciliation.partiallyDelivered} source record(s) partially delivered (counted above by their failure): replay them to complete only the missing targets.
        </p>
      )}
      {reconciliation.withoutAmount > 0 && <p className="muted small">{reconciliation.withoutAmount} record(s) had no readable amount: counted, not in the totals.</p>}
    </div>
  );
}
