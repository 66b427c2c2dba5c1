/**
 * Seeded, realistic data for the three-way-match example: purchase order lines, goods receipts
 * (one to three per line) and supplier invoices, as the procurement system exports them day by
 * day (JSON Lines, one document line a record). Every case a three-way match meets is there:
 * invoices that match (exact and within the price tolerance), prices outside it, quantities over
 * what was received (short deliveries, invoicing a line twice), a line invoiced in two parts, both
 * rules failing, receipts arriving a day after their invoice (held, then released), lines never
 * received (still held) and invoice lines quoting no PO. The same seed always gives the same data.
 */
import { seededRandom } from '../../seeded-random.ts';

export type LineKind = 'exact' | 'tolerance' | 'price' | 'short' | 'split' | 'over' | 'late' | 'both' | 'never';

export interface PoLine { po: string; line: number; supplier: string; item: string; qty: bigint; priceCents: bigint; kind: LineKind }
export interface Receipt { grn: string; line: number; po: string; poLine: number; qty: bigint; day: 1 | 2 }
export interface InvoiceLine { invoice: string; line: number; po?: string; poLine?: number; qty: bigint; priceCents: bigint; supplier: string }

export interface MatchData {
  poLines: PoLine[];
  receipts: Receipt[];
  invoices: InvoiceLine[];
  /** Day 1: every PO line, the receipts on time and the invoices, mixed. Day 2: the late receipts. */
  day1: string;
  day2: string;
}

export const DEFAULT_COUNTS: Record<LineKind, number> = { exact: 900, tolerance: 120, price: 40, short: 40, split: 50, over: 30, late: 60, both: 10, never: 15 };
export const NO_PO_LINES = 6;

const SUPPLIERS = ['Nordlicht Bürobedarf GmbH', 'Helsingin Tukku Oy', 'Van Dijk Logistiek B.V.', 'Kowalski Meble Sp. z o.o.', 'Atelier Lumière SAS', 'Alpenmilch AG'];
const ITEMS = ['Pallet racking 2.4 m', 'Safety gloves (box of 100)', 'Toner cartridge black', 'Office chair ergonomic', 'Cable drum 50 m', 'Forklift service', 'Copy paper A4 (pallet)'];

