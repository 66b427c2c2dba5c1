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
