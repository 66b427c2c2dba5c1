/** Whether a value fits a database column, table-driven; and a table target's findings against a database's tables. */
import { describe, expect, it } from 'vitest';
import { constantValue, findTable, tableTargetFindings, valueFitProblem, type DatabaseColumn } from '../../../nodes/target/column-fit.ts';

const col = (type: string, more: Partial<DatabaseColumn> = {}): DatabaseColumn => ({ name: 'c', type, maxLength: null, precision: null, scale: null, nullable: true, hasDefault: false, ...more });

describe('valueFitProblem', () => {
  it.each([
    [col('integer'), 42, null],
    [col('integer'), '42', null],
    [col('integer'), 2.5, 'integer cannot hold 2.5: not a whole number'],
    [col('smallint'), 40000, 'smallint cannot hold 40000: out of range'],
    [col('bigint'), '9223372036854775808', "bigint cannot hold '9223372036854775808': out of range"],
    [col('numeric', { precision: 10, scale: 2 }), '12.30', null],
    [col('numeric', { precision: 10, scale: 2 }), 12.345, 'numeric(10,2) would round 12.345 to 12.35: it keeps 2 decimal(s)'],
    [col('numeric', { precision: 4, scale: 2 }), '123.4', "numeric(4,2) cannot hold '123.4': more than 2 digit(s) before the decimal point"],
    [col('numeric'), '1e400', null],
    [col('decimal', { precision: 10, scale: 2 }), 'abc', "decimal(10,2) cannot hold 'abc': not a number"],
    [col('character varying', { maxLength: 3 }), 'EUR', null],
    [col('character', { maxLength: 3 }), 'EURO', "character(3) cannot hold 'EURO': 4 characters, at most 3"],
    [col('text'), 'x'.repeat(100_000), null],
    [col('date'), '2026-12-05', null],
    [col('date'), '05.12.2026', "date cannot hold '05.12.2026': not a date (YYYY-MM-DD)"],
    [col('timestamp with time zone'), '2026-12-05T10:00:00Z', null],
    [col('boolean'), 'maybe', "boolean cannot hold 'maybe'"],
    [col('boolean'), true, null],
    [col('uuid'), 'not-a-uuid', "uuid cannot hold 'not-a-uuid': not a UUID"],
    [col('jsonb'), { a: [1] }, null],
    [col('text'), { a: 1 }, 'text cannot hold an object; map one value (or write to a json column)'],
    [col('text', { nullable: false }), null, 'text NOT NULL cannot hold null'],
    [col('text', { nullable: false, hasDefault: true }), undefined, null],
  ] as const)('%o ← %j', (column, value, expected) => {
    expect(valueFitProblem(value, column)).toBe(expected);
  });
});

describe('constantValue', () => {
  it.each([
    ["='open'", { value: 'open' }], ['=12.50', { value: 12.5 }], ['=true', { value: true }], ['=null', { value: null }], ['="x"', { value: 'x' }],
    ['=$decMul(amount, rate)', undefined], ['amount', undefined], ["='it''s'", undefined],
  ] as const)('%s', (text, expected) => {
    expect(constantValue(text)).toEqual(expected);
  });
});

describe('tableTargetFindings', () => {
  const tables = [
    { schema: 'public', name: 'ledger', columns: [{ ...col('text', { nullable: false }), name: 'ref' }, { ...col('numeric', { precision: 18, scale: 2, nullable: false }), name: 'amount' }, { ...col('bigint', { nullable: false, hasDefault: true }), name: 'id' }] },
    { schema: 'erp', name: 'ledger', columns: [{ ...col('text'), name: 'only_here' }] },
  ];

  it('finds a table by the search path or by its schema', () => {
    expect(findTable(tables, ['public'], 'ledger')?.schema).toBe('public');
    expect(findTable(tables, ['erp', 'public'], 'ledger')?.schema).toBe('erp');
    expect(findTable(tables, ['public'], 'erp.ledger')?.columns[0].name).toBe('only_here');
    expect(findTable(tables, ['public'], '"erp"."ledger"')?.schema).toBe('erp');
    expect(findTable(tables, ['public'], 'missing')).toBeUndefined();
  });

  it('names missing columns, unmapped NOT NULL columns (not in update mode) and constants that do not fit', () => {
    const where = "'ledger' in dev";
    expect(tableTargetFindings({ table: 'ledger', columns: { ref: 'ref', amount: 'amount' }, keyColumns: ['ref'], returning: ['id'] }, tables, ['public'], where)).toEqual([]);
    expect(tableTargetFindings({ table: 'ledger', columns: { amount: '=1.005', colour: "='red'" }, keyColumns: ['ref'], returning: ['posted_at'] }, tables, ['public'], where)).toEqual([
      { path: '/columns/amount', message: 'column amount of ledger: numeric(18,2) would round 1.005 to 1.01: it keeps 2 decimal(s)' },
      { path: '/columns/colour', message: "column colour does not exist in table ledger ('ledger' in dev)" },
      { path: '/returning/0', message: "column posted_at does not exist in table ledger ('ledger' in dev)" },
      { path: '/columns', message: 'column ref of ledger is NOT NULL without a default, but no value is mapped to it' },
    ]);
    expect(tableTargetFindings({ table: 'ledger', mode: 'update', columns: { amount: 'amount' }, keyColumns: ['amount'] }, tables, ['public'], where)).toEqual([]);
    expect(tableTargetFindings({ table: 'ledger', columns: { ref: 'ref', amount: 'amount' }, lines: { table: 'ledger_line', columns: { n: 'n' } } }, tables, ['public'], where)).toEqual([
      { path: '/lines/table', message: "table ledger_line does not exist in 'ledger' in dev" },
    ]);
  });
});

describe('valueFitProblem with a masked value', () => {
  it('says why without showing the value or what it would round to', () => {
    expect(valueFitProblem('DE89370400440532013000', col('character', { maxLength: 3 }), { masked: true })).toBe('character(3) cannot hold ***: 22 characters, at most 3');
    expect(valueFitProblem('12.345', col('numeric', { precision: 10, scale: 2 }), { masked: true })).toBe('numeric(10,2) would round *** to ***: it keeps 2 decimal(s)');
    expect(valueFitProblem('12.34', col('numeric', { precision: 10, scale: 2 }), { masked: true })).toBeNull();
  });
});
