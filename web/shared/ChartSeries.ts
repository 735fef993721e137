/**
 * One metric's recent points as a fixed-size ring of typed arrays: a wall runs for days,
 * so memory per series must not depend on how long it has been up or how chatty a device is.
 */
export class ChartSeries {
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
   * Adds a point in time order. Most points are newer than the last and go to the end; an older one
   * (a device that buffered readings while the network was down and sends them late) is put in its
   * place so the chart fills the gap. A time already held is ignored: frames after a (re)connect
   * repeat what the snapshot carried. When full, the oldest point goes.
   */
  append(ts: number, value: number): boolean {
    if (!Number.isFinite(ts) || !Number.isFinite(value)) return false;
    const last = this.lastTs();
    if (last === undefined || ts > last) {
      if (this.size === this.capacity) this.dropOldest();
      const at = this.slot(this.size);
      this.ts[at] = ts;
      this.values[at] = value;
      this.size++;
      return true;
    }
    return this.insertEarlier(ts, value);
  }

  private insertEarlier(ts: number, value: number): boolean {
    // Late points are usually recent, so search from the newest end.
    let index = this.size - 1;
    while (index >= 0 && (this.ts[this.slot(index)] ?? -Infinity) > ts) index--;
    if (index >= 0 && this.ts[this.slot(index)] === ts) return false;
    if (this.size === this.capacity) {
      if (index < 0) return false; // older than everything held: the window has no room for it
      this.dropOldest();
      index--;
    }
    // Shift the newer points one place towards the end, then write into the gap.
    for (let i = this.size - 1; i > index; i--) {
      const from = this.slot(i);
      const to = this.slot(i + 1);
      this.ts[to] = this.ts[from] ?? NaN;
      this.values[to] = this.values[from] ?? NaN;
    }
    const at = this.slot(index + 1);
    this.ts[at] = ts;
    this.values[at] = value;
    this.size++;
    return true;
  }

  private dropOldest(): void {
    this.head = (this.head + 1) % this.capacity;
    this.size--;
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
