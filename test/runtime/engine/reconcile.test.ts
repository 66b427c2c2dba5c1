import { describe, expect, it } from 'vitest';
import { ReconciliationBuilder } from '../../../runtime/engine/reconcile.ts';

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
