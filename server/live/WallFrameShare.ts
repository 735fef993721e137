/**
 * Which booths' frames one wall still gets while its output backs up. A wall that reads slower
 * than its booths publish (a kiosk on weak Wi-Fi, or one booth flooding) would otherwise fill its
 * buffer until `wall.maxBufferedBytesPerWall` disconnects it, and every booth vanishes from it
 * with the one that caused it. So past half that limit, a booth that took more than its equal
 * share of what the wall was sent lately has its frames skipped (counted against it) until the wall
 * catches up, and the other booths' frames keep going through. A wall that does not read at all
 * still reaches the limit with the frames it is sent, and is dropped as before; one whose output
 * stands still above half the limit is dropped too (`stalled`), as it would only hold memory.
 */

/** How fast "lately" forgets: a booth whose frames were skipped gets its turn again within seconds. */
export const FRAME_SHARE_HALF_LIFE_MS = 2000;

interface RecentBytes {
  bytes: number;
  at: number;
}

export class WallFrameShare {
  /** One entry per booth the wall shows: bounded by the settings file. */
  private readonly recent = new Map<string, RecentBytes>();

  private lastPending = 0;
  private movedAt: number;

  constructor(
    private readonly booths: readonly string[],
    now = Date.now(),
  ) {
    this.movedAt = now;
  }

  /**
   * True when the wall's output has stood above half the limit without going down for `stallMs`:
   * every frame is skipped for it then, so it would never reach the limit that drops a slow reader.
   */
  stalled(pending: number, limit: number, now: number, stallMs: number): boolean {
    if (pending <= limit / 2 || pending < this.lastPending) this.movedAt = now;
    this.lastPending = pending;
    return now - this.movedAt > stallMs;
  }

  /**
   * Whether a frame of `bytes` for `booth` may be sent to a wall that has `pending` bytes waiting,
   * out of `limit`. Below half the limit, everything; above, only a booth under its equal share.
   */
  admits(booth: string, bytes: number, pending: number, limit: number, now: number): boolean {
    if (pending + bytes <= limit / 2) return true;
    // A frame that alone would take the wall past its limit would get it dropped: never worth sending.
    if (pending + bytes > limit) return false;
    const mine = this.recentBytes(booth, now);
    if (mine === 0) return true;
    let total = 0;
    for (const b of this.booths) total += this.recentBytes(b, now);
    return mine < total / Math.max(1, this.booths.length);
  }

  sent(booth: string, bytes: number, now: number): void {
    this.recent.set(booth, { bytes: this.recentBytes(booth, now) + bytes, at: now });
  }

  recentBytes(booth: string, now: number): number {
    const entry = this.recent.get(booth);
    if (!entry) return 0;
    const decayed = entry.bytes * 2 ** (-Math.max(0, now - entry.at) / FRAME_SHARE_HALF_LIFE_MS);
    // Forgotten once below a byte, so a booth whose frames were skipped long enough counts as quiet.
    return decayed < 1 ? 0 : decayed;
  }
}
