/**
 * What the three-way match must give for a day's documents, computed here from the JSON Lines in
 * integer cents and whole units, independently of the flow: per PO line the receipts summed, the
 * invoices judged in file order (price within 2% of the PO price, quantity at most received minus
 * already invoiced), an invoice whose PO line or receipt has not arrived held until it does.
 */

interface Line { priceCents?: bigint; received: bigint; receipts: number; invoiced: bigint; held: Invoice[] }
interface Invoice { id: string; key: string; qty: bigint; priceCents: bigint }

export interface DayOutcome {
  posted: number;
  postedCents: bigint;
  postedQty: bigint;
  /** Invoices held this day (new ones). */
  held: number;
  /** Held from an earlier day and decided today. */
  released: number;
  /** Rule names failed, per exception: "price-tolerance", "quantity-received" or both joined by "+". */
  exceptions: Record<string, number>;
  noPo: number;
}

const cents = (text: string) => {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2)) * (text.startsWith('-') ? -1n : 1n);
};

/** Keeps the lines between days, as the match's keyed state does. */
export class ExpectedMatch {
  readonly lines = new Map<string, Line>();
  readonly heldNow = new Set<string>();

  private line(key: string): Line {
    let l = this.lines.get(key);
    if (!l) this.lines.set(key, (l = { received: 0n, receipts: 0, invoiced: 0n, held: [] }));
    return l;
  }

  day(jsonl: string): DayOutcome {
    const docs = jsonl.split('\n').filter((s) => s.trim()).map((s) => JSON.parse(s) as Record<string, string | number>);
    const out: DayOutcome = { posted: 0, postedCents: 0n, postedQty: 0n, held: 0, released: 0, exceptions: {}, noPo: 0 };
    for (const d of docs) {
      if (d.docType === 'PO') this.line(`${d.docNo}|${d.line}`).priceCents = cents(String(d.unitPrice));
      if (d.docType === 'GR') {
        const l = this.line(`${d.poNumber}|${d.poLine}`);
        l.received += BigInt(String(d.quantity));
        l.receipts++;
      }
    }
    const complete = (l: Line) => l.priceCents !== undefined && l.receipts > 0;
    const judge = (l: Line, inv: Invoice) => {
      const failed: string[] = [];
      const diff = inv.priceCents > l.priceCents! ? inv.priceCents - l.priceCents! : l.priceCents! - inv.priceCents;
      if (diff * 50n > l.priceCents!) failed.push('price-tolerance');
      if (inv.qty > l.received - l.invoiced) failed.push('quantity-received');
      if (failed.length) {
        const name = failed.join('+');
        out.exceptions[name] = (out.exceptions[name] ?? 0) + 1;
        return;
      }
      l.invoiced += inv.qty;
      out.posted++;
      out.postedQty += inv.qty;
      out.postedCents += inv.qty * inv.priceCents;
    };
    for (const l of this.lines.values()) {
      if (!l.held.length || !complete(l)) continue;
      for (const inv of l.held.splice(0)) {
        this.heldNow.delete(inv.id);
        out.released++;
        judge(l, inv);
      }
    }
    for (const d of docs) {
      if (d.docType !== 'INV') continue;
      if (d.poNumber === undefined) {
        out.noPo++;
        continue;
      }
      const inv: Invoice = { id: `${d.docNo}/${d.line}`, key: `${d.poNumber}|${d.poLine}`, qty: BigInt(String(d.quantity)), priceCents: cents(String(d.unitPrice)) };
      const l = this.line(inv.key);
      if (complete(l)) judge(l, inv);
      else {
        l.held.push(inv);
        this.heldNow.add(inv.id);
        out.held++;
      }
    }
    return out;
  }
}
