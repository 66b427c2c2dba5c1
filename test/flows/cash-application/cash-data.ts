/**
 * Seeded, realistic data for the cash-application example: AR open items (the receivables
 * ledger) and a camt.054 credit notification of customer payments against them, with every case
 * cash application meets: full payments, partial payments, invoices paid in two instalments in
 * the same file (far apart, so in different chunks), overpayments and payments quoting no
 * invoice we know (unapplied cash). The same seed always gives the same data.
 */
import { seededRandom } from '../../seeded-random.ts';

export interface OpenItem { invoiceNo: string; customer: string; amountCents: bigint; dueDate: string }

export type PaymentKind = 'full' | 'partial' | 'instalment' | 'overpayment' | 'unknown';

export interface Payment { ref: string; invoiceNo: string; amountCents: bigint; debtor: string; kind: PaymentKind }

export interface CashData { openItems: OpenItem[]; payments: Payment[]; xml: string; setupSql: string }

/** Counts of each case; the defaults give 2,000 open items and about 1,500 payments. */
export interface CashDataSize { openItems: number; full: number; partial: number; splitInvoices: number; overpaid: number; unknown: number }

export const DEFAULT_SIZE: CashDataSize = { openItems: 2000, full: 1100, partial: 180, splitInvoices: 62, overpaid: 40, unknown: 55 };

const CUSTOMERS = [
  'Nordlicht Bürobedarf GmbH', 'Müller & Söhne KG', 'Helsingin Tukku Oy', 'Brasserie du Port SARL', 'Alpenmilch AG', 'Van Dijk Logistiek B.V.',
  'Fjord Fisk AS', 'Kowalski Meble Sp. z o.o.', 'Costa Verde Lda', 'Turku Rakennus Oy', 'Bäckerei Sonnenschein', 'Atelier Lumière SAS',
];

/** Cents as a decimal string with two places ("1234.05"). */
export function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function generateCashData(seed = 20261205, size: CashDataSize = DEFAULT_SIZE): CashData {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const openItems: OpenItem[] = [];
  for (let i = 1; i <= size.openItems; i++) {
    const day = int(1, 28);
    openItems.push({
      invoiceNo: `INV-2026-${String(i).padStart(5, '0')}`,
      customer: CUSTOMERS[int(0, CUSTOMERS.length - 1)],
      amountCents: BigInt(int(5_000, 2_500_000)),
      dueDate: `2026-11-${String(day).padStart(2, '0')}`,
    });
  }
  // Each invoice gets payments of one case only, so the expected balances do not depend on the order they apply in.
  const order = openItems.map((_, i) => i).sort(() => random() - 0.5);
  let next = 0;
  const take = (n: number) => order.slice(next, (next += n)).map((i) => openItems[i]);
  const payments: Payment[] = [];
  let refNo = 0;
  const pay = (item: OpenItem, amountCents: bigint, kind: PaymentKind) =>
    payments.push({ ref: `RF26${String(++refNo).padStart(7, '0')}`, invoiceNo: item.invoiceNo, amountCents, debtor: item.customer, kind });
  for (const item of take(size.full)) pay(item, item.amountCents, 'full');
  for (const item of take(size.partial)) pay(item, (item.amountCents * BigInt(int(10, 90))) / 100n, 'partial');
  const secondInstalments: [OpenItem, bigint][] = [];
  for (const item of take(size.splitInvoices)) {
    const first = (item.amountCents * BigInt(int(30, 70))) / 100n;
    pay(item, first, 'instalment');
    secondInstalments.push([item, item.amountCents - first]);
  }
  for (const item of take(size.overpaid)) pay(item, item.amountCents + BigInt(int(1, 5_000)), 'overpayment');
  for (let i = 1; i <= size.unknown; i++) {
    const ghost: OpenItem = { invoiceNo: `INV-2025-${String(90_000 + i)}`, customer: CUSTOMERS[int(0, CUSTOMERS.length - 1)], amountCents: 0n, dueDate: '' };
    pay(ghost, BigInt(int(1_000, 500_000)), 'unknown');
  }
  // Shuffle, then put each second instalment far from the first (the second half of the file).
  payments.sort(() => random() - 0.5);
  for (const [item, rest] of secondInstalments) {
    const at = int(Math.floor(payments.length / 2), payments.length);
    payments.splice(at, 0, { ref: `RF26${String(++refNo).padStart(7, '0')}`, invoiceNo: item.invoiceNo, amountCents: rest, debtor: item.customer, kind: 'instalment' });
  }
  return { openItems, payments, xml: camt054(payments, random), setupSql: openItemsSql(openItems) };
}

