/**
 * How many places each holder takes, up to a fixed number per holder: the topic filters of one
 * connection (every filter is an entry in Aedes's matcher and a delivery for each matching message),
 * or the persistent sessions of one booth. Taking a place already held takes no new one; releasing
 * frees it.
 */
export class PlaceQuota<Holder> {
  /** Only holders with at least one place are kept; `forget` drops a holder that goes away. */
  private readonly held = new Map<Holder, Set<string>>();

  constructor(private readonly maxPerHolder: number) {}

  /** True when `place` is already held or there was a free place for it, which it now takes. */
  take(holder: Holder, place: string): boolean {
    let places = this.held.get(holder);
    if (places?.has(place)) return true;
    if ((places?.size ?? 0) >= this.maxPerHolder) return false;
    if (!places) this.held.set(holder, (places = new Set()));
    places.add(place);
    return true;
  }

  release(holder: Holder, places: Iterable<string>): void {
    const held = this.held.get(holder);
    if (!held) return;
    for (const place of places) held.delete(place);
    if (held.size === 0) this.held.delete(holder);
  }

  forget(holder: Holder): void {
    this.held.delete(holder);
  }

  heldBy(holder: Holder): number {
    return this.held.get(holder)?.size ?? 0;
  }

  /** Holders currently tracked: those holding at least one place. */
  get trackedHolders(): number {
    return this.held.size;
  }
}
