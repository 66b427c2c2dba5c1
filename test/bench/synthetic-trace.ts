/**
 * Realistic trace rows for measuring the write path: a purchase-order event
 * in (~1 KB of JSON) and an ERP commitment out (~1 KB).
 */
import type { RecordTrace } from '../../runtime/engine/run-types.ts';

/** The `i`-th synthetic trace of a run. */
export function syntheticTrace(runId: string, i: number): RecordTrace {
  const po = `PO-2026-${String(100000 + i)}`;
  const lines = Array.from({ length: 5 }, (_, n) => ({
    line: n + 1,
    sku: `SKU-${(i * 7 + n) % 9973}`,
    description: `Office supplies item ${n + 1} for cost centre CC-${(i % 40) + 100}`,
    quantity: (n + 1) * 3,
    unitPrice: '12.50',
    amount: String(((n + 1) * 3 * 12.5).toFixed(2)),
    taxCode: 'VAT20',
  }));
  const input = {
    eventId: `evt-${i}`, type: 'purchase_order.approved', poNumber: po, supplierId: `SUP-${i % 500}`,
    legalEntity: 'GB01', currency: 'GBP', orderDate: '2026-11-20', requester: 'j.smith@example.com', lines,
  };
  const output = {
    commitmentId: `CMT-${po}`, companyCode: 'GB01', vendor: `V${String(i % 500).padStart(6, '0')}`,
    documentDate: '2026-11-20', currency: 'GBP', total: '375.00', status: 'OPEN',
    items: lines.map((l) => ({ item: l.line * 10, material: l.sku, text: l.description, qty: l.quantity, netAmount: l.amount, taxCode: 'V2', costCenter: `CC-${(i % 40) + 100}` })),
  };
  return {
    runId,
    lineageKey: String(i),
    sourceKey: `evt-${i}`,
    businessKey: po,
    path: ['source', 'map', 'check', 'erp'],
    outcome: 'delivered',
    endNode: 'erp',
    targetNode: 'erp',
    idempotencyKey: `erp:${po}`,
    targetRef: `4500${String(i).padStart(6, '0')}`,
    targetStatus: 201,
    input,
    output,
    steps: [],
    amount: '375.00',
    currency: 'GBP',
    eventTime: Date.now() - 5000,
    finishedAt: Date.now(),
  };
}
