/**
 * One threshold rule watching one device's metric: raises once the value has been past the
 * threshold for the rule's duration, and clears only once it is back past `clearAt`, on the safe
 * side. The gap between the two (hysteresis) keeps a value hovering at the threshold from
 * raising and clearing an alarm on every reading. Pure: the engine owns the alarm itself.
 */
import type { ThresholdRule } from '../config/consoleSettings';

export type WatchVerdict = 'raise' | 'clear' | null;

export function breachesThreshold(rule: ThresholdRule, value: number): boolean {
  return rule.direction === 'above' ? value > rule.threshold : value < rule.threshold;
}

export class ThresholdWatch {
  /** When the value first went past the threshold in the current run of breaching readings. */
  breachSince: number | null = null;
  lastValue: number | null = null;

  constructor(readonly rule: ThresholdRule) {}

  backOnSafeSide(value: number): boolean {
    return this.rule.direction === 'above' ? value <= this.rule.clearAt : value >= this.rule.clearAt;
  }

  /** @param open whether this rule already has an alarm open (active or acknowledged) for the device */
  reading(value: number, at: number, open: boolean): WatchVerdict {
    this.lastValue = value;
    if (open) {
      this.breachSince = null;
      return this.backOnSafeSide(value) ? 'clear' : null;
    }
    if (!breachesThreshold(this.rule, value)) {
      this.breachSince = null;
      return null;
    }
    this.breachSince ??= at;
    return this.heldLongEnough(at) ? 'raise' : null;
  }

  /** A device that reports less often than forSeconds still raises once the duration has passed. */
  tick(now: number, open: boolean): WatchVerdict {
    return !open && this.breachSince !== null && this.heldLongEnough(now) ? 'raise' : null;
  }

  private heldLongEnough(at: number): boolean {
    return this.breachSince !== null && at - this.breachSince >= this.rule.forSeconds * 1000;
  }
}
