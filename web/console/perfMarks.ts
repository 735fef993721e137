/**
 * Performance marks around the device table's work, read by test/bench/consoleTable.ts through
 * performance.getEntriesByName. `measureWork` times the script and, given a paint name, until the
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

/**
 * Records `performance.now() - start` as a measure called `name`. Measures take a start time, not a
 * mark, so nothing is left behind per call; and each name keeps at most MAX_ENTRIES measures,
 * because the timeline keeps every entry until cleared and a console stays open for days.
 */
function record(name: string, start: number): void {
  if (performance.getEntriesByName(name, 'measure').length >= MAX_ENTRIES) performance.clearMeasures(name);
  performance.measure(name, { start, end: performance.now() });
}

/** Runs `work` and records how long it took as `name`; with `paintName`, also until the next frame has painted. */
export function measureWork<T>(name: string, paintName: string | null, work: () => T): T {
  const start = performance.now();
  const result = work();
  record(name, start);
  if (paintName !== null) {
    // A task queued from inside the next animation frame runs after that frame has painted.
    requestAnimationFrame(() => setTimeout(() => record(paintName, start), 0));
  }
  return result;
}

/** The same for asynchronous work, such as a fetch. */
export async function measureAsync<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  record(name, start);
  return result;
}
