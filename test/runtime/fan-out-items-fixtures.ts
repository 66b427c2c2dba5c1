
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';

export const CAMT054_PATH = '/work/shared/data/real/iso20022/camt054-v02-fi-fffs-credit-debit-notification.xml';

/** The six entries by account servicer reference, with their signed amounts. */
export const ENTRIES = {
  '091029ACCTSTMTARCH04': '2000.00',
  '091029ACCTSTMTARCH21': '500.00',
  '091029ACCTSTMTARCH05': '3000.00',
  '091029ACCTSTMTARCH03': '-4230.05',
  '091029NTFCTNXBCT010101': '-1000.00',
  '091029ACCTSTMTERR01': '100.00',
} as const;
export const INFO_ENTRY = '091029ACCTSTMTERR01';

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

/**
 * `items` false leaves out the item declarations (key, amount), as a flow
 * written before items were first-class; `expression` replaces the mapping;
 * `bookedOnly` maps the booked entries only (the INFO entry is left out).
 */
export function camt054Flow(id: string, table: string, options: { items?: boolean; expression?: string; amount?: string; bookedOnly?: boolean } = {}): FlowDocument {
  const items = options.items !== false;
  return {
    id, name: 'camt.054 notification → entries',
    recordKey: "Ntfctn.Acct.Id.IBAN & '/' & Ntfctn.Id",
    businessKey: 'Ntfctn.Id',
    amount: { value: options.amount ?? "$decSum(Ntfctn.Ntry.(CdtDbtInd = 'DBIT' ? $decNeg(Amt.`#text`) : Amt.`#text`))", currency: 'Ntfctn.Acct.Ccy' },
    connections: { treasury: { kind: 'postgres' } },
    nodes: [
      node('file', 'source.file', { format: 'xml', xml: { recordElement: 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn', repeat: ['Ntry', 'NtryDtls', 'TxDtls', 'Ustrd'] } }, 0),
      node('entries', 'transform.jsonata', {
        expression: options.expression ?? `Ntfctn.Ntry${options.bookedOnly ? "[Sts = 'BOOK']" : ''}.{
          "notification": %.Id,
          "entryRef": AcctSvcrRef,
          "status": Sts,
          "amount": CdtDbtInd = 'DBIT' ? $decNeg(Amt.\`#text\`) : Amt.\`#text\`,
          "currency": Amt.\`@Ccy\`
        }`,
        fanOut: true,
        ...(items ? { itemKey: 'entryRef', itemAmount: 'amount', itemCurrency: 'currency' } : {}),
      }, 200),
      node('booked', 'validate.record', {
        rules: [{ id: 'booked', expression: "status = 'BOOK'", message: 'entry {{entryRef}} is {{status}}, not booked', severity: 'error', field: 'status' }],
        references: [],
      }, 400),
      node('post', 'target.postgres', {
        connection: 'treasury', table, mode: 'insert', columns: { entry_ref: 'entryRef', notification: 'notification', amount: 'amount', currency: 'currency' },
        idempotencyKey: "notification & '/' & entryRef",
      }, 600),
    ],
    edges: [
      { id: 'e1', source: 'file', target: 'entries' },
      { id: 'e2', source: 'entries', target: 'booked' },
      { id: 'e3', source: 'booked', sourceHandle: 'valid', target: 'post' },
    ],
  };
}

/** The target table, first with a not-null column the flow does not fill: every booked entry fails (dead-lettered). */
export const createBrokenTable = (table: string) => `create table ${table} (entry_ref text primary key, notification text, amount numeric, currency text, booked_by text not null)`;
/** The fix: the column gets a default; a replay now delivers. */
export const fixTable = (table: string) => `alter table ${table} alter column booked_by set default 'ledgerflow'`;
