/**
 * Publish → receipt latencies at 1 ms resolution, the resolution of Date.now() on both ends. A
 * histogram keeps memory fixed whatever the rate (tens of millions of samples at 80,000/s × 10
 * walls) and still gives exact percentiles.
 */

/** Latencies above this land in the last bucket; the exact maximum is kept separately. */
const MAX_TRACKED_MS = 120_000;

export interface LatencySummary {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(MAX_TRACKED_MS + 1);
  private count = 0;
  private sum = 0;
  private max = 0;

  record(latencyMs: number): void {
    // A reading stamped last + 1 ms can be a millisecond ahead of the clock; that is 0, not negative.
    const ms = Math.max(0, Math.round(latencyMs));
    this.buckets[Math.min(ms, MAX_TRACKED_MS)]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Nearest-rank percentiles, in ms; null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.count === 0) return null;
    return {
      samples: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.max,
      mean: Math.round((this.sum / this.count) * 10) / 10,
    };
  }

  private percentile(p: number): number {
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.buckets.length; ms++) {
      seen += this.buckets[ms]!;
      if (seen >= rank) return ms === MAX_TRACKED_MS ? this.max : ms;
    }
    return this.max;
  }
}
