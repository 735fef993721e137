/**
 * One metric's recent points as a fixed-size ring of typed arrays: a wall runs for days,
 * so memory per series must not depend on how long it has been up or how chatty a device is.
 */
export class SeriesBuffer {
  private readonly ts: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  lastTs(): number | undefined {
    return this.size === 0 ? undefined : this.ts[this.slot(this.size - 1)];
  }

  lastValue(): number | undefined {
    return this.size === 0 ? undefined : this.values[this.slot(this.size - 1)];
  }

  /**
   * Appends only points newer than the last one: frames after a (re)connect may repeat what the
   * snapshot already carried, and a line chart needs ascending time anyway.
   */
  append(ts: number, value: number): boolean {
    if (!Number.isFinite(ts) || !Number.isFinite(value)) return false;
    const last = this.lastTs();
    if (last !== undefined && ts <= last) return false;
    if (this.size === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    const at = this.slot(this.size);
    this.ts[at] = ts;
    this.values[at] = value;
    this.size++;
    return true;
  }

  /** Drops points older than `minTs`; returns how many went. */
  trimBefore(minTs: number): number {
    let dropped = 0;
    while (this.size > 0 && (this.ts[this.head] ?? Infinity) < minTs) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      dropped++;
    }
    return dropped;
  }

  /** Oldest first. */
  forEach(visit: (ts: number, value: number) => void): void {
    for (let i = 0; i < this.size; i++) {
      const at = this.slot(i);
      visit(this.ts[at] ?? NaN, this.values[at] ?? NaN);
    }
  }

  private slot(index: number): number {
    return (this.head + index) % this.capacity;
  }
}
