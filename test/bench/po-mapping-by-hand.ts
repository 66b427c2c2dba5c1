/**
 * The PO example's mapping (flows/po-approved-to-erp, node `to-commitment`)
 * written by hand in JavaScript: the ceiling a JSONata evaluator is compared
 * against. It must give exactly what the JSONata expression gives; the bench
 * checks that before it times anything.
 */
import Decimal from 'decimal.js';
import type { ReferenceData } from '../../nodes/define-node.ts';
import { decimalAtScale, scaleOf } from '../../nodes/expression/money.ts';
import type { PoEvent } from './po-events.ts';

const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });

export function mapPoByHand(event: PoEvent, reference: ReferenceData): unknown {
  const po = event.purchaseOrder;
  const supplier = reference.get('suppliers')?.get(po.supplierId) as Record<string, string> | undefined;
  const rate = (reference.get('fxRates')?.get(po.currency) as Record<string, string> | undefined)?.rateToEur;
  let total = new Dec(0);
  let totalScale = 0;
  const lines = po.lines.map((l) => {
    const amount = new Dec(l.quantity).times(l.unitPrice);
    const amountScale = scaleOf(l.quantity) + scaleOf(l.unitPrice);
    total = total.plus(amount);
    totalScale = Math.max(totalScale, amountScale);
    return {
      line: l.lineNo,
      item: l.itemCode,
      text: Array.from(l.description).slice(0, 40).join(''),
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      amount: decimalAtScale(amount, amountScale),
      costCentre: l.costCentre,
      glAccount: l.glAccount,
    };
  });
  const vendorId = po.legalEntity === 'US01' ? supplier?.erpVendorUs : supplier?.erpVendorEu;
  const out: Record<string, unknown> = {
    commitmentId: po.number,
    legalEntity: po.legalEntity,
    vendorId,
    vendorName: supplier?.name.toUpperCase(),
    documentDate: po.approvedAt.slice(0, 10),
    deliveryDate: po.requestedDeliveryDate,
    currency: po.currency,
    totalAmount: decimalAtScale(total, totalScale),
    fxRateToEur: rate,
    totalAmountEur: decimalAtScale(total.times(rate!).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN), 2),
    approvedBy: po.approvedBy.toUpperCase(),
    approvedAtMillis: Date.parse(po.approvedAt),
    sourceEventId: event.eventId,
    lines,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
