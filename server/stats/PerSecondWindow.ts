/**
 * Counts (and optionally sums and maxima) of events over the last N seconds, one slot per second,
 * in fixed memory: readings per second for a device, write round trips for InfluxDB. A slot is
 * reused when its second comes round again, so nothing grows and nothing needs a timer.
 * Rates count the last N whole seconds, not the one under way, which would understate them.
 */
export class PerSecondWindow {
  private readonly slots: number;
  private readonly seconds: Float64Array;
  private readonly counts: Uint32Array;
  /** Allocated on the first add() with a value: a plain counter does not pay for them. */
  private sums: Float64Array | null = null;
  private maxima: Float64Array | null = null;

  constructor(readonly length = 60) {
    // One more than the window: the second under way.
    this.slots = length + 1;
    this.seconds = new Float64Array(this.slots).fill(-1);
    this.counts = new Uint32Array(this.slots);
  }

  add(at: number, value?: number): void {
    const second = Math.floor(at / 1000);
    const slot = second % this.slots;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
      if (this.sums) this.sums[slot] = 0;
      if (this.maxima) this.maxima[slot] = -Infinity;
    }
    this.counts[slot]!++;
    if (value === undefined) return;
    if (!this.sums || !this.maxima) {
      this.sums = new Float64Array(this.slots);
      this.maxima = new Float64Array(this.slots).fill(-Infinity);
    }
    this.sums[slot]! += value;
    if (value > this.maxima[slot]!) this.maxima[slot] = value;
  }

  /** Events in the last `length` whole seconds before the second of `now`. */
  count(now: number): number {
    let n = 0;
    this.forEachLive(now, false, (slot) => (n += this.counts[slot]!));
    return n;
  }

  ratePerSecond(now: number): number {
    return this.count(now) / this.length;
  }

  /**
   * Mean and maximum of the values added in the window (or only its last `seconds`) and the second
   * under way; null when none were.
   */
  summary(now: number, seconds = this.length): { mean: number; max: number } | null {
    if (!this.sums || !this.maxima) return null;
    let n = 0;
    let sum = 0;
    let max = -Infinity;
    this.forEachLive(
      now,
      true,
      (slot) => {
        n += this.counts[slot]!;
        sum += this.sums![slot]!;
        max = Math.max(max, this.maxima![slot]!);
      },
      seconds,
    );
    return n === 0 ? null : { mean: sum / n, max };
  }

  private forEachLive(now: number, withCurrent: boolean, visit: (slot: number) => void, seconds = this.length): void {
    const current = Math.floor(now / 1000);
    const newest = withCurrent ? current : current - 1;
    const oldest = current - Math.min(seconds, this.length);
    for (let slot = 0; slot < this.slots; slot++) {
      const second = this.seconds[slot]!;
      if (second >= oldest && second <= newest) visit(slot);
    }
  }
}