/** A camt.054.001.02 credit notification: entries of one to three transactions each. */
function camt054(payments: Payment[], random: () => number): string {
  const entries: string[] = [];
  let total = 0n;
  for (let i = 0, entryNo = 1; i < payments.length; entryNo++) {
    const batch = payments.slice(i, i + 1 + Math.floor(random() * 3));
    i += batch.length;
    const sum = batch.reduce((s, p) => s + p.amountCents, 0n);
    total += sum;
    const day = String(1 + (entryNo % 28)).padStart(2, '0');
    entries.push(`<Ntry><Amt Ccy="EUR">${centsText(sum)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-${day}</Dt></BookgDt><ValDt><Dt>2026-12-${day}</Dt></ValDt><AcctSvcrRef>261205NTRY${String(entryNo).padStart(6, '0')}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><Btch><NbOfTxs>${batch.length}</NbOfTxs><TtlAmt Ccy="EUR">${centsText(sum)}</TtlAmt></Btch>${batch.map((p) => `<TxDtls><Refs><AcctSvcrRef>${p.ref}</AcctSvcrRef><EndToEndId>${p.ref}-E2E</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">${centsText(p.amountCents)}</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>${escapeXml(p.debtor)}</Nm></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${p.invoiceNo}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>`).join('')}</NtryDtls></Ntry>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>LEDGERFLOW-CAMT054-20261205</MsgId><CreDtTm>2026-12-05T18:00:00+01:00</CreDtTm></GrpHdr><Ntfctn><Id>NTFCTN-20261205</Id><CreDtTm>2026-12-05T18:00:00+01:00</CreDtTm><Acct><Id><IBAN>DE87200500001234567890</IBAN></Id><Ccy>EUR</Ccy></Acct><TxsSummry><TtlNtries><NbOfNtries>${entries.length}</NbOfNtries><Sum>${centsText(total)}</Sum></TtlNtries></TxsSummry>
${entries.join('\n')}
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
`;
}

function openItemsSql(items: OpenItem[]): string {
  const rows = items.map((o) => `('${o.invoiceNo}', '${o.customer.replaceAll("'", "''")}', ${centsText(o.amountCents)}, 'EUR', '${o.dueDate}')`);
  return `INSERT INTO ar_open_item (invoice_no, customer_name, amount, currency, due_date) VALUES\n${rows.join(',\n')}\nON CONFLICT (invoice_no) DO NOTHING;\n`;
}

/** What cash application must give, computed here in integer cents, independently of the flow. */
export interface ExpectedApplication {
  applications: number;
  unappliedNoInvoice: number;
  overpayments: number;
  paidCents: bigint;
  appliedCents: bigint;
  unappliedCents: bigint;
  /** Open balance per invoice that received payments. */
  balances: Map<string, bigint>;
}

export function expectedApplication(data: Pick<CashData, 'openItems' | 'payments'>): ExpectedApplication {
  const open = new Map(data.openItems.map((o) => [o.invoiceNo, o.amountCents]));
  const balances = new Map<string, bigint>();
  let appliedCents = 0n;
  let paidCents = 0n;
  let applications = 0;
  let unappliedNoInvoice = 0;
  let overpayments = 0;
  for (const p of data.payments) {
    paidCents += p.amountCents;
    if (!open.has(p.invoiceNo)) {
      unappliedNoInvoice++;
      continue;
    }
    applications++;
    const before = balances.get(p.invoiceNo) ?? open.get(p.invoiceNo)!;
    // BigInt: no Math.min. Applied is the payment, at most the open balance.
    let applied = p.amountCents;
    if (p.amountCents > before) {
      applied = before;
      overpayments++;
    }
    balances.set(p.invoiceNo, before - applied);
    appliedCents += applied;
  }
  return { applications, unappliedNoInvoice, overpayments, paidCents, appliedCents, unappliedCents: paidCents - appliedCents, balances };
}
