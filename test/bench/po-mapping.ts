/**
 * The "purchase order approved" → ERP commitment mapping used by the benches:
 * a deterministic event generator (header + 5 lines), the JSONata mapping
 * (renames, line amounts, $sum, an FX $lookup on a bound rates table,
 * $uppercase / $substring, a date via $toMillis / $fromMillis), and a
 * hand-written JavaScript function producing the identical output.
 */
import { seededRandom } from '../seeded-random.ts';

/** FX rates to the base currency (EUR), bound as `$rates`. */
export const PO_RATES: Record<string, number> = { EUR: 1, SEK: 0.0874, NOK: 0.0851, DKK: 0.1341, USD: 0.9213, GBP: 1.1692 };

const CURRENCIES = Object.keys(PO_RATES);
const SUPPLIERS = [
  { id: 'SUP-0042', name: 'Nordic Steel AB', country: 'se' },
  { id: 'SUP-0107', name: 'Fjord Logistics AS', country: 'no' },
  { id: 'SUP-0311', name: 'Jutland Packaging ApS', country: 'dk' },
  { id: 'SUP-0520', name: 'Rhein Components GmbH', country: 'de' },
];
const ITEMS = [
  { sku: 'STL-PLATE-0400-S355', description: 'Steel plate 4 mm S355', uom: 'EA', glAccount: '4010' },
  { sku: 'BOLT-M12X60-ZN', description: 'Bolt M12x60 zinc plated', uom: 'BOX', glAccount: '4020' },
  { sku: 'PALLET-EUR-1200', description: 'EUR pallet 1200x800', uom: 'EA', glAccount: '4410' },
  { sku: 'FRT-ROAD-FTL', description: 'Road freight, full truck load', uom: 'TRIP', glAccount: '6110' },
  { sku: 'SVC-INSPECT-HR', description: 'Quality inspection, per hour', uom: 'HR', glAccount: '6520' },
];

/** `count` PO-approved events (header + 5 lines each). */
export function poEvents(count: number, seed = 42): unknown[] {
  const r = seededRandom(seed);
  const events: unknown[] = [];
  for (let n = 0; n < count; n++) {
    const supplier = SUPPLIERS[Math.floor(r() * SUPPLIERS.length)];
    const lines = ITEMS.map((item, i) => ({
      lineNo: i + 1,
      sku: item.sku,
      description: item.description,
      quantity: 1 + Math.floor(r() * 40),
      unitPrice: Math.round(r() * 50000) / 100,
      uom: item.uom,
      taxCode: r() < 0.8 ? 'S25' : 'Z0',
      glAccount: item.glAccount,
      deliveryDate: `2026-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    }));
    events.push({
      eventType: 'purchase_order.approved',
      eventId: `evt-${(100000 + n).toString(36)}-${Math.floor(r() * 1e6)}`,
      occurredAt: `2026-03-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}T09:${String(Math.floor(r() * 60)).padStart(2, '0')}:33.000Z`,
      po: {
        number: `PO-2026-${String(n + 1).padStart(6, '0')}`,
        supplier,
        currency: CURRENCIES[Math.floor(r() * CURRENCIES.length)],
        buyer: { email: 'buyer@example.com', costCenter: `CC-${400 + Math.floor(r() * 20)}` },
        approvedBy: 'controller@example.com',
        paymentTerms: 'NET30',
        lines,
      },
    });
  }
  return events;
}

/** The mapping, in JSONata. */
export const PO_MAPPING = `(
  $rate := $lookup($rates, po.currency);
  $amounts := po.lines.(quantity * unitPrice);
  {
    "documentType": "COMMITMENT",
    "externalId": po.number,
    "sourceEvent": eventId,
    "vendorId": po.supplier.id,
    "vendorName": $uppercase(po.supplier.name),
    "countryCode": $uppercase(po.supplier.country),
    "currency": po.currency,
    "fxRate": $rate,
    "commitmentDate": $fromMillis($toMillis(occurredAt), '[Y0001]-[M01]-[D01]'),
    "costCenter": po.buyer.costCenter,
    "paymentTerms": po.paymentTerms,
    "lines": [po.lines.{
      "lineNumber": lineNo,
      "itemCode": $substring(sku, 0, 12),
      "description": description,
      "quantity": quantity,
      "unitOfMeasure": uom,
      "unitPrice": unitPrice,
      "amount": quantity * unitPrice,
      "amountBase": $round(quantity * unitPrice * $rate, 2),
      "account": glAccount,
      "taxCode": taxCode,
      "deliveryDate": deliveryDate
    }],
    "totalAmount": $round($sum($amounts), 2),
    "totalAmountBase": $round($sum($amounts) * $rate, 2),
    "lineCount": $count(po.lines)
  }
)`;

/** jsonata's $round (half to even, via decimal string shifting). */
function round(arg: number, precision: number): number {
  let value = arg.toString().split('e');
  arg = +(`${value[0]}e${value[1] ? +value[1] + precision : precision}`);
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  value = result.toString().split('e');
  result = +(`${value[0]}e${value[1] ? +value[1] - precision : -precision}`);
  return Object.is(result, -0) ? 0 : result;
}

/** The same mapping written by hand (identical output for the generated events). */
export function poMappingByHand(event: any, rates: Record<string, number>): unknown {
  const po = event.po;
  const rate = rates[po.currency];
  const amounts: number[] = po.lines.map((l: any) => l.quantity * l.unitPrice);
  let total = 0;
  for (const a of amounts) total += a;
  return {
    documentType: 'COMMITMENT',
    externalId: po.number,
    sourceEvent: event.eventId,
    vendorId: po.supplier.id,
    vendorName: po.supplier.name.toUpperCase(),
    countryCode: po.supplier.country.toUpperCase(),
    currency: po.currency,
    fxRate: rate,
    commitmentDate: new Date(Date.parse(event.occurredAt)).toISOString().slice(0, 10),
    costCenter: po.buyer.costCenter,
    paymentTerms: po.paymentTerms,
    lines: po.lines.map((l: any) => ({
      lineNumber: l.lineNo,
      itemCode: l.sku.slice(0, 12),
      description: l.description,
      quantity: l.quantity,
      unitOfMeasure: l.uom,
      unitPrice: l.unitPrice,
      amount: l.quantity * l.unitPrice,
      amountBase: round(l.quantity * l.unitPrice * rate, 2),
      account: l.glAccount,
      taxCode: l.taxCode,
      deliveryDate: l.deliveryDate,
    })),
    totalAmount: round(total, 2),
    totalAmountBase: round(total * rate, 2),
    lineCount: po.lines.length,
  };
}
