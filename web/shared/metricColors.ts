/**
 * A metric keeps its colour on every tile (temperature is the same hue everywhere on the wall),
 * which lets visitors compare devices at a glance; within one device no two rows share a colour.
 */
export const METRIC_PALETTE: readonly string[] = ['#4cc9f0', '#f9c74f', '#90be6d', '#f8961e', '#c77dff', '#a0c4ff', '#43aa8b', '#ff8fab'];

export function assignMetricColors(metrics: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  for (const metric of metrics) {
    let index = nameHash(metric) % METRIC_PALETTE.length;
    // Past the palette size colours must repeat; before that, probe for a free one.
    for (let probe = 0; probe < METRIC_PALETTE.length && taken.has(index); probe++) index = (index + 1) % METRIC_PALETTE.length;
    taken.add(index);
    colors.set(metric, METRIC_PALETTE[index] ?? '#ffffff');
  }
  return colors;
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
