/**
 * A running exact decimal sum, cheap per value: small decimals (see
 * small-decimal.ts) while they stay exact, decimal.js once they do not.
 * Written out at the largest scale it was given ("10.50" + "2" = "12.50").
 */
import { ExactDecimal, decimalAtScale, scaleOf } from '../expression/money.ts';
import { addInto, formatSmall, readSmall, smallDecimal, type SmallDecimal } from '../expression/small-decimal.ts';

type Big = InstanceType<typeof ExactDecimal>;

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a value is an amount the sum takes: a finite number or a decimal string. */
export function isDecimalValue(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && DECIMAL_TEXT.test(value.trim()));
}

// Working space of `add` (nothing it calls re-enters it).
const NEXT: SmallDecimal = { m: 0, s: 0 };
const SUM: SmallDecimal = { m: 0, s: 0 };

export class ExactSum {
  // The small path inline (m / 10^s, see small-decimal.ts) rather than a { m, s } object per
  // add: an aggregate holds one of these per group and measure, so each field counts.
  private m = 0;
  private s = 0;
  private big: Big | null = null;
  private scale = 0;

  /** Adds a number or decimal string (the caller checked it with `isDecimalValue`). */
  add(value: number | string): void {
    if (!this.big) {
      SUM.m = this.m;
      SUM.s = this.s;
      if (readSmall(value, NEXT) && addInto(SUM, NEXT, SUM)) {
        this.m = SUM.m;
        this.s = SUM.s;
        if (NEXT.s > this.scale) this.scale = NEXT.s;
        return;
      }
      this.big = new ExactDecimal(formatSmall({ m: this.m, s: this.s }));
    }
    const text = typeof value === 'string' ? value.trim() : value;
    this.big = this.big.plus(new ExactDecimal(text));
    this.scale = Math.max(this.scale, scaleOf(value));
  }

  /** Adds another sum (a partial from another chunk). */
  addSum(other: ExactSum): void {
    this.add(other.toString());
  }

  toString(): string {
    if (!this.big) return formatSmall({ m: this.m, s: this.s }, this.scale);
    return decimalAtScale(this.big, this.scale);
  }

  /** A sum read back from its text (as `toString` wrote it). */
  static of(text: string): ExactSum {
    const sum = new ExactSum();
    sum.add(text);
    return sum;
  }
}

/** Compares two amounts exactly: negative, zero or positive. */
export function compareDecimals(a: number | string, b: number | string): number {
  const x = smallDecimal(a);
  const y = smallDecimal(b);
  if (x && y) {
    const s = Math.max(x.s, y.s);
    const xm = x.m * 10 ** (s - x.s);
    const ym = y.m * 10 ** (s - y.s);
    if (Number.isSafeInteger(xm) && Number.isSafeInteger(ym)) return Math.sign(xm - ym);
  }
  return new ExactDecimal(typeof a === 'string' ? a.trim() : a).comparedTo(new ExactDecimal(typeof b === 'string' ? b.trim() : b));
}

/** sum ÷ count, 34 significant digits, at least the sum's scale. */
export function averageOf(sum: string, count: number): string {
  const quotient = new (ExactDecimal.clone({ precision: 34 }))(sum).div(count);
  return decimalAtScale(quotient, scaleOf(sum));
}
