import { describe, expect, it } from 'vitest';
import { amountAtMinorUnits, minorUnits } from '../../nodes/currency-minor-units.ts';
import { reconciliationText } from '../../runtime/cli/format.ts';
import { ReconciliationBuilder } from '../../runtime/engine/reconcile.ts';

describe('ISO 4217 minor units', () => {
  it.each([['JPY', 0], ['EUR', 2], ['DKK', 2], ['KWD', 3], ['BHD', 3], ['CLF', 4], ['usd', 2], ['XYZ', undefined], ['EURO', undefined], ['', undefined], [null, undefined]] as const)(
    '%s has %s', (code, units) => expect(minorUnits(code)).toBe(units));

  it.each([
    ['2337.5', 'DKK', '2337.50'],
    ['739.9', 'EUR', '739.90'],
    ['-1000', 'EUR', '-1000.00'],
    ['1200', 'JPY', '1200'],
    ['12.5', 'KWD', '12.500'],
    ['0.125', 'EUR', '0.125'], // more decimals than the currency has: shown exactly, never rounded away
    ['15', 'XXX', '15'],
    ['15', null, '15'],
    ['not a number', 'EUR', 'not a number'],
  ] as const)('%s %s → %s', (amount, currency, shown) => expect(amountAtMinorUnits(amount, currency)).toBe(shown));
});

describe('the CLI shows totals at minor units', () => {
  it('pads each total and each absent figure to the currency\'s decimals', () => {
    const run = new ReconciliationBuilder();
    run.addRead('337.5', 'DKK');
    run.addOutcome('delivered', '337.5', 'DKK');
    run.addRead('1200', 'JPY');
    run.addOutcome('quarantined', '1200', 'JPY');
    const text = reconciliationText(run.toReconciliation());
    expect(text).toMatch(/^DKK\s+337\.50\s+337\.50\s+0\.00\s+0\.00\s+0\.00\s+0\.00$/m);
    expect(text).toMatch(/^JPY\s+1200\s+0\s+1200\s+0\s+0\s+0$/m);
  });
});
