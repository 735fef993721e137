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
  private readonly gaps: Float64Array;
  private stored = 0;
  private next = 0;
  private lastArrival: number | null = null;
  /** The median, kept until the next arrival: the stale check asks every second, for every device. */
  private cachedGap: number | null | undefined;

  constructor(private readonly rules: IntervalRules = DEFAULT_INTERVAL_RULES) {
    this.gaps = new Float64Array(rules.historySize);
  }

  arrival(at: number): void {
    if (this.lastArrival !== null && at >= this.lastArrival) {
      this.gaps[this.next] = at - this.lastArrival;
      this.next = (this.next + 1) % this.gaps.length;
      this.stored = Math.min(this.stored + 1, this.gaps.length);
      this.cachedGap = undefined;
    }
    this.lastArrival = at;
  }

  /** The median gap seen, or null before minSamples gaps. */
  typicalGapMs(): number | null {
    if (this.cachedGap !== undefined) return this.cachedGap;
    if (this.stored < this.rules.minSamples) return (this.cachedGap = null);
    const sorted = this.gaps.slice(0, this.stored).sort();
    const middle = Math.floor(sorted.length / 2);
    this.cachedGap = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return this.cachedGap;
  }

  /** The learned stale limit, or null while there is too little to go on. */
  staleAfterMs(): number | null {
    const gap = this.typicalGapMs();
    return gap === null ? null : staleAfterMs(gap, this.rules);
  }
}
