/**
 * What one booth's next live frame will carry: bounded per tick however fast the booth publishes,
 * so one booth's flood cannot fill a wall's socket buffer that other booths' frames share.
 *
 * - Coalesced: only the newest value of each device × metric within the tick is kept. A wall draws
 *   at most one point per series per tick anyway (the server's own window keeps one point per slot,
 *   SeriesBuffer), so this costs a normal booth nothing and a flooding one most of its volume.
 * - Capped: at most `maxPoints` values and about `maxBytes` of JSON per booth per tick; past either,
 *   the values that arrived earliest in the tick are dropped (the newest is what a wall shows), and
 *   the caller counts them against the booth. Storage never sees this cap: it is the live view only.
 */
import type { ReadingValues } from '../../contract/device';
import type { LiveReading } from '../../contract/live';

export interface BoothFrameLimits {
  /** `live.maxFrameReadingsPerBooth`: device × metric values in one booth's frame per tick. */
  maxPoints: number;
  /** `live.maxFrameBytesPerBooth`: about this many JSON bytes of readings in one booth's frame per tick. */
  maxBytes: number;
}

interface PendingPoint {
  device: string;
  metric: string;
  ts: number;
  value: number | boolean;
  bytes: number;
}

/**
 * JSON bytes a value costs when it travels alone as a reading: `{"booth":…,"device":…,"ts":…,"values":{…}}`
 * with a 64-byte booth id, a 13-digit time and a number printed at full precision. An upper
 * estimate: values of one device at one time share their reading, so a real frame is smaller.
 */
const READING_OVERHEAD_BYTES = 140;

export function pointBytes(device: string, metric: string): number {
  return READING_OVERHEAD_BYTES + device.length + metric.length;
}

export class BoothFrame {
  /**
   * Keyed `device/metric` (device ids cannot contain '/', contract ID_PATTERN, so keys never
   * collide); a Map, since device and metric names are data. Insertion order is arrival order:
   * a value that replaces an older one of its series moves to the end.
   */
  private readonly points = new Map<string, PendingPoint>();
  private pendingBytes = 0;

  constructor(private readonly limits: BoothFrameLimits) {}

  get size(): number {
    return this.points.size;
  }

  get bytes(): number {
    return this.pendingBytes;
  }

  /** Drops what a device sent this tick: it was forgotten, and its walls must not see it again. */
  forget(device: string): void {
    for (const [key, point] of this.points) {
      if (point.device !== device) continue;
      this.points.delete(key);
      this.pendingBytes -= point.bytes;
    }
  }

  /** Adds a reading's values; returns how many values were dropped to stay within the limits. */
  add(reading: LiveReading): number {
    const { device, ts, values } = reading;
    // for…in, not Object.entries: no array of pairs per reading (ingest builds values with a null prototype).
    for (const metric in values) {
      const value = values[metric] as number | boolean;
      const key = `${device}/${metric}`;
      const held = this.points.get(key);
      if (held) {
        // A late reading (a gateway's backlog) older than what the tick holds is not what a wall shows now.
        if (held.ts > ts) continue;
        // The same series again (most readings of a busy booth): its point is reused and moves to the end.
        this.points.delete(key);
        held.ts = ts;
        held.value = value;
        this.points.set(key, held);
        continue;
      }
      const bytes = pointBytes(device, metric);
      this.points.set(key, { device, metric, ts, value, bytes });
      this.pendingBytes += bytes;
    }
    let dropped = 0;
    while (this.points.size > this.limits.maxPoints || (this.pendingBytes > this.limits.maxBytes && this.points.size > 0)) {
      const [key, oldest] = this.points.entries().next().value as [string, PendingPoint];
      this.points.delete(key);
      this.pendingBytes -= oldest.bytes;
      dropped++;
    }
    return dropped;
  }

  /** The readings to send, values of one device at one time together again; empties the frame. */
  take(booth: string): LiveReading[] {
    const byDevice = new Map<string, Map<number, ReadingValues>>();
    for (const point of this.points.values()) {
      let times = byDevice.get(point.device);
      if (!times) byDevice.set(point.device, (times = new Map<number, ReadingValues>()));
      let values = times.get(point.ts);
      // Null prototype: metric names are data ("constructor" is a metric like any other).
      if (!values) times.set(point.ts, (values = Object.create(null) as ReadingValues));
      values[point.metric] = point.value;
    }
    this.points.clear();
    this.pendingBytes = 0;
    const readings: LiveReading[] = [];
    for (const [device, times] of byDevice) for (const [ts, values] of times) readings.push({ booth, device, ts, values });
    return readings;
  }
}
