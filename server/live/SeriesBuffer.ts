/**
 * The recent window of one metric of one device, in fixed memory. Readings that fall in the same
 * time slot replace each other, so a device publishing at 100 Hz still spans the whole window
 * instead of pushing the start of the window out after a few seconds.
 */
export class SeriesBuffer {
  private readonly ts: Float64Array;
  private readonly values: Float64Array;
  /** Index of the oldest point. */
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    /** Points closer together than this share a slot; window / capacity keeps the whole window. */
    private readonly slotMs: number,
  ) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get lastTs(): number | undefined {
    return this.count === 0 ? undefined : this.ts[(this.start + this.count - 1) % this.capacity];
  }

  /** Returns false for a point older than the newest one: the live view only moves forward. */
  push(ts: number, value: number): boolean {
    const last = this.lastTs;
    if (last !== undefined) {
      if (ts < last) return false;
      if (Math.floor(ts / this.slotMs) === Math.floor(last / this.slotMs)) {
        const index = (this.start + this.count - 1) % this.capacity;
        this.ts[index] = ts;
        this.values[index] = value;
        return true;
      }
    }
    const index = (this.start + this.count) % this.capacity;
    this.ts[index] = ts;
    this.values[index] = value;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
    return true;
  }

  /** Points with ts >= since, oldest first, as plain arrays ready for JSON. */
  since(since: number): { ts: number[]; values: number[] } {
    const ts: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const index = (this.start + i) % this.capacity;
      const t = this.ts[index] as number;
      if (t >= since) {
        ts.push(t);
        values.push(this.values[index] as number);
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
      if ((this.ts[(this.start + middle) % this.capacity] as number) < since) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Time of the point at `position` (0 is the oldest); for snapshots that read a window in slices. */
  tsAt(position: number): number {
    return this.ts[(this.start + position) % this.capacity] as number;
  }

  valueAt(position: number): number {
    return this.values[(this.start + position) % this.capacity] as number;
  }
}
