/**
 * The UBL invoice example's mapping (flows/ubl-invoice-to-ap, node
 * `to-ap-invoice`) written by hand in JavaScript, for the compiled-evaluator
 * bench: the same output as the JSONata expression on the example's samples
 * (the bench checks that before timing).
 */

type Obj = Record<string, any>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$amount`: the text of an element with attributes, or the value itself. */
const amount = (a: unknown) => (isObject(a) ? a['#text'] : a);

/** jsonata's truthiness, for the shapes a parsed XML document has. */
const truthy = (v: unknown): boolean =>
  v === undefined || v === null ? false : Array.isArray(v) ? v.some(truthy) : isObject(v) ? Object.keys(v).length > 0 : v !== '' && v !== false && v !== 0;

/** A field over an object or each item of an array, with jsonata's singleton rules. */
function field(value: unknown, name: string): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const v = field(item, name);
      if (Array.isArray(v)) out.push(...v);
      else if (v !== undefined) out.push(v);
    }
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  }
  return isObject(value) ? value[name] : undefined;
}

const list = (v: unknown): Obj[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as Obj]);

function vatIdOf(party: Obj | undefined): unknown {
  const scheme = list(party?.PartyTaxScheme).find((s: any) => typeof s?.TaxScheme?.ID === 'string' && s.TaxScheme.ID.trim() === 'VAT');
  return scheme?.CompanyID;
}

function put(target: Obj, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

export function mapUblByHand(record: Obj): unknown {
  const doc: Obj = truthy(record.Invoice) ? record.Invoice : record.CreditNote;
  const isCredit = record.CreditNote !== undefined;
  const currency = doc.DocumentCurrencyCode;
  const seller = doc.AccountingSupplierParty?.Party;
  const buyer = doc.AccountingCustomerParty?.Party;
  const totals = doc.LegalMonetaryTotal ?? {};
  const tax = list(doc.TaxTotal).find((t) => field(t.TaxAmount, '@currencyID') === currency);
  const out: Obj = {};
  out.documentType = isCredit ? 'credit_note' : 'invoice';
  put(out, 'invoiceNumber', doc.ID);
  put(out, 'issueDate', doc.IssueDate);
  put(out, 'dueDate', truthy(doc.DueDate) ? doc.DueDate : field(doc.PaymentMeans, 'PaymentDueDate'));
  put(out, 'currency', currency);
  put(out, 'orderReference', field(doc.OrderReference, 'ID'));
  put(out, 'buyerReference', doc.BuyerReference);
  const supplier: Obj = {};
  put(supplier, 'name', seller?.PartyLegalEntity?.RegistrationName);
  put(supplier, 'vatId', vatIdOf(seller));
  put(supplier, 'legalId', amount(seller?.PartyLegalEntity?.CompanyID));
  out.supplier = supplier;
  const buyerOut: Obj = {};
  put(buyerOut, 'name', buyer?.PartyLegalEntity?.RegistrationName);
  put(buyerOut, 'vatId', vatIdOf(buyer));
  out.buyer = buyerOut;
  const t: Obj = {};
  put(t, 'lineExtension', amount(totals.LineExtensionAmount));
  t.allowances = truthy(totals.AllowanceTotalAmount) ? amount(totals.AllowanceTotalAmount) : '0';
  t.charges = truthy(totals.ChargeTotalAmount) ? amount(totals.ChargeTotalAmount) : '0';
  put(t, 'taxExclusive', amount(totals.TaxExclusiveAmount));
  t.tax = tax ? amount(tax.TaxAmount) : '0';
  put(t, 'taxInclusive', amount(totals.TaxInclusiveAmount));
  t.prepaid = truthy(totals.PrepaidAmount) ? amount(totals.PrepaidAmount) : '0';
  t.rounding = truthy(totals.PayableRoundingAmount) ? amount(totals.PayableRoundingAmount) : '0';
  put(t, 'payable', amount(totals.PayableAmount));
  out.totals = t;
  out.lines = list(isCredit ? doc.CreditNoteLine : doc.InvoiceLine).map((line) => {
    const quantity = truthy(line.InvoicedQuantity) ? line.InvoicedQuantity : line.CreditedQuantity;
    const l: Obj = {};
    put(l, 'lineNo', line.ID);
    put(l, 'description', line.Item?.Name);
    put(l, 'quantity', amount(quantity));
    put(l, 'unitCode', field(quantity, '@unitCode'));
    put(l, 'unitPrice', amount(line.Price?.PriceAmount));
    l.baseQuantity = truthy(line.Price?.BaseQuantity) ? amount(line.Price.BaseQuantity) : '1';
    put(l, 'netAmount', amount(line.LineExtensionAmount));
    put(l, 'taxCategory', line.Item?.ClassifiedTaxCategory?.ID);
    l.taxPercent = truthy(line.Item?.ClassifiedTaxCategory?.Percent) ? line.Item.ClassifiedTaxCategory.Percent : '0';
    return l;
  });
  out.vat = list(tax?.TaxSubtotal).map((sub) => {
    const v: Obj = {};
    put(v, 'category', sub.TaxCategory?.ID);
    v.percent = truthy(sub.TaxCategory?.Percent) ? sub.TaxCategory.Percent : '0';
    put(v, 'taxableAmount', amount(sub.TaxableAmount));
    put(v, 'taxAmount', amount(sub.TaxAmount));
    return v;
  });
  return out;
}
