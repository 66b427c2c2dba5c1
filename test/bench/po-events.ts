/**
 * Synthetic "purchase order approved" events for the benchmark and the PO
 * example's samples: deterministic (seeded), shaped like a procurement
 * system's webhook payload, with master data that exists in the example's
 * reference files.
 */
import { seededRandom } from '../seeded-random.ts';
const LEGAL_ENTITIES = ['DE01', 'DE02', 'US01'];
// Master data as in flows/po-approved-to-erp/reference: which suppliers and
// cost centres each legal entity may use, so generated events are valid.
const SUPPLIERS: Record<string, string[]> = {
  DE01: ['SUP-1001', 'SUP-1002', 'SUP-1003', 'SUP-1004', 'SUP-1005', 'SUP-1006'],
  DE02: ['SUP-1001', 'SUP-1002', 'SUP-1004', 'SUP-1006'],
  US01: ['SUP-1002', 'SUP-1003', 'SUP-1005', 'SUP-1006'],
};
const COST_CENTRES: Record<string, string[]> = {
  DE01: ['CC-1000', 'CC-2100', 'CC-3200', 'CC-4100', 'CC-5300'],
  DE02: ['CC-1000', 'CC-2100', 'CC-4100', 'CC-5300'],
  US01: ['CC-1000', 'CC-2100', 'CC-3200', 'CC-5300'],
};
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'];
const GL_ACCOUNTS = ['6300', '6400', '6420', '6800', '0480'];
const ITEMS = [
  ['IT-LAPTOP-14', 'Laptop 14" business, 32 GB RAM, 1 TB SSD'],
  ['OF-PAPER-A4', 'Copy paper A4 80 g/m², box of 5 reams'],
  ['SV-CLOUD-STD', 'Cloud hosting standard tier, monthly subscription'],
  ['MR-BEARING-6204', 'Deep groove ball bearing 6204-2RS'],
  ['FM-CLEANING', 'Office cleaning services, facility management'],
  ['IT-MONITOR-27', 'Monitor 27" 4K USB-C with height-adjustable stand'],
];

export interface PoEvent {
  eventId: string;
  eventType: 'purchase_order.approved';
  occurredAt: string;
  purchaseOrder: {
    number: string;
    legalEntity: string;
    supplierId: string;
    currency: string;
    buyer: string;
    approvedBy: string;
    approvedAt: string;
    requestedDeliveryDate: string;
    lines: { lineNo: number; itemCode: string; description: string; quantity: number; unitPrice: string; costCentre: string; glAccount: string }[];
  };
}

export function* generatePoEvents(count: number, seed = 42, start = 1): Generator<PoEvent> {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const base = Date.UTC(2026, 10, 2, 8, 0, 0);
  for (let i = start; i < start + count; i++) {
    const approvedAt = new Date(base + i * 37_000 + Math.floor(rnd() * 30_000));
    const legalEntity = pick(LEGAL_ENTITIES);
    const lines = Array.from({ length: 5 }, (_, l) => {
      const [itemCode, description] = pick(ITEMS);
      return {
        lineNo: l + 1,
        itemCode,
        description,
        quantity: 1 + Math.floor(rnd() * 20),
        unitPrice: (Math.floor(rnd() * 250_000) / 100).toFixed(2),
        costCentre: pick(COST_CENTRES[legalEntity]),
        glAccount: pick(GL_ACCOUNTS),
      };
    });
    yield {
      eventId: `evt-${String(i).padStart(9, '0')}`,
      eventType: 'purchase_order.approved',
      occurredAt: new Date(approvedAt.getTime() + 1500).toISOString(),
      purchaseOrder: {
        number: `PO-2026-${String(i).padStart(7, '0')}`,
        legalEntity,
        supplierId: pick(SUPPLIERS[legalEntity]),
        currency: pick(CURRENCIES),
        buyer: pick(['a.meier', 'j.smith', 'l.rossi', 'k.tanaka']),
        approvedBy: pick(['m.schulz', 'r.jones', 's.dupont']),
        approvedAt: approvedAt.toISOString(),
        requestedDeliveryDate: new Date(approvedAt.getTime() + (7 + Math.floor(rnd() * 30)) * 86_400_000).toISOString().slice(0, 10),
        lines,
      },
    };
  }
}

/** The events as JSON Lines text (what a webhook batch or a file drop would hold). */
export function poEventsJsonl(count: number, seed = 42): string {
  let out = '';
  for (const e of generatePoEvents(count, seed)) out += `${JSON.stringify(e)}\n`;
  return out;
}
