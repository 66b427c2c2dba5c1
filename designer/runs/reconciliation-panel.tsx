/** A run's control totals: counts and amounts per currency by outcome, per source record and per item, and whether they close. */
import type { ItemSums, Reconciliation } from '../../runtime/api/contract/schemas.ts';
import { formatAmount } from './ops-format.ts';
import { figureLevels } from './figure-levels.ts';

const ROWS = [
  ['read', 'Read from source'], ['delivered', 'Delivered'], ['quarantined', 'Quarantined'], ['deadLettered', 'Dead-lettered'], ['duplicate', 'Duplicates (skipped)'], ['filtered', 'Filtered'],
  ['aggregated', 'Aggregated into groups'],
] as const;

type Figures = Pick<Reconciliation, 'counts' | 'totals'>;

export function ReconciliationPanel({ reconciliation }: { reconciliation: Reconciliation | null }) {
  if (!reconciliation) return <p className="muted">No reconciliation yet: it is computed when the run finishes.</p>;
  const { items } = figureLevels(reconciliation.counts, reconciliation);
  return (
    <div className="reconciliation" data-testid="reconciliation">
      <div className={`recon-verdict ${reconciliation.closes ? 'closes' : 'open'}`}>
        {reconciliation.closes
          ? `✓ Closes: every ${items ? 'source record and every item' : 'record'} read is accounted for, in count and amount.`
          : '⚠ Does not close'}
      </div>
      {!reconciliation.closes && reconciliation.differences.length > 0 && (
        <ul className="recon-differences">{reconciliation.differences.map((d) => <li key={d}>{d}</li>)}</ul>
      )}
      <FiguresTable figures={reconciliation} unit={items ? 'Source records' : 'Records'} />
      {(reconciliation.partiallyDelivered ?? 0) > 0 && (
        <p className="text-error" data-testid="partially-delivered">
          {reconciliation.partiallyDelivered} source record(s) partially delivered (counted above by their failure): replay them to complete only the missing targets.
        </p>
      )}
      {items && reconciliation.items && (
        <>
          <p className="muted small">The source records fanned out into items (e.g. one statement into its entries); each item has its own outcome and amount:</p>
          <FiguresTable figures={reconciliation.items} unit="Items" />
        </>
      )}
      {reconciliation.groups && (
        <div data-testid="group-figures">
          <p className="muted small">Group records the aggregate nodes emitted (each sums some of the lines above); counted apart, with their own outcomes:</p>
          <FiguresTable figures={reconciliation.groups} unit="Groups" read="Groups emitted" />
        </div>
      )}
      {reconciliation.itemSums && <ItemSumsNote sums={reconciliation.itemSums} />}
      {reconciliation.withoutAmount > 0 && <p className="muted small">{reconciliation.withoutAmount} record(s) had no readable amount: counted, not in the totals.</p>}
      {(reconciliation.items?.withoutAmount ?? 0) > 0 && items && <p className="muted small">{reconciliation.items!.withoutAmount} item(s) had no readable amount: counted, not in the item totals.</p>}
    </div>
  );
}

/** Item-level reconciliation: whether each fanned-out record's items sum to its amount. */
function ItemSumsNote({ sums }: { sums: ItemSums }) {
  if (sums.differing === 0) return <p className="muted small" data-testid="item-sums">✓ The items of {sums.checked} source record(s) sum exactly to their record's amount.</p>;
  return (
    <div className="text-error" data-testid="item-sums">
      The items of {sums.differing} of {sums.checked} source record(s) do not sum to the record's amount:
      <ul className="recon-differences">
        {sums.examples.map((e) => <li key={e.sourceKey + e.node}><code>{e.sourceKey}</code>: {e.items} items of <code>{e.node}</code> sum to {formatAmount(e.itemsTotal, e.currency)}, the record's amount is {formatAmount(e.recordAmount, e.currency)}</li>)}
      </ul>
    </div>
  );
}

function FiguresTable({ figures, unit, read }: { figures: Figures; unit: string; read?: string }) {
  // Aggregated only where an aggregate node folded lines (absent on runs stored before it was counted).
  const rows = ROWS.filter(([k]) => k !== 'aggregated' || (figures.counts.aggregated ?? 0) > 0);
  const currencies = [...new Set(rows.flatMap(([k]) => Object.keys(figures.totals[k] ?? {})))].sort();
  return (
    <table className="mini-table recon-table">
      <thead>
        <tr><th /><th className="num">{unit}</th>{currencies.map((c) => <th key={c} className="num">{c}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map(([k, label]) => (
          <tr key={k} className={k === 'read' ? 'recon-read' : ''}>
            <td>{k === 'read' && read ? read : label}</td>
            <td className="num mono">{(figures.counts[k] ?? 0).toLocaleString()}</td>
            {currencies.map((c) => <td key={c} className="num mono">{figures.totals[k]?.[c] ? formatAmount(figures.totals[k]![c], c) : <span className="muted">—</span>}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
