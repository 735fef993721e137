/**
 * Builds one wall's snapshot as a sequence of bounded chunks (contract/live.ts, Snapshot), so that
 * no snapshot is ever one giant string: a booth that fills its live window (hundreds of devices ×
 * 64 metrics) made `JSON.stringify` throw `RangeError: Invalid string length` and killed the server,
 * and a 39 MB snapshot held the event loop for 2.6 s. The caller yields to the event loop between
 * chunks; this module decides what goes into each.
 *
 * Sizes are the JSON length of what is sent: strings are measured with JSON.stringify (summaries are
 * small: meta is bounded by the MQTT packet size), numbers by their printed length, so the cap is
 * kept without stringifying the snapshot twice.
 *
 * What does not fit in `maxBytes` is left out oldest points first, in proportion across every series
 * (each chart keeps its most recent part of the window), and as a last resort whole devices, the
 * least recently heard last in line; both are counted and told to the wall on the final chunk.
 */
import type { DeviceWindow, SeriesWindow, Snapshot } from '../../contract/live';
import type { DeviceDirectory, DeviceRecord } from './DeviceDirectory';
import type { LiveWindowSeries } from './LiveWindowSeries';

export interface SnapshotChunkLimits {
  /** The whole snapshot, JSON bytes (`wall.maxSnapshotBytes`). */
  maxBytes: number;
  /** One chunk, JSON bytes; a chunk may pass it by at most one point or one summary. */
  chunkBytes: number;
}

export interface SnapshotRequest {
  booths: readonly string[];
  windowMs: number;
}

/** ~256 KB: a few ms to encode, small enough that other booths' frames and acks slip in between. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** Keys, brackets and commas around one series: `{"metric":…,"ts":[],"values":[]},`. */
const SERIES_OVERHEAD_BYTES = 32;
/** `,"series":[]` and the braces around a device window. */
const DEVICE_OVERHEAD_BYTES = 16;
/** serverTime, windowMs, chunk, final, truncated and the braces around a chunk. */
const CHUNK_OVERHEAD_BYTES = 160;
/** Share of the estimated room the proportional trim aims for. */
const RATIO_MARGIN = 0.97;
/** Before anything was measured: a 13-digit timestamp, a short value, two commas. */
const INITIAL_POINT_BYTES = 22;

interface Planned {
  record: DeviceRecord;
  /** Points of the window when the snapshot was planned. */
  points: number;
}

/**
 * The chunks, lazily: each `next()` reads the live directory as it is at that moment, so devices
 * evicted or points added between chunks are handled (an evicted device is skipped; new points
 * are sent too, as frames also carry them and the page drops repeats by timestamp).
 */
