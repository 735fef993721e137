/**
 * The recent window of one metric of one device. Readings that fall in the same time slot replace
 * each other, so a device publishing at 100 Hz still spans the whole window instead of pushing the
 * start of the window out after a few seconds.
 *
 * Memory follows the points actually held: the buffer starts small and doubles up to `capacity`,
 * each growth granted by the caller (the booth's live-window budget). A buffer refused growth keeps
 * working within what it has, dropping its oldest point for each new one: its window gets shorter,
 * never its newest values older.
 */

/** A timestamp and a value, both float64. */
export const BYTES_PER_POINT = 16;
/** Points a new series starts with: a device heard once costs 128 bytes, not its whole window. */
export const INITIAL_POINTS = 8;

/**
 * What became of a pushed point: `added` in a free slot, `replaced` the newest point in its time
 * slot, `rolled` out the oldest point at full capacity (the window as designed), `squeezed` out the
 * oldest point early because growth was refused, or `older` than the newest one and not taken.
 */
export type PushOutcome = 'added' | 'replaced' | 'rolled' | 'squeezed' | 'older';

/** Asked before growing by `bytes`; true grants (and accounts) them. */
export type GrowthGrant = (bytes: number) => boolean;

const ALWAYS: GrowthGrant = () => true;

export class LiveWindowSeries {
  /** Interleaved [ts, value] pairs: one allocation per series. */
  private points: Float64Array;
  /** Index of the oldest point. */
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    /** Points closer together than this share a slot; window / capacity keeps the whole window. */
    private readonly slotMs: number,
    initialPoints = INITIAL_POINTS,
  ) {
    this.points = new Float64Array(2 * Math.max(1, Math.min(capacity, initialPoints)));
  }

  get size(): number {
    return this.count;
  }

  /** Points there is room for now (not the capacity it may grow to). */
  get allocatedPoints(): number {
    return this.points.length / 2;
  }

  get allocatedBytes(): number {
    return this.allocatedPoints * BYTES_PER_POINT;
  }

  get lastTs(): number | undefined {
    return this.count === 0 ? undefined : this.points[2 * this.slot(this.count - 1)];
  }

  /** Takes a point; never older than the newest one (the live view only moves forward). */
  push(ts: number, value: number, grant: GrowthGrant = ALWAYS): PushOutcome {
    const last = this.lastTs;
    if (last !== undefined) {
      if (ts < last) return 'older';
      if (Math.floor(ts / this.slotMs) === Math.floor(last / this.slotMs)) {
        this.write(this.slot(this.count - 1), ts, value);
        return 'replaced';
      }
    }
    let outcome: PushOutcome = 'added';
    if (this.count === this.allocatedPoints) {
      const grown = Math.min(this.capacity, 2 * this.allocatedPoints);
      if (grown > this.allocatedPoints && grant((grown - this.allocatedPoints) * BYTES_PER_POINT)) this.grow(grown);
      else outcome = this.allocatedPoints === this.capacity ? 'rolled' : 'squeezed';
    }
    if (outcome === 'added') {
      this.write(this.slot(this.count), ts, value);
      this.count++;
    } else {
      this.write(this.start, ts, value); // the oldest slot becomes the newest
      this.start = (this.start + 1) % this.allocatedPoints;
    }
    return outcome;
  }

  /** Points with ts >= since, oldest first, as plain arrays ready for JSON. */
  since(since: number): { ts: number[]; values: number[] } {
    const ts: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const index = 2 * this.slot(i);
      const t = this.points[index] as number;
      if (t >= since) {
        ts.push(t);
        values.push(this.points[index + 1] as number);
      }
    }
    return { ts, values };
  }

  /** Position of the first point with ts >= since (size when none): points are in time order, so a binary search. */
  firstIndexSince(since: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.tsAt(middle) < since) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Time of the point at `position` (0 is the oldest); for snapshots that read a window in slices. */
  tsAt(position: number): number {
    return this.points[2 * this.slot(position)] as number;
  }

  valueAt(position: number): number {
    return this.points[2 * this.slot(position) + 1] as number;
  }

  private slot(i: number): number {
    return (this.start + i) % this.allocatedPoints;
  }

  private write(slot: number, ts: number, value: number): void {
    this.points[2 * slot] = ts;
    this.points[2 * slot + 1] = value;
  }

  /** Copies the points oldest first into a larger allocation. */
  private grow(points: number): void {
    const grown = new Float64Array(2 * points);
    for (let i = 0; i < this.count; i++) {
      const from = 2 * this.slot(i);
      grown[2 * i] = this.points[from] as number;
      grown[2 * i + 1] = this.points[from + 1] as number;
    }
    this.points = grown;
    this.start = 0;
  }
}
