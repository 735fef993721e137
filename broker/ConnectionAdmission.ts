/**
 * Decides whether a connection may go on, in two steps.
 *
 * At accept time, before any MQTT byte is parsed, nothing is known but the client's address: at
 * most so many attempts per second per address (which slows password guessing, since every guess
 * is a new connection after a refusal) and so many connections per address that have not
 * authenticated yet.
 *
 * Once the connection has proved its booth's password it is no longer a guess: its attempt is
 * given back to the address and it leaves the address's count, and it takes a place in its booth's
 * budget instead. So a booth behind one NAT address is limited by its own budget, not by the
 * address it shares, while a guesser, who never authenticates, pays for every attempt as before.
 */
import { TokenBucketLimiter } from './TokenBucketLimiter';

export interface ConnectionAdmissionOptions {
  /** Connections per address that have not authenticated (yet): CONNECT pending, password being checked, refused. */
  maxUnauthenticatedPerAddress: number;
  attemptsPerSecond: number;
  attemptBurst: number;
  /** Addresses whose attempt rate is remembered; the least recently seen are forgotten past it. */
  maxTrackedAddresses: number;
  /** Authenticated connections one booth may hold at once, from any addresses. */
  maxConnectionsPerBooth: number;
  now?: () => number;
}

export type AdmissionRefusal = 'too-many-connections' | 'connection-rate-limited';

/** One admitted connection's place; `release` must be called when the connection closes (more calls do nothing). */
export interface AdmissionTicket {
  /**
   * The connection proved the password of `booth`. Gives its attempt back to the address and moves
   * it from the address's unauthenticated count to the booth's count; false when the booth already
   * holds its maximum (the connection stays counted against its address until it closes).
   * `replacesOpenConnection`: it takes over a connection of the same client id, which is closed
   * next, so it is let in at the maximum: a device whose old connection the server has not yet seen
   * drop must not be locked out until that one's keepalive runs out.
   */
  authenticated(booth: string, replacesOpenConnection?: boolean): boolean;
  release(): void;
}

export type Admission = { admitted: true; ticket: AdmissionTicket } | { admitted: false; refusal: AdmissionRefusal };

export class ConnectionAdmission {
  private readonly attempts: TokenBucketLimiter;
  /** Unauthenticated connections per address; an address leaves the map when its count reaches zero. */
  private readonly unauthenticated = new Map<string, number>();
  /** Authenticated connections per booth; keyed by booths that proved a password, so bounded by the settings. */
  private readonly perBooth = new Map<string, number>();

  constructor(private readonly options: ConnectionAdmissionOptions) {
    this.attempts = new TokenBucketLimiter({
      ratePerSecond: options.attemptsPerSecond,
      burst: options.attemptBurst,
      maxKeys: options.maxTrackedAddresses,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  admit(address: string | undefined): Admission {
    // A socket already gone has no address; Node will close it, so there is nothing to limit.
    const key = address ?? 'unknown';
    if (!this.attempts.take(key)) return { admitted: false, refusal: 'connection-rate-limited' };
    if (this.unauthenticatedFrom(key) >= this.options.maxUnauthenticatedPerAddress) return { admitted: false, refusal: 'too-many-connections' };
    increment(this.unauthenticated, key);
    let booth: string | undefined;
    let proved = false;
    let released = false;
    return {
      admitted: true,
      ticket: {
        authenticated: (proven, replacesOpenConnection = false) => {
          if (released || proved) return booth === proven;
          proved = true;
          // Given back whatever the booth's budget says: the password was right, so this was no guess,
          // and a booth at its budget must not use up the attempts of others behind the same address.
          this.attempts.giveBack(key);
          if (!replacesOpenConnection && (this.perBooth.get(proven) ?? 0) >= this.options.maxConnectionsPerBooth) return false;
          decrement(this.unauthenticated, key);
          increment(this.perBooth, proven);
          booth = proven;
          return true;
        },
        release: () => {
          if (released) return;
          released = true;
          if (booth !== undefined) decrement(this.perBooth, booth);
          else decrement(this.unauthenticated, key);
        },
      },
    };
  }

  unauthenticatedFrom(address: string): number {
    return this.unauthenticated.get(address) ?? 0;
  }

  connectionsOf(booth: string): number {
    return this.perBooth.get(booth) ?? 0;
  }

  get trackedAddresses(): number {
    return this.attempts.trackedKeys;
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