export function* snapshotChunks(
  directory: DeviceDirectory,
  boothLabels: readonly { id: string; name: string }[],
  request: SnapshotRequest,
  limits: SnapshotChunkLimits,
  clock: () => number = Date.now,
): Generator<Snapshot, void, void> {
  const planned = clock();
  const windowMs = Math.min(request.windowMs, directory.limits.windowMs);
  const since = planned - windowMs;
  const wanted = new Set(request.booths);
  const booths = boothLabels.filter((b) => wanted.has(b.id)).map((b) => ({ id: b.id, name: b.name }));
  const boothsBytes = JSON.stringify(booths).length;

  const order = interleaveByBooth(
    directory,
    booths.map((b) => b.id),
  );
  let remainingPoints = 0;
  let sampledBytes = 0;
  let sampledPoints = 0;
  for (const entry of order) {
    for (const series of entry.record.series.values()) {
      const first = series.firstIndexSince(since);
      entry.points += series.size - first;
      // The newest point of every series is a cheap, representative sample of how long points print.
      if (series.size > first) {
        sampledBytes += pointBytes(series, series.size - 1);
        sampledPoints++;
      }
    }
    remainingPoints += entry.points;
  }
  let bytesPerPoint = sampledPoints > 0 ? sampledBytes / sampledPoints : INITIAL_POINT_BYTES;

  let spent = CHUNK_OVERHEAD_BYTES + boothsBytes;
  let summariesSent = 0;
  let summaryBytesSent = 0;
  let truncatedPoints = 0;
  let truncatedDevices = 0;
  let chunkIndex = 0;
  let chunk = newChunk(clock(), windowMs, booths, 0);
  let chunkBytes = CHUNK_OVERHEAD_BYTES + boothsBytes;

  /** Starts the next chunk, repeating the overhead it costs against the whole snapshot. */
  const startChunk = (): void => {
    chunkIndex++;
    chunk = newChunk(clock(), windowMs, booths, chunkIndex);
    chunkBytes = CHUNK_OVERHEAD_BYTES + boothsBytes;
    spent += chunkBytes;
  };

  /**
   * What the chunk boundaries still to come may cost: each repeats the chunk's envelope and the
   * summary and column of whatever is in progress, and there are at most as many as the budget
   * left fills chunks. Kept aside so the whole snapshot stays under the cap, not just its points.
   */
  const boundaryReserve = (summaryBytes: number, metricBytes: number): number =>
    Math.ceil(Math.max(0, limits.maxBytes - spent) / limits.chunkBytes) * (CHUNK_OVERHEAD_BYTES + boothsBytes + summaryBytes + metricBytes);

  for (let index = 0; index < order.length; index++) {
    const { record, points } = order[index] as Planned;
    remainingPoints -= points;
    if (chunkBytes >= limits.chunkBytes) {
      yield chunk;
      startChunk();
    }
    if (directory.get(record.booth, record.device) !== record) continue; // evicted since the plan: nothing to show
    let summary = directory.summary(record);
    let summaryBytes = JSON.stringify(summary).length + DEVICE_OVERHEAD_BYTES;
    if (spent + summaryBytes + boundaryReserve(summaryBytes, 0) > limits.maxBytes) {
      truncatedDevices++;
      truncatedPoints += points;
      continue;
    }
    spent += summaryBytes;
    summariesSent++;
    summaryBytesSent += summaryBytes;
    // What is left for this device's points: the rest of the budget, less a summary for each device to come.
    const averageSummary = summaryBytesSent / summariesSent;
    const devicesAfter = order.length - index - 1;
    const forPoints = limits.maxBytes - spent - devicesAfter * averageSummary - boundaryReserve(summaryBytes, SERIES_OVERHEAD_BYTES);
    const wantedPoints = points + remainingPoints;
    // Aimed a little under: the estimate's error then lands below the cap instead of starving the last series.
    const ratio = wantedPoints === 0 ? 1 : Math.max(0, Math.min(1, (RATIO_MARGIN * forPoints) / (bytesPerPoint * wantedPoints)));

    let window: DeviceWindow = { ...summary, series: [] };
    chunk.devices.push(window);
    chunkBytes += summaryBytes;

    for (const [metric, series] of record.series) {
      const first = series.firstIndexSince(since);
      const available = series.size - first;
      if (available === 0) continue;
      const metricBytes = JSON.stringify(metric).length + SERIES_OVERHEAD_BYTES;
      // The newest `keep` points, shortened further if they would not fit the cap after all.
      let start = series.size - Math.floor(available * ratio);
      let seriesBytes = metricBytes;
      let measured = 0;
      const limit = limits.maxBytes - boundaryReserve(summaryBytes, metricBytes);
      let fits = series.size;
      while (fits > start) {
        const bytes = pointBytes(series, fits - 1);
        if (spent + seriesBytes + bytes > limit) break;
        seriesBytes += bytes;
        measured++;
        fits--;
      }
      start = fits;
      truncatedPoints += start - first;
      if (start === series.size) continue;
      spent += seriesBytes - metricBytes; // the points; each column's own overhead is counted as it is opened
      sampledBytes += seriesBytes - metricBytes;
      sampledPoints += measured;
      bytesPerPoint = sampledBytes / sampledPoints;

      // Oldest slice first, so the page appends rather than inserts; a series too long for one chunk is split.
      // Points that arrive while the event loop runs between chunks are the frames' to carry: the
      // snapshot stops at what was measured, so the cap holds however fast a booth publishes.
      const endTs = series.tsAt(series.size - 1);
      const more = (at: number): boolean => at < series.size && series.tsAt(at) <= endTs;
      // Where to resume after a yield: after the last point sent, or at the first one measured if the
      // boundary fell before any (then the column opened at the end of a full chunk is empty).
      const firstTs = series.tsAt(start);
      let lastSentTs: number | undefined;
      let position = start;
      while (more(position)) {
        const column: SeriesWindow = { metric, ts: [], values: [] };
        window.series.push(column);
        spent += metricBytes;
        chunkBytes += metricBytes;
        while (more(position) && chunkBytes < limits.chunkBytes) {
          const bytes = pointBytes(series, position);
          const ts = series.tsAt(position);
          column.ts.push(ts);
          column.values.push(series.valueAt(position));
          lastSentTs = ts;
          // Counted in `spent` when measured above.
          chunkBytes += bytes;
          position++;
        }
        if (chunkBytes < limits.chunkBytes) break;
        yield chunk;
        // The event loop ran: the device may be gone, and the ring buffer may have moved on.
        startChunk();
        if (directory.get(record.booth, record.device) !== record) break;
        summary = directory.summary(record);
        summaryBytes = JSON.stringify(summary).length + DEVICE_OVERHEAD_BYTES;
        spent += summaryBytes;
        window = { ...summary, series: [] };
        chunk.devices.push(window);
        chunkBytes += summaryBytes;
        position = series.firstIndexSince(lastSentTs ?? firstTs);
        while (lastSentTs !== undefined && position < series.size && series.tsAt(position) <= lastSentTs) position++;
      }
      if (directory.get(record.booth, record.device) !== record) break;
    }
  }
  chunk.final = true;
  chunk.truncated = { points: truncatedPoints, devices: truncatedDevices };
  yield chunk;
}

