/**
 * Token buckets keyed by a string (a client address, a device), for rates the broker must cap.
 * The map of buckets is bounded: past `maxKeys` the least recently used key is forgotten, so keys
 * invented in a loop (spoofed addresses, device ids) cannot grow memory. A forgotten key starts
 * again with a full bucket, which is what it would have after a quiet spell anyway.
 */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens a bucket holds: how many events may arrive at once after a quiet spell. */
  burst: number;
  maxKeys: number;
  /** Milliseconds; injectable so tests need not wait. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  /** The key taken last, so last in the map's order already: taken again, it needs no re-insert. */
  private lastKey: string | undefined;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1) || !(options.maxKeys >= 1)) {
      throw new RangeError('TokenBucketLimiter needs ratePerSecond > 0, burst >= 1 and maxKeys >= 1');
    }
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key`; false when its bucket is empty (the event should be refused). */
  take(key: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      // Re-inserted so the map's insertion order is least recently used first; not when it is the
      // last key taken (a booth's own limiter, a device's packets of one socket read in a row).
      if (key !== this.lastKey) {
        this.buckets.delete(key);
        this.buckets.set(key, bucket);
      }
      const refill = ((now - bucket.refilledAt) / 1000) * this.options.ratePerSecond;
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + Math.max(0, refill));
      bucket.refilledAt = now;
    } else {
      bucket = { tokens: this.options.burst, refilledAt: now };
      if (this.buckets.size >= this.options.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(key, bucket);
    }
    this.lastKey = key;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Returns one token to `key`'s bucket (never above the burst): for an event that turned out not to
   * be what the limit is for, such as a connection attempt that proved its password. A key that was
   * forgotten meanwhile starts full anyway, so there is nothing to return to.
   */
  giveBack(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  get trackedKeys(): number {
    return this.buckets.size;
  }
}
