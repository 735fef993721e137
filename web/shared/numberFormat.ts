/** Plain number text both pages show beside charts and in tables, without the wall's locale. */

/**
 * Precision shrinks as magnitude grows, so "412 ppm" and "21.4 °C" both read at a glance: the one
 * rule for WallText.number (web/wall/wallText.ts) and for the plain formatNumber below.
 */
export function fractionDigits(value: number): number {
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
}

/** Precision by magnitude (fractionDigits); trailing zeros go, so counters stay "7", not "7.00". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const text = value.toFixed(fractionDigits(value));
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
}
