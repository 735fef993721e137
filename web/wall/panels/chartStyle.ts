/**
 * Colours and sizes panel charts share. ECharts draws on a canvas and cannot read CSS, so the
 * wall's palette (custom properties in wall.css / panels.css) is read from the page once per chart
 * layout; the fallbacks match wall.css for when a property is missing.
 */
export const AXIS_COLOR = '#8b94a7';
export const SPLIT_LINE_COLOR = 'rgba(255,255,255,0.08)';

export type WallColorName = 'text' | 'muted' | 'live' | 'warn' | 'bad' | 'accent' | 'panel';

const FALLBACK_COLORS: Record<WallColorName, string> = {
  text: '#e8edf5',
  muted: '#8b94a7',
  live: '#3ddc84',
  warn: '#ffb020',
  bad: '#ff5c5c',
  accent: '#4cc9f0',
  panel: '#131a26',
};

export type WallColors = Record<WallColorName, string>;

export function readWallColors(element: Element): WallColors {
  const style = getComputedStyle(element);
  const colors = { ...FALLBACK_COLORS };
  for (const name of Object.keys(colors) as WallColorName[]) {
    const value = style.getPropertyValue(`--${name}`).trim();
    if (value) colors[name] = value;
  }
  return colors;
}

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
