/**
 * Performance marks around the device table's work, read by test/bench/consoleTable.ts through
 * performance.getEntriesByName. `measureWork` times the script; `measurePainted` times until the
 * browser has run the next frame after it (style, layout and paint included), which is what a
 * technician waits for.
 */
export const PERF = {
  devicesFetch: 'console:devices-fetch',
  tableFirstRender: 'console:table-first-render',
  tableFirstPaint: 'console:table-first-paint',
  tableFilter: 'console:table-filter',
  tableFilterPaint: 'console:table-filter-paint',
} as const;

const MAX_ENTRIES = 100;

/** Runs `work` and records how long it took as `name`; a second `${name}`-paint measure follows the next frame. */
export function measureWork<T>(name: string, paintName: string | null, work: () => T): T {
  const start = `${name}:start`;
  // The timeline keeps every entry until cleared; a console open for days must not collect them.
  if (performance.getEntriesByName(name).length >= MAX_ENTRIES) {
    performance.clearMeasures(name);
    if (paintName !== null) performance.clearMeasures(paintName);
  }
  performance.mark(start);
  const result = work();
  performance.measure(name, start);
  if (paintName !== null) {
    // A task queued from inside the next animation frame runs after that frame has painted.
    requestAnimationFrame(() => setTimeout(() => performance.measure(paintName, start), 0));
  }
  return result;
}
