/**
 * The structural rules banks and e-invoicing validators apply to ISO 20022
 * pain.001.001.09 credit transfers and UBL 2.1 invoices, written down as data
 * (no XSD can be fetched here, and no registry package ships them): the
 * element order of each parent (the schemas' sequences, `?` optional, `*`
 * any number, `+` one or more), required elements, value patterns (IBAN with
 * its mod-97 check, BIC, amounts, dates), the group and block totals
 * (NbOfTxs, CtrlSum) and the EN 16931 totals (BR-CO-10, 13, 14, 15, 16).
 * Checked against the real documents in shared/data/real first, so a rule
 * that the real world breaks is caught here, not in the product.
 */
import Decimal from 'decimal.js';
import { SaxesParser } from 'saxes';

export interface XmlNode {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** The document as a tree keeping order, namespaces and text. */
export function parseTree(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on('opentag', (tag) => {
    const node: XmlNode = { uri: tag.uri, local: tag.local, attrs: Object.fromEntries(Object.values(tag.attributes).map((a) => [(a as { local: string }).local, (a as { value: string }).value])), text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  return root!;
}

type Sequences = Record<string, string[]>;

/** Element order and occurrence of each parent's children: `[name, min, max]` from `Name?`, `Name*`, `Name+`, `Name`. */
function checkSequence(node: XmlNode, sequences: Sequences, path: string, problems: string[]): void {
  const sequence = sequences[node.local];
  if (sequence) {
    const spec = sequence.map((s) => {
      const m = /^(\w+)([?*+]?)$/.exec(s)!;
      return { name: m[1], min: m[2] === '?' || m[2] === '*' ? 0 : 1, max: m[2] === '*' || m[2] === '+' ? Infinity : 1 };
    });
    let i = 0;
    for (const item of spec) {
      let n = 0;
      while (i < node.children.length && node.children[i].local === item.name) {
        i++;
        n++;
      }
      if (n < item.min) problems.push(`${path}: required element ${item.name} is missing (or out of order)`);
      if (n > item.max) problems.push(`${path}: ${item.name} may occur at most ${item.max} time(s), found ${n}`);
    }
    if (i < node.children.length) problems.push(`${path}: element ${node.children[i].local} is not allowed here (unknown or out of order)`);
  }
  const seen = new Map<string, number>();
  for (const c of node.children) {
    const n = seen.get(c.local) ?? 0;
    seen.set(c.local, n + 1);
    const many = node.children.filter((x) => x.local === c.local).length > 1;
    checkSequence(c, sequences, `${path}/${c.local}${many ? `[${n}]` : ''}`, problems);
  }
}

function all(node: XmlNode, local: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    if (n.local === local) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}
const child = (node: XmlNode | undefined, local: string) => node?.children.find((c) => c.local === local);
const children = (node: XmlNode | undefined, local: string) => node?.children.filter((c) => c.local === local) ?? [];

/** IBAN: shape and ISO 13616 mod-97 check digits. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$/.test(iban)) return false;
  const moved = (iban.slice(4) + iban.slice(0, 4)).toUpperCase().replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const digit of moved) rest = (rest * 10 + Number(digit)) % 97;
  return rest === 1;
}

const PATTERNS: Record<string, [RegExp, string]> = {
  BICFI: [/^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'a BIC (8 or 11 characters)'],
  BIC: [/^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'a BIC (8 or 11 characters)'],
  NbOfTxs: [/^[0-9]{1,15}$/, 'up to 15 digits'],
  CtrlSum: [/^[0-9]{1,18}(\.[0-9]{1,17})?$/, 'a decimal number'],
  InstdAmt: [/^[0-9]{1,13}(\.[0-9]{1,5})?$/, 'an amount with at most 5 decimals'],
  CreDtTm: [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, 'an ISO date and time'],
  Dt: [/^\d{4}-\d{2}-\d{2}$/, 'an ISO date'],
  MsgId: [/^.{1,35}$/s, '1 to 35 characters'],
  PmtInfId: [/^.{1,35}$/s, '1 to 35 characters'],
  EndToEndId: [/^.{1,35}$/s, '1 to 35 characters'],
  Nm: [/^.{1,140}$/s, '1 to 140 characters'],
  Ustrd: [/^.{1,140}$/s, '1 to 140 characters'],
};

/** pain.001.001.09 (CustomerCreditTransferInitiationV09): the sequences of the parts a credit transfer uses. */
export const PAIN_001_001_09: Sequences = {
  Document: ['CstmrCdtTrfInitn'],
  CstmrCdtTrfInitn: ['GrpHdr', 'PmtInf+', 'SplmtryData*'],
  GrpHdr: ['MsgId', 'CreDtTm', 'Authstn*', 'NbOfTxs', 'CtrlSum?', 'InitgPty', 'FwdgAgt?'],
  PmtInf: [
    'PmtInfId', 'PmtMtd', 'BtchBookg?', 'NbOfTxs?', 'CtrlSum?', 'PmtTpInf?', 'ReqdExctnDt', 'PoolgAdjstmntDt?', 'Dbtr', 'DbtrAcct', 'DbtrAgt',
    'DbtrAgtAcct?', 'InstrForDbtrAgt?', 'UltmtDbtr?', 'ChrgBr?', 'ChrgsAcct?', 'ChrgsAcctAgt?', 'CdtTrfTxInf+',
  ],
  PmtTpInf: ['InstrPrty?', 'SvcLvl*', 'LclInstrm?', 'CtgyPurp?'],
  ReqdExctnDt: ['Dt?', 'DtTm?'],
  CdtTrfTxInf: [
    'PmtId', 'PmtTpInf?', 'Amt', 'XchgRateInf?', 'ChrgBr?', 'ChqInstr?', 'UltmtDbtr?', 'IntrmyAgt1?', 'IntrmyAgt1Acct?', 'IntrmyAgt2?', 'IntrmyAgt2Acct?',
    'IntrmyAgt3?', 'IntrmyAgt3Acct?', 'CdtrAgt?', 'CdtrAgtAcct?', 'Cdtr?', 'CdtrAcct?', 'UltmtCdtr?', 'InstrForCdtrAgt*', 'InstrForDbtrAgt?', 'Purp?',
    'RgltryRptg*', 'Tax?', 'RltdRmtInf*', 'RmtInf?', 'SplmtryData*',
  ],
  PmtId: ['InstrId?', 'EndToEndId', 'UETR?'],
  Amt: ['InstdAmt?', 'EqvtAmt?'],
  FinInstnId: ['BICFI?', 'ClrSysMmbId?', 'LEI?', 'Nm?', 'PstlAdr?', 'Othr?'],
  DbtrAcct: ['Id', 'Tp?', 'Ccy?', 'Nm?', 'Prxy?'],
  CdtrAcct: ['Id', 'Tp?', 'Ccy?', 'Nm?', 'Prxy?'],
  RmtInf: ['Ustrd*', 'Strd*'],
};

/** Values, totals and choices every pain.001 version shares (the real .001.001.03 files are held to them too). */
export function pain001TotalsProblems(doc: XmlNode): string[] {
  const problems: string[] = [];
  const initn = child(doc, 'CstmrCdtTrfInitn');
  const header = child(initn, 'GrpHdr');
  const blocks = children(initn, 'PmtInf');
  // The instructed amount, or the equivalent amount of a transfer in another currency (EqvtAmt/Amt).
  const amount = (tx: XmlNode) => child(child(tx, 'Amt'), 'InstdAmt') ?? child(child(child(tx, 'Amt'), 'EqvtAmt'), 'Amt');
  const sum = (txs: XmlNode[]) => txs.reduce((s, tx) => s.plus(new Decimal(amount(tx)?.text ?? 'NaN')), new Decimal(0));
  const all$ = blocks.flatMap((b) => children(b, 'CdtTrfTxInf'));
  if (child(header, 'NbOfTxs')?.text !== String(all$.length)) problems.push(`GrpHdr/NbOfTxs is ${child(header, 'NbOfTxs')?.text}, the file has ${all$.length} transactions`);
  const ctrl = child(header, 'CtrlSum');
  if (ctrl && !new Decimal(ctrl.text).eq(sum(all$))) problems.push(`GrpHdr/CtrlSum is ${ctrl.text}, the amounts add up to ${sum(all$).toFixed()}`);
  for (const b of blocks) {
    const id = child(b, 'PmtInfId')?.text;
    const txs = children(b, 'CdtTrfTxInf');
    const n = child(b, 'NbOfTxs');
    if (n && n.text !== String(txs.length)) problems.push(`PmtInf ${id}: NbOfTxs is ${n.text}, the block has ${txs.length}`);
    const c = child(b, 'CtrlSum');
    if (c && !new Decimal(c.text).eq(sum(txs))) problems.push(`PmtInf ${id}: CtrlSum is ${c.text}, its amounts add up to ${sum(txs).toFixed()}`);
    const date = child(b, 'ReqdExctnDt');
    if (date?.children.length && date.children.length !== 1) problems.push(`PmtInf ${id}: ReqdExctnDt holds either Dt or DtTm`);
  }
  for (const tx of all$) {
    const amt = child(child(tx, 'Amt'), 'InstdAmt');
    if (!amt) continue;
    if (!/^[A-Z]{3}$/.test(amt.attrs.Ccy ?? '')) problems.push(`InstdAmt ${amt.text} has no currency code (Ccy)`);
    if (new Decimal(amt.text).lte(0)) problems.push(`InstdAmt ${amt.text} must be greater than 0`);
    if (amt.attrs.Ccy === 'EUR' && !/^\d+(\.\d{1,2})?$/.test(amt.text)) problems.push(`InstdAmt ${amt.text} EUR has more than 2 decimals`);
  }
  for (const iban of all(doc, 'IBAN')) if (!ibanValid(iban.text)) problems.push(`IBAN ${iban.text} fails its check digits`);
  for (const [name, [pattern, what]] of Object.entries(PATTERNS)) {
    for (const node of all(doc, name)) if (!node.children.length && !pattern.test(node.text)) problems.push(`${name} '${node.text}' is not ${what}`);
  }
  return problems;
}

/** Every problem of a pain.001.001.09 document: namespace, element order, required elements, values and totals. */
export function pain001v09Problems(xml: string): string[] {
  const doc = parseTree(xml);
  const problems: string[] = [];
  if (doc.local !== 'Document' || doc.uri !== 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09') problems.push(`root is {${doc.uri}}${doc.local}, not a pain.001.001.09 Document`);
  const walk = (n: XmlNode) => {
    if (n.uri !== doc.uri) problems.push(`${n.local} is in namespace '${n.uri}', not the document's`);
    n.children.forEach(walk);
  };
  walk(doc);
  checkSequence(doc, PAIN_001_001_09, 'Document', problems);
  return [...problems, ...pain001TotalsProblems(doc)];
}

export const UBL = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  ext: 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
};

/** UBL 2.1 Invoice (UBL-Invoice-2.1.xsd) and the aggregates EN 16931 uses most. */
export const UBL_21_INVOICE: Sequences = {
  Invoice: [
    'UBLExtensions?', 'UBLVersionID?', 'CustomizationID?', 'ProfileID?', 'ProfileExecutionID?', 'ID', 'CopyIndicator?', 'UUID?', 'IssueDate', 'IssueTime?',
    'DueDate?', 'InvoiceTypeCode?', 'Note*', 'TaxPointDate?', 'DocumentCurrencyCode?', 'TaxCurrencyCode?', 'PricingCurrencyCode?', 'PaymentCurrencyCode?',
    'PaymentAlternativeCurrencyCode?', 'AccountingCostCode?', 'AccountingCost?', 'LineCountNumeric?', 'BuyerReference?', 'InvoicePeriod*', 'OrderReference?',
    'BillingReference*', 'DespatchDocumentReference*', 'ReceiptDocumentReference*', 'StatementDocumentReference*', 'OriginatorDocumentReference*',
    'ContractDocumentReference*', 'AdditionalDocumentReference*', 'ProjectReference*', 'Signature*', 'AccountingSupplierParty', 'AccountingCustomerParty',
    'PayeeParty?', 'BuyerCustomerParty?', 'SellerSupplierParty?', 'TaxRepresentativeParty?', 'Delivery*', 'DeliveryTerms?', 'PaymentMeans*', 'PaymentTerms*',
    'PrepaidPayment*', 'AllowanceCharge*', 'TaxExchangeRate?', 'PricingExchangeRate?', 'PaymentExchangeRate?', 'PaymentAlternativeExchangeRate?',
    'TaxTotal*', 'WithholdingTaxTotal*', 'LegalMonetaryTotal', 'InvoiceLine+',
  ],
  LegalMonetaryTotal: [
    'LineExtensionAmount?', 'TaxExclusiveAmount?', 'TaxInclusiveAmount?', 'AllowanceTotalAmount?', 'ChargeTotalAmount?', 'PrepaidAmount?',
    'PayableRoundingAmount?', 'PayableAmount', 'PayableAlternativeAmount?',
  ],
  InvoiceLine: [
    'ID', 'UUID?', 'Note*', 'InvoicedQuantity?', 'LineExtensionAmount', 'TaxPointDate?', 'AccountingCostCode?', 'AccountingCost?', 'PaymentPurposeCode?',
    'FreeOfChargeIndicator?', 'InvoicePeriod*', 'OrderLineReference*', 'DespatchLineReference*', 'ReceiptLineReference*', 'BillingReference*',
    'DocumentReference*', 'PricingReference?', 'OriginatorParty?', 'Delivery*', 'PaymentTerms*', 'AllowanceCharge*', 'TaxTotal*', 'WithholdingTaxTotal*',
    'Item', 'Price?', 'DeliveryTerms?', 'SubInvoiceLine*', 'ItemPriceExtension?',
  ],
  TaxTotal: ['TaxAmount', 'RoundingAmount?', 'TaxEvidenceIndicator?', 'TaxIncludedIndicator?', 'TaxSubtotal*'],
  TaxSubtotal: ['TaxableAmount?', 'TaxAmount', 'CalculationSequenceNumeric?', 'TransactionCurrencyTaxAmount?', 'Percent?', 'BaseUnitMeasure?', 'PerUnitAmount?', 'TierRange?', 'TierRatePercent?', 'TaxCategory'],
  Price: ['PriceAmount', 'BaseQuantity?', 'PriceChangeReason*', 'PriceTypeCode?', 'PriceType?', 'OrderableUnitFactorRate?', 'ValidityPeriod*', 'PriceList?', 'AllowanceCharge*', 'PricingExchangeRate?'],
};

/** Every problem of a UBL 2.1 invoice: root, cac/cbc namespaces, element order, required elements and the EN 16931 totals. */
export function ubl21InvoiceProblems(xml: string): string[] {
  const doc = parseTree(xml);
  const problems: string[] = [];
  if (doc.local !== 'Invoice' || doc.uri !== UBL.invoice) problems.push(`root is {${doc.uri}}${doc.local}, not a UBL 2.1 Invoice`);
  const walk = (n: XmlNode, path: string) => {
    for (const c of n.children) {
      if (c.uri === UBL.ext) continue;
      const expected = c.children.length ? UBL.cac : UBL.cbc;
      if (c.uri !== expected) problems.push(`${path}/${c.local} is in '${c.uri}', UBL puts it in ${expected === UBL.cac ? 'cac' : 'cbc'}`);
      walk(c, `${path}/${c.local}`);
    }
  };
  walk(doc, 'Invoice');
  checkSequence(doc, UBL_21_INVOICE, 'Invoice', problems);
  return [...problems, ...en16931TotalsProblems(doc)];
}

/** EN 16931 BR-CO-10, 13, 14, 15 and 16 on the document's totals. */
export function en16931TotalsProblems(doc: XmlNode): string[] {
  const problems: string[] = [];
  const currency = child(doc, 'DocumentCurrencyCode')?.text;
  const totals = child(doc, 'LegalMonetaryTotal');
  const amount = (name: string) => new Decimal(child(totals, name)?.text ?? '0');
  const lines = children(doc, `${doc.local}Line`);
  const lineSum = lines.reduce((s, l) => s.plus(child(l, 'LineExtensionAmount')?.text ?? '0'), new Decimal(0));
  if (!amount('LineExtensionAmount').eq(lineSum)) problems.push(`BR-CO-10: LineExtensionAmount ${amount('LineExtensionAmount')} ≠ sum of lines ${lineSum}`);
  const exclusive = amount('LineExtensionAmount').minus(amount('AllowanceTotalAmount')).plus(amount('ChargeTotalAmount'));
  if (!amount('TaxExclusiveAmount').eq(exclusive)) problems.push(`BR-CO-13: TaxExclusiveAmount ${amount('TaxExclusiveAmount')} ≠ lines − allowances + charges ${exclusive}`);
  const taxTotal = children(doc, 'TaxTotal').find((t) => child(t, 'TaxAmount')?.attrs.currencyID === currency);
  const tax = new Decimal(child(taxTotal, 'TaxAmount')?.text ?? '0');
  const subtotals = children(taxTotal, 'TaxSubtotal');
  if (subtotals.length) {
    const subSum = subtotals.reduce((s, t) => s.plus(child(t, 'TaxAmount')?.text ?? '0'), new Decimal(0));
    if (!tax.eq(subSum)) problems.push(`BR-CO-14: TaxAmount ${tax} ≠ sum of the VAT breakdown ${subSum}`);
  }
  if (!amount('TaxInclusiveAmount').eq(amount('TaxExclusiveAmount').plus(tax))) problems.push(`BR-CO-15: TaxInclusiveAmount ${amount('TaxInclusiveAmount')} ≠ TaxExclusiveAmount + VAT ${amount('TaxExclusiveAmount').plus(tax)}`);
  const payable = amount('TaxInclusiveAmount').minus(amount('PrepaidAmount')).plus(amount('PayableRoundingAmount'));
  if (!amount('PayableAmount').eq(payable)) problems.push(`BR-CO-16: PayableAmount ${amount('PayableAmount')} ≠ TaxInclusiveAmount − prepaid + rounding ${payable}`);
  return problems;
}
