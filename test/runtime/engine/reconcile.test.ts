import { describe, expect, it } from 'vitest';
import { needsALook, ReconciliationBuilder } from '../../../runtime/engine/reconcile.ts';
import { reconciliationText } from '../../../runtime/cli/format.ts';

describe('ReconciliationBuilder', () => {
  it('keeps totals exact beyond 20 significant digits and never writes an exponent', () => {
    const run = new ReconciliationBuilder();
    // A month of large amounts carried with FX precision: 22 significant digits.
    for (const amount of ['999999999999999.123456', '0.000001', '1000000000000000.1']) {
      run.addRead(amount, 'EUR');
      run.addOutcome('delivered', amount, 'EUR');
    }
    const chunk = new ReconciliationBuilder();
    chunk.addRead('0.0000001', 'EUR');
    chunk.addOutcome('quarantined', '0.0000001', 'EUR');
    run.merge(chunk.toReconciliation());
    const r = run.toReconciliation();
    expect(r.totals.read).toEqual({ EUR: '1999999999999999.2234571' });
    expect(r.totals.delivered).toEqual({ EUR: '1999999999999999.223457' });
    expect(r.totals.quarantined).toEqual({ EUR: '0.0000001' });
    expect(r.closes).toBe(true);
  });
});

describe('totals at the currency\'s minor units', () => {
  it('shows each currency\'s total with its ISO 4217 decimals, never cutting digits', () => {
    const run = new ReconciliationBuilder();
    for (const [amount, currency] of [['2000', 'DKK'], ['337.5', 'DKK'], ['739.9', 'EUR'], ['1200', 'JPY'], ['12.5', 'KWD'], ['0.125', 'EUR'], ['7', 'XAU']] as const) {
      run.addRead(amount, currency);
      run.addOutcome('delivered', amount, currency);
    }
    const r = run.toReconciliation();
    expect(r.totals.read).toEqual({ DKK: '2337.50', EUR: '740.025', JPY: '1200', KWD: '12.500', XAU: '7' });
    expect(r.totals.delivered).toEqual(r.totals.read);
  });

  it('names the difference at minor units when a currency does not close', () => {
    const run = new ReconciliationBuilder();
    run.addRead('10', 'EUR');
    expect(run.toReconciliation().differences).toContain('EUR: 10.00 read but 0.00 accounted for');
  });
});

describe('item-level reconciliation and partial misses', () => {
  it('checks that a record\'s items sum to its amount exactly, merged across chunks in any order, and says so in the CLI', () => {
    const chunkA = new ReconciliationBuilder();
    chunkA.checkItemSum({ sourceKey: 'N1', amount: '369.95', currency: 'EUR' }, 'entries', [{ amount: '2000.00', currency: 'EUR' }, { amount: '-1630.05', currency: 'EUR' }]);
    const chunkB = new ReconciliationBuilder();
    chunkB.checkItemSum({ sourceKey: 'N2', amount: '100', currency: 'EUR' }, 'entries', [{ amount: '0.1', currency: 'EUR' }, { amount: '99.8', currency: 'EUR' }]);
    // Unchecked: an item without an amount, an item in another currency, a record without an amount.
    chunkB.checkItemSum({ sourceKey: 'N3', amount: '1', currency: 'EUR' }, 'entries', [{ amount: null, currency: 'EUR' }]);
    chunkB.checkItemSum({ sourceKey: 'N4', amount: '1', currency: 'EUR' }, 'entries', [{ amount: '1', currency: 'USD' }]);
    chunkB.checkItemSum({ sourceKey: 'N5', amount: null, currency: 'EUR' }, 'entries', [{ amount: '1', currency: 'EUR' }]);
    for (const order of [[chunkA, chunkB], [chunkB, chunkA]]) {
      const run = new ReconciliationBuilder();
      for (const c of order) run.merge(c.toReconciliation());
      const r = run.toReconciliation();
      expect(r.itemSums).toEqual({ checked: 2, differing: 1, examples: [{ sourceKey: 'N2', node: 'entries', currency: 'EUR', items: 2, recordAmount: '100.00', itemsTotal: '99.90' }] });
      expect(r.warnings?.map((w) => w.code)).toEqual(['ITEM_AMOUNTS_DIFFER']);
      expect(needsALook(r)).toBe(true);
      expect(reconciliationText(r)).toContain("N2: 2 items of entries sum to 99.90 EUR, the record's amount is 100.00 EUR");
    }
  });

  it('names partial misses with their count; money makes the run need a look, a key is a notice', () => {
    const run = new ReconciliationBuilder();
    for (let i = 0; i < 120; i++) {
      run.noteExpression('itemAmount of entries', i >= 3);
      run.noteExpression('itemKey of entries', i !== 7);
    }
    const r = run.toReconciliation();
    expect(r.warnings).toEqual([
      { code: 'EXPRESSION_MATCHED_PARTLY', expression: 'itemAmount of entries', unmatched: 3, of: 120, message: 'The itemAmount of entries expression gave nothing for 3 of 120 items: their amounts are not in the totals' },
      { code: 'EXPRESSION_MATCHED_PARTLY', expression: 'itemKey of entries', unmatched: 1, of: 120, notice: true, message: 'The itemKey of entries expression gave nothing for 1 of 120 items' },
    ]);
    expect(needsALook(r)).toBe(true);
    const keysOnly = new ReconciliationBuilder();
    keysOnly.noteExpression('businessKey', false);
    keysOnly.noteExpression('businessKey', true);
    expect(needsALook(keysOnly.toReconciliation())).toBe(false);
    expect(reconciliationText(keysOnly.toReconciliation())).toContain('! notice EXPRESSION_MATCHED_PARTLY: The businessKey expression gave nothing for 1 of 2 source records');
  });
});