/** Cents as a decimal string with two places ("1234.05"). */
export function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export function generateMatchData(seed = 20261205, counts: Record<LineKind, number> = DEFAULT_COUNTS): MatchData {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]) => list[int(0, list.length - 1)];
  const kinds = (Object.keys(counts) as LineKind[]).flatMap((k) => Array<LineKind>(counts[k]).fill(k)).sort(() => random() - 0.5);

  const poLines: PoLine[] = [];
  for (let next = 0, poNo = 1; next < kinds.length; poNo++) {
    const supplier = pick(SUPPLIERS);
    const lines = Math.min(int(1, 4), kinds.length - next);
    for (let line = 1; line <= lines; line++) {
      poLines.push({ po: `PO-26${String(poNo).padStart(5, '0')}`, line, supplier, item: pick(ITEMS), qty: BigInt(int(2, 120)), priceCents: BigInt(int(150, 250_000)), kind: kinds[next++] });
    }
  }

  const receipts: Receipt[] = [];
  let grnNo = 0;
  const receive = (l: PoLine, qty: bigint, day: 1 | 2) => {
    // One to three receipts a line (never more than units received).
    const parts = Math.min(int(1, 3), Number(qty));
    const grn = `GR-26${String(++grnNo).padStart(6, '0')}`;
    let left = qty;
    for (let p = 1; p <= parts; p++) {
      const q = p === parts ? left : BigInt(int(1, Number(left) - (parts - p)));
      left -= q;
      receipts.push({ grn, line: p, po: l.po, poLine: l.line, qty: q, day });
    }
  };

  const invoices: InvoiceLine[] = [];
  let invNo = 0;
  const byPo = new Map<string, PoLine[]>();
  for (const l of poLines) byPo.set(l.po, [...(byPo.get(l.po) ?? []), l]);
  // Second invoices (a line invoiced again) come on invoices of their own, after the first ones.
  const seconds: { l: PoLine; qty: bigint }[] = [];
  for (const lines of byPo.values()) {
    const invoice = `INV-26${String(++invNo).padStart(6, '0')}`;
    lines.forEach((l, i) => {
      const bill = (qty: bigint, priceCents: bigint) => invoices.push({ invoice, line: i + 1, po: l.po, poLine: l.line, qty, priceCents, supplier: l.supplier });
      // Within 2%: up to 1.5% either way, rounded to the cent toward the PO price.
      const within = (l.priceCents * BigInt(int(-150, 150))) / 10_000n;
      const beyond = (l.priceCents * BigInt(int(300, 900))) / 10_000n + 1n;
      switch (l.kind) {
        case 'exact': receive(l, l.qty, 1); bill(l.qty, l.priceCents); break;
        case 'tolerance': receive(l, l.qty, 1); bill(l.qty, l.priceCents + within); break;
        case 'price': receive(l, l.qty, 1); bill(l.qty, l.priceCents + beyond); break;
        case 'short': receive(l, l.qty - 1n, 1); bill(l.qty, l.priceCents); break;
        case 'split': {
          receive(l, l.qty, 1);
          const first = l.qty / 2n;
          bill(first, l.priceCents);
          seconds.push({ l, qty: l.qty - first });
          break;
        }
        case 'over': receive(l, l.qty, 1); bill(l.qty, l.priceCents); seconds.push({ l, qty: BigInt(int(1, 5)) }); break;
        case 'late': receive(l, l.qty, 2); bill(l.qty, l.priceCents + within); break;
        case 'both': receive(l, l.qty - 1n, 1); bill(l.qty, l.priceCents + beyond); break;
        case 'never': bill(l.qty, l.priceCents); break;
      }
    });
  }
  const firstInvoices = invoices.length;
  for (const { l, qty } of seconds) {
    invoices.push({ invoice: `INV-26${String(++invNo).padStart(6, '0')}`, line: 1, po: l.po, poLine: l.line, qty, priceCents: l.priceCents, supplier: l.supplier });
  }
  for (let i = 1; i <= NO_PO_LINES; i++) {
    invoices.push({ invoice: `INV-26${String(++invNo).padStart(6, '0')}`, line: 1, qty: BigInt(int(1, 10)), priceCents: BigInt(int(500, 50_000)), supplier: pick(SUPPLIERS) });
  }

  // Day 1: orders, receipts and the first invoices shuffled together, the invoices keeping the
  // order they were issued in (they are judged in file order); the second invoices at the end.
  const issued = invoices.slice(0, firstInvoices).map(invoiceDoc);
  let k = 0;
  const mixed = [...poLines.map(poDoc), ...receipts.filter((r) => r.day === 1).map(receiptDoc), ...issued]
    .sort(() => random() - 0.5)
    .map((d) => (d.docType === 'INV' ? issued[k++] : d));
  const day1 = [...mixed, ...invoices.slice(firstInvoices).map(invoiceDoc)];
  const day2 = receipts.filter((r) => r.day === 2).map(receiptDoc);
  return { poLines, receipts, invoices, day1: jsonl(day1), day2: jsonl(day2) };
}

type Doc = Record<string, unknown> & { docType: string };

const poDoc = (l: PoLine): Doc => ({ docType: 'PO', docNo: l.po, line: l.line, supplier: l.supplier, item: l.item, quantity: String(l.qty), unitPrice: centsText(l.priceCents), currency: 'EUR' });
const receiptDoc = (r: Receipt): Doc => ({ docType: 'GR', docNo: r.grn, line: r.line, poNumber: r.po, poLine: r.poLine, quantity: String(r.qty), receivedOn: r.day === 1 ? '2026-12-03' : '2026-12-04' });
const invoiceDoc = (i: InvoiceLine): Doc => ({
  docType: 'INV', docNo: i.invoice, line: i.line, ...(i.po ? { poNumber: i.po, poLine: i.poLine } : {}),
  supplier: i.supplier, quantity: String(i.qty), unitPrice: centsText(i.priceCents), currency: 'EUR', invoiceDate: '2026-12-03',
});
const jsonl = (docs: Doc[]) => `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`;
