/**
 * Colours, fonts and sizes every chart shares, on the wall and in the console. ECharts draws on a
 * canvas and cannot read CSS, so the page's font is read from the page once per chart layout.
 */
export const AXIS_COLOR = '#8b94a7';
export const SPLIT_LINE_COLOR = 'rgba(255,255,255,0.08)';

/**
 * The page's font for canvas text. ECharts hands the family to the canvas `font` shorthand, which
 * rejects CSS keywords such as 'inherit' and silently falls back to 10px sans-serif.
 */
export function readFontFamily(element: Element): string {
  return getComputedStyle(element).fontFamily || 'sans-serif';
}

/**
 * Axis labels are secondary to the big DOM numbers, but must still be legible from a few metres:
 * scaled with the room the chart has, and hidden (null) rather than squeezed below legibility.
 */
export function chartFontSize(availablePx: number, share = 0.2, min = 12, max = 22): number | null {
  const size = Math.round(availablePx * share);
  if (size < min) return null;
  return Math.min(max, size);
}
