/**
 * How long a device may stay quiet before it counts as stale, for devices that do not say their
 * interval in meta: learned from the gaps between its own recent readings. The median ignores
 * the odd long gap (a reconnect) and the odd burst; three gaps' worth of silence is then stale.
 */
import { STALE_RULES, staleAfterMs, type StaleRules } from '../../contract/presence';

export interface IntervalRules extends StaleRules {
  /** Gaps remembered, newest replacing oldest. */
  historySize: number;
  /** No guess before this many gaps have been seen. */
  minSamples: number;
}

export const DEFAULT_INTERVAL_RULES: IntervalRules = { historySize: 32, minSamples: 5, ...STALE_RULES };

/** The one stale limit (contract/presence.ts), re-exported for the learner's callers. */
export { staleAfterMs };

export class IntervalLearner {
  /** The last gaps in arrival order (a ring), to know which one leaves when a new one comes. */
  private readonly gaps: Float64Array;
  /**
   * The same gaps kept sorted, so the median is a read. Re-sorting on every arrival was 3–4 % of the
   * server's CPU at 50,000 QoS 1 readings/s: each reading changes the history, and the presence check
   * asks for the limit before and after it. One removal and one insertion move at most historySize values.
   */
  private readonly sorted: Float64Array;
  private stored = 0;
  private next = 0;
  private lastArrival: number | null = null;

  constructor(private readonly rules: IntervalRules = DEFAULT_INTERVAL_RULES) {
    this.gaps = new Float64Array(rules.historySize);
    this.sorted = new Float64Array(rules.historySize);
  }

  arrival(at: number): void {
    if (this.lastArrival !== null && at >= this.lastArrival) this.remember(at - this.lastArrival);
    this.lastArrival = at;
  }

  /** The median gap seen, or null before minSamples gaps. */
  typicalGapMs(): number | null {
    if (this.stored < this.rules.minSamples) return null;
    const middle = this.stored >> 1;
    return this.stored % 2 === 1 ? this.sorted[middle]! : (this.sorted[middle - 1]! + this.sorted[middle]!) / 2;
  }

  /** The learned stale limit, or null while there is too little to go on. */
  staleAfterMs(): number | null {
    const gap = this.typicalGapMs();
    return gap === null ? null : staleAfterMs(gap, this.rules);
  }

  private remember(gap: number): void {
    const capacity = this.gaps.length;
    if (capacity === 0) return;
    if (this.stored === capacity) {
      // The oldest gap leaves the sorted copy: close the hole it leaves.
      const leaving = this.lowerBound(this.gaps[this.next]!);
      this.sorted.copyWithin(leaving, leaving + 1, this.stored);
      this.stored--;
    }
    this.gaps[this.next] = gap;
    this.next = (this.next + 1) % capacity;
    const at = this.lowerBound(gap);
    this.sorted.copyWithin(at + 1, at, this.stored);
    this.sorted[at] = gap;
    this.stored++;
  }

  /** The first index of the sorted gaps whose value is not below `value`. */
  private lowerBound(value: number): number {
    let low = 0;
    let high = this.stored;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.sorted[mid]! < value) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
