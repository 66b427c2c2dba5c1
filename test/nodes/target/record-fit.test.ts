/** The values records give a table target's columns against the columns' types: per column, the first misfit and how many records fail. */
import { describe, expect, it } from 'vitest';
import type { DatabaseColumn, DatabaseTable } from '../../../nodes/target/column-fit.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { readsSensitiveField, recordFitFindings } from '../../../nodes/target/record-fit.ts';

const col = (name: string, type: string, more: Partial<DatabaseColumn> = {}): DatabaseColumn => ({ name, type, maxLength: null, precision: null, scale: null, nullable: true, hasDefault: false, ...more });

const tables: DatabaseTable[] = [
  {
    schema: 'public', name: 'payments', columns: [
      col('code', 'character', { maxLength: 3, nullable: false }), col('amount', 'numeric', { precision: 10, scale: 2 }), col('qty', 'integer'),
      col('booked_on', 'date'), col('paid', 'boolean'), col('iban', 'character varying', { maxLength: 10 }), col('status', 'text', { nullable: false }),
    ],
  },
  { schema: 'public', name: 'payment_lines', columns: [col('ref', 'character varying', { maxLength: 4 }), col('amount', 'numeric', { precision: 6, scale: 2 })] },
];
const evaluator = createReferenceEvaluator();
const compile = (e: string) => evaluator.compile(e);

describe('recordFitFindings', () => {
  it('counts the records whose values a column cannot hold, naming the first value', async () => {
    const records = [
      { code: 'EUR', amount: 1.5, qty: 2, on: '2026-12-05', paid: true },
      { code: 'EURO-ACCOUNTS', amount: '12.345', qty: 2.5, on: '05.12.2026', paid: 'maybe' },
      { code: 'USDOLLARCASH', amount: 3, qty: '7', on: '2026-12-06', paid: 'no' },
      { code: null, amount: 4.999, qty: 1, on: '2026-12-07', paid: false },
    ];
    const findings = await recordFitFindings({ table: 'payments', columns: { code: 'code', amount: 'amount', qty: 'qty', booked_on: 'on', paid: 'paid', status: "='open'" } }, tables, ['public'], records, { compile });
    expect(findings).toEqual([
      { path: '/columns/code', table: 'payments', column: 'code', problem: "character(3) cannot hold 'EURO-ACCOUNTS': 13 characters, at most 3", failing: 3, records: 4 },
      { path: '/columns/amount', table: 'payments', column: 'amount', problem: "numeric(10,2) would round '12.345' to 12.35: it keeps 2 decimal(s)", failing: 2, records: 4 },
      { path: '/columns/qty', table: 'payments', column: 'qty', problem: 'integer cannot hold 2.5: not a whole number', failing: 1, records: 4 },
      { path: '/columns/booked_on', table: 'payments', column: 'booked_on', problem: "date cannot hold '05.12.2026': not a date (YYYY-MM-DD)", failing: 1, records: 4 },
      { path: '/columns/paid', table: 'payments', column: 'paid', problem: "boolean cannot hold 'maybe'", failing: 1, records: 4 },
    ]);
  });

  it('reads expressions and lines (with ^parent paths), skips constants, missing columns and records whose mapping fails', async () => {
    const records = [
      { ref: 'INV-1', lines: [{ n: 1, amount: '10.00' }, { n: 2, amount: '99999.99' }] },
      { ref: 'INV-2', lines: [{ n: 1, amount: '1.001' }] },
      { ref: 'IN3', lines: [] },
    ];
    const findings = await recordFitFindings({
      table: 'payments', columns: { amount: '=$sum(lines.$number(amount))', code: '=$substring(ref, 0, 3)', colour: 'ref', status: "='a very long constant'" },
      lines: { path: 'lines', table: 'payment_lines', columns: { ref: '^ref', amount: 'amount' } },
    }, tables, ['public'], records, { compile });
    expect(findings).toEqual([
      { path: '/columns/amount', table: 'payments', column: 'amount', problem: 'numeric(10,2) would round 1.001 to 1.00: it keeps 2 decimal(s)', failing: 1, records: 3 },
      { path: '/lines/columns/ref', table: 'payment_lines', column: 'ref', problem: "character varying(4) cannot hold 'INV-1': 5 characters, at most 4", failing: 2, records: 3 },
      { path: '/lines/columns/amount', table: 'payment_lines', column: 'amount', problem: "numeric(6,2) cannot hold '99999.99': more than 4 digit(s) before the decimal point", failing: 2, records: 3 },
    ]);
  });

  it('names null into a NOT NULL column, and masks the values of sensitive fields', async () => {
    const records = [{ code: 'EUR', payee: { iban: 'DE89370400440532013000' } }, { payee: { iban: 'NL91' } }];
    const findings = await recordFitFindings({ table: 'payments', columns: { code: 'code', iban: 'payee.iban' } }, tables, ['public'], records, { compile, sensitive: ['iban'] });
    expect(findings.map((f) => [f.column, f.problem, f.failing])).toEqual([
      ['code', 'character(3) NOT NULL cannot hold null', 1],
      ['iban', 'character varying(10) cannot hold ***: 22 characters, at most 10', 1],
    ]);
  });
});

describe('readsSensitiveField', () => {
  it.each([
    ['payee.iban', ['iban'], true], ['iban', ['iban'], true], ['^payee.iban', ['iban'], true], ['payee.name', ['iban'], false],
    ['payee.account.iban', ['payee.account'], true], ['other.account', ['payee.account'], false], ['payee', ['payee.account'], false],
    ['=$uppercase(payee.iban)', ['iban'], true], ['=$uppercase(payee.name)', ['iban'], false], ['lines.0.iban', ['iban'], true],
  ] as const)('%s with %j', (value, sensitive, expected) => {
    expect(readsSensitiveField(value, sensitive)).toBe(expected);
  });
});
