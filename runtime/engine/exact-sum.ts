/**
 * An exact running sum of decimal strings, cheap per addition: a plain amount
 * ("2337.50", "-12", at most 15 digits and 9 decimals) is added as a whole
 * number of its smallest unit, in a double while that stays a safe integer;
 * anything else, and what would overflow, goes through decimal.js. The total
 * is the same exact decimal either way.
 */
import type Decimal from 'decimal.js';
import { ExactDecimal as Dec } from '../../nodes/expression/money.ts';

const PLAIN = /^-?\d+(?:\.\d+)?$/;
const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export class ExactSum {
  /** Whole units of 10^-scale, always a safe integer. */
  private units = 0;
  private scale = 0;
  private rest: Decimal | null = null;

  add(amount: string | Decimal): void {
    if (typeof amount === 'string' && amount.length <= 16 && PLAIN.test(amount)) {
      const dot = amount.indexOf('.');
      const scale = dot < 0 ? 0 : amount.length - dot - 1;
      if (scale <= 9) {
        let n = dot < 0 ? Number(amount) : Number(amount.slice(0, dot) + amount.slice(dot + 1));
        let units = this.units;
        if (scale > this.scale) units *= POWERS[scale - this.scale];
        else n *= POWERS[this.scale - scale];
        const sum = units + n;
        if (Number.isSafeInteger(units) && Number.isSafeInteger(n) && Number.isSafeInteger(sum)) {
          this.units = sum;
          if (scale > this.scale) this.scale = scale;
          return;
        }
      }
    }
    this.rest = (this.rest ?? new Dec(0)).plus(amount);
  }

  /** The exact total. */
  value(): Decimal {
    const units = this.units === 0 ? new Dec(0) : new Dec(`${this.units}e-${this.scale}`);
    return this.rest ? this.rest.plus(units) : units;
  }
}
