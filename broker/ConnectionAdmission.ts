/**
 * Decides at accept time, before any MQTT byte is parsed, whether a client address may open
 * another connection: at most so many attempts per second (which slows password guessing, since
 * every guess is a new connection after a refusal) and so many open connections at once.
 */
import { TokenBucketLimiter } from './TokenBucketLimiter';

export interface ConnectionAdmissionOptions {
  maxConnectionsPerAddress: number;
  attemptsPerSecond: number;
  attemptBurst: number;
  /** Addresses whose attempt rate is remembered; the least recently seen are forgotten past it. */
  maxTrackedAddresses: number;
  now?: () => number;
}

export type AdmissionRefusal = 'too-many-connections' | 'connection-rate-limited';

export type Admission = { admitted: true; release: () => void } | { admitted: false; refusal: AdmissionRefusal };

export class ConnectionAdmission {
  private readonly attempts: TokenBucketLimiter;
  /** Open connections per address; an address leaves the map when its last connection closes. */
  private readonly open = new Map<string, number>();

  constructor(private readonly options: ConnectionAdmissionOptions) {
    this.attempts = new TokenBucketLimiter({
      ratePerSecond: options.attemptsPerSecond,
      burst: options.attemptBurst,
      maxKeys: options.maxTrackedAddresses,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** `release` must be called exactly once, when the admitted connection closes. */
  admit(address: string | undefined): Admission {
    // A socket already gone has no address; Node will close it, so there is nothing to limit.
    const key = address ?? 'unknown';
    if (!this.attempts.take(key)) return { admitted: false, refusal: 'connection-rate-limited' };
    const openNow = this.open.get(key) ?? 0;
    if (openNow >= this.options.maxConnectionsPerAddress) return { admitted: false, refusal: 'too-many-connections' };
    this.open.set(key, openNow + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(key) ?? 1) - 1;
        if (left <= 0) this.open.delete(key);
        else this.open.set(key, left);
      },
    };
  }

  openConnections(address: string): number {
    return this.open.get(address) ?? 0;
  }

  get trackedAddresses(): number {
    return this.attempts.trackedKeys;
  }
}
