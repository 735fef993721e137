/**
 * The wall's palette for panel charts. ECharts draws on a canvas and cannot read CSS, so the
 * custom properties in wall.css / panels.css are read from the page once per chart layout; the
 * fallbacks match wall.css for when a property is missing.
 */
/** `accent` is the brand's: decoration only, never a state (web/theme.css). */
export type WallColorName = 'text' | 'muted' | 'live' | 'warn' | 'bad' | 'info' | 'accent' | 'panel' | 'panel-edge';

const FALLBACK_COLORS: Record<WallColorName, string> = {
  text: '#e8edf5',
  muted: '#8b94a7',
  live: '#3ddc84',
  warn: '#ffb020',
  bad: '#ff5c5c',
  info: '#a0c4ff',
  accent: '#4cc9f0',
  panel: '#131a26',
  'panel-edge': '#222c3d',
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
