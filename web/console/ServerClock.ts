/**
 * The server's clock as seen from the page. Ages ("seen 5 s ago") compare server timestamps, so
 * they must be measured against the server's now, not a laptop clock that may be minutes off.
 */
export class ServerClock {
  private offsetMs = 0;

  /** `serverTime` as reported in an answer that arrived at `receivedAt` (page clock). */
  update(serverTime: number, receivedAt: number = Date.now()): void {
    if (Number.isFinite(serverTime)) this.offsetMs = serverTime - receivedAt;
  }

  now(pageNow: number = Date.now()): number {
    return pageNow + this.offsetMs;
  }
}
