/**
 * Colours of series: a metric keeps its colour on every tile and after a restart (temperature is the
 * same hue everywhere on the wall), which lets visitors compare devices at a glance; within one device
 * no two rows share a colour. The colour follows from the metric's name alone (and the names beside
 * it when two would collide), never from the order metrics were first seen.
 *
 * Series colours are categorical, never semantic: none is the wall's alarm red or the brand accent.
 * Each keeps WCAG 2.1 non-text contrast (1.4.11: 3:1) on its theme's panel (test/unit/wallColors.panel.test.ts).
 */
export type ColorTheme = 'dark' | 'light';

export const METRIC_PALETTE: readonly string[] = ['#4cc9f0', '#f9c74f', '#90be6d', '#f8961e', '#c77dff', '#a0c4ff', '#43aa8b', '#ff8fab'];
/** The same hues, darker, for the light theme: pale yellow on white would be invisible. */
export const METRIC_PALETTE_LIGHT: readonly string[] = ['#0a7ea4', '#9a6700', '#3f7f26', '#c2410c', '#8e44ad', '#3b5bdb', '#1b7f6b', '#c2185b'];

/** The theme the page shows (web/wall/wallTheme.ts sets it on <html>); dark where there is no page. */
export function pageTheme(): ColorTheme {
  return globalThis.document?.documentElement.dataset['theme'] === 'light' ? 'light' : 'dark';
}

export function metricPalette(theme: ColorTheme = pageTheme()): readonly string[] {
  return theme === 'light' ? METRIC_PALETTE_LIGHT : METRIC_PALETTE;
}

export function assignMetricColors(metrics: readonly string[], theme: ColorTheme = pageTheme()): Map<string, string> {
  const palette = metricPalette(theme);
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  // In name order, not the caller's: a tile whose metrics arrive in another order after a restart
  // must still resolve a collision the same way.
  const names = [...new Set(metrics)].sort();
  for (const metric of names) {
    let index = nameHash(metric) % palette.length;
    // Past the palette size colours must repeat; before that, probe for a free one.
    for (let probe = 0; probe < palette.length && taken.has(index); probe++) index = (index + 1) % palette.length;
    taken.add(index);
    colors.set(metric, palette[index] ?? '#ffffff');
  }
  return colors;
}

/**
 * Colours no two alike for things told apart by colour alone (the dots of a position map, up to
 * DASHBOARD_LIMITS.devicesPerPosition). Picked once by farthest-point search in CIE L*a*b* from hues
 * 24°–336° (the reds next to the alarm colour left out), keeping 3:1 on the theme's panel and bg:
 * any two differ by ΔE76 ≥ 28.
 */
export const DISTINCT_COLORS: Readonly<Record<ColorTheme, readonly string[]>> = {
  dark: [
    '#4cc9f0',
    '#06f906',
    '#f96706',
    '#9806f9',
    '#e61986',
    '#f2f288',
    '#0677f9',
    '#06f9b8',
    '#ecacf6',
    '#dc9e74',
    '#c8f906',
    '#fb56f0',
    '#f9b806',
    '#b6edcc',
    '#76d454',
    '#3385cc',
    '#9854d4',
    '#06f9f9',
    '#dc749e',
    '#b6c1ed',
  ],
  light: [
    '#0a7ea4',
    '#0606e5',
    '#c76005',
    '#119c11',
    '#e5069a',
    '#230b65',
    '#5a5a16',
    '#6d032d',
    '#119c77',
    '#066ee5',
    '#d606e5',
    '#6d2d03',
    '#16315a',
    '#9329a3',
    '#142ab8',
    '#165a51',
    '#0b6517',
    '#708b04',
    '#a97d04',
    '#a32972',
  ],
};

/** `count` distinct colours while the list lasts, then round again (a position map holds at most 20). */
export function distinctColors(count: number, theme: ColorTheme = pageTheme()): string[] {
  const list = DISTINCT_COLORS[theme];
  return Array.from({ length: count }, (_, i) => list[i % list.length] ?? '#ffffff');
}

/** FNV-1a: stable across page loads and browsers, unlike anything keyed on insertion order. */
function nameHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
