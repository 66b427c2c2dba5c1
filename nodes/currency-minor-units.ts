/**
 * Amounts shown at their currency's minor units (ISO 4217 via the
 * `currency-codes` table: JPY 0, EUR 2, KWD 3, CLF 4): "2337.5" DKK is shown
 * as "2337.50", "1200" JPY as "1200". Digits are only ever added, never cut,
 * so an exact total with more decimals than the currency has (a sum of unit
 * prices, say) is shown as it is. Codes that ISO lists without minor units
 * (XAU, XXX …) and unknown codes are shown as they are.
 */
import { code as currencyOf } from 'currency-codes';

/** The ISO 4217 minor units (decimals) of a currency code, or undefined when unknown. */
export function minorUnits(currency: string | null | undefined): number | undefined {
  if (!currency || !/^[A-Za-z]{3}$/.test(currency)) return undefined;
  return currencyOf(currency)?.digits;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * An exact decimal string at least at the currency's minor units ("739.9", "EUR" → "739.90");
 * anything that is not a plain decimal is returned unchanged.
 */
export function amountAtMinorUnits(amount: string, currency: string | null | undefined): string {
  const units = minorUnits(currency) ?? 0;
  const match = DECIMAL.exec(amount.trim());
  if (!match) return amount;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length >= units) return amount.trim();
  return `${sign}${whole}.${fraction.padEnd(units, '0')}`;
}