function newChunk(serverTime: number, windowMs: number, booths: { id: string; name: string }[], chunk: number): Snapshot {
  return { serverTime, windowMs, booths, devices: [], chunk, final: false };
}

/**
 * Devices round-robin across booths, most recently heard first within each: a booth that floods
 * with fresh device ids then takes its turn like every other booth, both in the cap and in the
 * page's own device limit, which keeps the first devices it is sent.
 */
function interleaveByBooth(directory: DeviceDirectory, booths: readonly string[]): Planned[] {
  const perBooth = booths.map((booth) => [...directory.records(new Set([booth]))].sort((a, b) => (b.lastSeen ?? -Infinity) - (a.lastSeen ?? -Infinity)));
  const order: Planned[] = [];
  const longest = Math.max(0, ...perBooth.map((list) => list.length));
  for (let i = 0; i < longest; i++) {
    for (const list of perBooth) {
      const record = list[i];
      if (record) order.push({ record, points: 0 });
    }
  }
  return order;
}

/** JSON bytes of one point: timestamp, value and the two commas that separate them from the next. */
function pointBytes(series: LiveWindowSeries, position: number): number {
  return numberBytes(series.tsAt(position)) + numberBytes(series.valueAt(position)) + 2;
}

/** Printed length of a number; integers without String(), which is most timestamps and many values. */
export function numberBytes(value: number): number {
  if (Number.isSafeInteger(value)) {
    let digits = value < 0 ? 2 : 1;
    for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) digits++;
    return digits;
  }
  return Number.isFinite(value) ? String(value).length : 4; // JSON.stringify writes null for NaN and Infinity
}
