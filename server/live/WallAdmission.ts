/**
 * How many socket.io connections (walls, or anything speaking socket.io) are open, in total and per
 * client address, and whether one more may open. Checked in engine.io's `allowRequest`, before a
 * session exists, so a refused client costs one HTTP exchange; counted when engine.io opens the
 * connection and released when it closes.
 *
 * engine.io opens the connection a microtask after `allowRequest` admits it, within the same I/O
 * callback, so admissions cannot overtake each other in between; `opened` still refuses a
 * connection past the limit, so the bound holds even if that ever changed.
 */
import type { WallRefusal } from './WallRegistry';

export interface WallConnectionLimits {
  /** `wall.maxConnections` */
  maxConnections: number;
  /** `wall.maxConnectionsPerAddress` */
  maxConnectionsPerAddress: number;
}

/** Said to the refused client (the body of engine.io's 403) and in the log. */
export const WALL_REFUSAL_MESSAGES: Readonly<Record<'address-connection-limit' | 'connection-limit', string>> = {
  'address-connection-limit': 'too many wall connections from this address (wall.maxConnectionsPerAddress)',
  'connection-limit': 'too many wall connections to this server (wall.maxConnections)',
};

export class WallAdmission {
  /** Addresses with at least one open connection: bounded by `maxConnections`. */
  private readonly openByAddress = new Map<string, number>();
  private openTotal = 0;

  constructor(private readonly limits: WallConnectionLimits) {}

  get open(): number {
    return this.openTotal;
  }

  /** Null when one more connection from `address` may open, else why not. */
  refusal(address: string): Extract<WallRefusal, 'address-connection-limit' | 'connection-limit'> | null {
    if (this.openTotal >= this.limits.maxConnections) return 'connection-limit';
    if ((this.openByAddress.get(address) ?? 0) >= this.limits.maxConnectionsPerAddress) return 'address-connection-limit';
    return null;
  }

  /** A connection opened; returns the refusal when it is past a limit after all (the caller closes it). */
  opened(address: string): ReturnType<WallAdmission['refusal']> {
    const refusal = this.refusal(address);
    if (refusal) return refusal;
    this.openTotal++;
    this.openByAddress.set(address, (this.openByAddress.get(address) ?? 0) + 1);
    return null;
  }

  /** Only for a connection `opened` admitted. */
  closed(address: string): void {
    this.openTotal = Math.max(0, this.openTotal - 1);
    const count = (this.openByAddress.get(address) ?? 0) - 1;
    if (count > 0) this.openByAddress.set(address, count);
    else this.openByAddress.delete(address);
  }
}
