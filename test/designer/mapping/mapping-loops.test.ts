import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import { generateExpression, loopsOf, parseMapping, removeField, setFieldExpression, setLoop, type Mapping } from '../../../designer/mapping/expression-mapping.ts';
import { pathInLoops, sourceSegments } from '../../../designer/mapping/loop-paths.ts';
import { parseXml } from '../../../nodes/formats/xml.ts';

function parsed(expr: string): Mapping {
  const r = parseMapping(expr);
  if (!r.ok) throw new Error(r.reason);
  return r.mapping;
}

async function camt054(): Promise<Record<string, unknown>> {
  const bytes = readFileSync('/work/shared/data/real/iso20022/camt054-v02-fi-fffs-credit-debit-notification.xml');
  async function* chunks() { yield new Uint8Array(bytes); }
  const records: unknown[] = [];
  for await (const r of parseXml(chunks(), 'camt054.xml', { recordElement: 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn' })) records.push(r);
  return records[0] as Record<string, unknown>;
}

describe('loops in the mapping (writer and reader)', () => {
  it('reads a list built from a repeating element as a loop, nested to any depth, with filters kept', () => {
    const m = parsed('{ "id": Id, "entries": [Ntry[Sts = "BOOK"].{ "amount": Amt.`#text`, "details": [NtryDtls.TxDtls.{ "ref": Refs.AcctSvcrRef, "parts": [RmtInf.Strd.{ "ref": CdtrRefInf.Ref }] }] }] }');
    expect(m.fields).toEqual([
      { key: 'id', expression: 'Id' },
      { key: 'entries', loop: 'Ntry[Sts = "BOOK"]', fields: [
        { key: 'amount', expression: 'Amt.`#text`' },
        { key: 'details', loop: 'NtryDtls.TxDtls', fields: [
          { key: 'ref', expression: 'Refs.AcctSvcrRef' },
          { key: 'parts', loop: 'RmtInf.Strd', fields: [{ key: 'ref', expression: 'CdtrRefInf.Ref' }] },
        ] },
      ] },
    ]);
    expect(loopsOf(m.fields)).toEqual([
      { path: ['entries'], loop: 'Ntry[Sts = "BOOK"]' },
      { path: ['entries', 'details'], loop: 'NtryDtls.TxDtls' },
      { path: ['entries', 'details', 'parts'], loop: 'RmtInf.Strd' },
    ]);
  });

  it('writes what it reads back, nested loops included (a fixed point)', () => {
    let fields = setLoop([], ['entries'], 'Ntry');
    fields = setFieldExpression(fields, ['entries', 'amount'], '$decAdd(Amt.`#text`, "0")');
    fields = setLoop(fields, ['entries', 'details'], 'NtryDtls.TxDtls');
    fields = setFieldExpression(fields, ['entries', 'details', 'ref'], 'Refs.AcctSvcrRef');
    fields = setFieldExpression(fields, ['entries', 'details', 'bookingDate'], '%.%.BookgDt.Dt');
    fields = setFieldExpression(fields, ['notification'], 'Id');
    const mapping: Mapping = { preamble: ['$ccy := Acct.Ccy'], fields };
    const text = generateExpression(mapping);
    expect(text).toBe([
      '(',
      '  $ccy := Acct.Ccy;',
      '  {',
      '    "entries": [Ntry.{',
      '      "amount": $decAdd(Amt.`#text`, "0"),',
      '      "details": [NtryDtls.TxDtls.{',
      '        "ref": Refs.AcctSvcrRef,',
      '        "bookingDate": %.%.BookgDt.Dt',
      '      }]',
      '    }],',
      '    "notification": Id',
      '  }',
      ')',
    ].join('\n'));
    expect(parsed(text)).toEqual(mapping);
    expect(generateExpression(parsed(text))).toBe(text);
  });

  it('keeps a loop whose fields are all unmapped, and writes nothing for a list with no element chosen yet', () => {
    const fields = setFieldExpression(setLoop([], ['entries'], 'Ntry'), ['entries', 'amount'], 'Amt');
    expect(removeField(fields, ['entries', 'amount'])).toEqual([{ key: 'entries', loop: 'Ntry', fields: [] }]);
    expect(generateExpression({ preamble: null, fields: [...setLoop([], ['later'], ''), { key: 'id', expression: 'Id' }] })).toBe('{\n  "id": Id\n}');
    expect(removeField(fields, ['entries'])).toEqual([]);
  });

  it('changing a loop source keeps the fields mapped inside it', () => {
    const fields = setFieldExpression(setLoop([], ['entries'], 'Ntry'), ['entries', 'amount'], 'Amt');
    expect(setLoop(fields, ['entries'], 'Ntry[CdtDbtInd = "CRDT"]')).toEqual([{ key: 'entries', loop: 'Ntry[CdtDbtInd = "CRDT"]', fields: [{ key: 'amount', expression: 'Amt' }] }]);
  });

  it('maps a real camt.054 notification: one entry per Ntry, one detail per TxDtls, values from the right item', async () => {
    const record = await camt054();
    let fields = setFieldExpression([], ['notificationId'], pathInLoops([], ['Ntfctn', 'Id']));
    fields = setLoop(fields, ['entries'], pathInLoops([], ['Ntfctn', 'Ntry']));
    const entryLoops = ['Ntfctn.Ntry'];
    fields = setFieldExpression(fields, ['entries', 'amount'], pathInLoops(entryLoops, ['Ntfctn', 'Ntry', 'Amt', '#text']));
    fields = setFieldExpression(fields, ['entries', 'currency'], pathInLoops(entryLoops, ['Ntfctn', 'Ntry', 'Amt', '@Ccy']));
    fields = setLoop(fields, ['entries', 'transactions'], pathInLoops(entryLoops, ['Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls']));
    const txLoops = [...entryLoops, 'NtryDtls.TxDtls'];
    fields = setFieldExpression(fields, ['entries', 'transactions', 'amount'], pathInLoops(txLoops, ['Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'AmtDtls', 'TxAmt', 'Amt', '#text']));
    fields = setFieldExpression(fields, ['entries', 'transactions', 'bookingDate'], pathInLoops(txLoops, ['Ntfctn', 'Ntry', 'BookgDt', 'Dt']));
    fields = setFieldExpression(fields, ['entries', 'transactions', 'account'], pathInLoops(txLoops, ['Ntfctn', 'Acct', 'Id', 'IBAN']));
    const text = generateExpression({ preamble: null, fields });
    expect(parsed(text).fields).toEqual(fields);
    const out = (await jsonata(text).evaluate(record)) as { notificationId: string; entries: { amount: string; currency: string; transactions: { amount: string; bookingDate: string; account: string }[] }[] };
    expect(out.notificationId).toBe('BANKFILEID00001NTR00001');
    expect(out.entries.map((e) => e.amount)).toEqual(['2000.00', '500.00', expect.any(String), '4230.05', '1000.00', '100.00']);
    expect(out.entries[0].transactions.map((t) => t.amount)).toEqual(['1900.00', '100.00']);
    expect(out.entries[3].transactions.map((t) => t.amount)).toEqual(['2000.02', '1000.01', '1230.02']);
    expect(out.entries[4].transactions[0]).toMatchObject({ bookingDate: '2009-10-30', account: 'FI7433010001222090' });
    expect(out.entries[0].transactions[1].bookingDate).toBe('2009-10-29');
  });
});

describe('paths inside loops', () => {
  it.each([
    [[], ['Ntry', 'Amt', '#text'], 'Ntry.Amt.`#text`'],
    [['Ntry'], ['Ntry', 'Amt', '#text'], 'Amt.`#text`'],
    [['Ntry'], ['Ntry'], '$'],
    [['Ntry[Sts = "BOOK"]', 'NtryDtls.TxDtls'], ['Ntry', 'NtryDtls', 'TxDtls', 'Refs', 'AcctSvcrRef'], 'Refs.AcctSvcrRef'],
    [['Ntry', 'NtryDtls.TxDtls'], ['Ntry', 'BookgDt', 'Dt'], '%.%.BookgDt.Dt'],
    [['Ntry', 'NtryDtls.TxDtls'], ['Ntry'], '%.%'],
    [['Ntry'], ['GrpHdr', 'MsgId'], '$$.GrpHdr.MsgId'],
    [['$doc.InvoiceLine'], ['Invoice', 'InvoiceLine', 'ID'], '$$.Invoice.InvoiceLine.ID'],
  ] as [string[], string[], string][])('inside %j, %j reads as %s', (loops, dragged, expected) => {
    expect(pathInLoops(loops, dragged)).toBe(expected);
  });

  it('reads the names a loop source walks, or null for variables and calls', () => {
    expect(sourceSegments('Ntry[CdtDbtInd = "CRDT"].NtryDtls.`Tx Dtls`[0]')).toEqual(['Ntry', 'NtryDtls', 'Tx Dtls']);
    expect(sourceSegments('$doc.InvoiceLine')).toBeNull();
    expect(sourceSegments('($a ? b : c)')).toBeNull();
  });
});
