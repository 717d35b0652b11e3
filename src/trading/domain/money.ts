/**
 * Decimal arithmetic for money, prices, quantities and weights. Binary floats lose cents (0.1 + 0.2)
 * and drift when a plan sums hundreds of products, so every amount in the workflow is a decimal.js
 * value in memory and a plain decimal string on the wire and in the store.
 */
import { Decimal } from 'decimal.js';
import * as z from 'zod';

/** A private Decimal constructor: 34 significant digits (IEEE decimal128), banker's rounding. */
export const Dec = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

/** `-12.5`, `0`, `100.000001`: no exponent, no sign on zero, no leading '+'. */
export const DECIMAL_STRING_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export const decimalString = z.string().regex(DECIMAL_STRING_PATTERN, 'must be a decimal string such as "123.45"');

export function dec(value: string | number | Decimal): Decimal {
  return new Dec(value);
}

/** The canonical wire form: fixed notation, trailing zeros dropped, "-0" written as "0". */
export function toDecimalString(value: Decimal): string {
  if (value.isZero()) return '0';
  return value.toFixed();
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = new Dec(0);
  for (const value of values) total = total.plus(value);
  return total;
}

/** Display form for money: two decimals, thousands separators, e.g. "12,345.60". */
export function formatMoney(value: Decimal): string {
  const fixed = value.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
  const [whole = '0', cents = '00'] = fixed.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value.isNegative() && !value.isZero() ? '-' : ''}${grouped}.${cents}`;
}
