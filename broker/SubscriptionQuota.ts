/**
 * How many topic filters each connection holds, so that one client cannot subscribe without
 * bound: every filter is an entry in Aedes's matcher and a delivery for each matching message.
 * Subscribing again to a filter already held takes no new place; unsubscribing frees one.
 */
export class SubscriptionQuota<Holder> {
  /** Only holders with at least one filter are kept; `forget` drops a holder that goes away. */
  private readonly held = new Map<Holder, Set<string>>();

  constructor(private readonly maxPerHolder: number) {}

  /** True when `filter` is already held or there was a free place for it, which it now takes. */
  take(holder: Holder, filter: string): boolean {
    let filters = this.held.get(holder);
    if (filters?.has(filter)) return true;
    if ((filters?.size ?? 0) >= this.maxPerHolder) return false;
    if (!filters) this.held.set(holder, (filters = new Set()));
    filters.add(filter);
    return true;
  }

  release(holder: Holder, filters: Iterable<string>): void {
    const held = this.held.get(holder);
    if (!held) return;
    for (const filter of filters) held.delete(filter);
    if (held.size === 0) this.held.delete(holder);
  }

  forget(holder: Holder): void {
    this.held.delete(holder);
  }

  heldBy(holder: Holder): number {
    return this.held.get(holder)?.size ?? 0;
  }

  /** Holders currently tracked: connections holding at least one filter. */
  get trackedHolders(): number {
    return this.held.size;
  }
}
