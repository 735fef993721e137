/**
 * Picking a bounded number of things from several booths so that none is crowded out: each booth
 * in turn gets one more place until the places run out or every booth is served (max-min fairness).
 * A booth that needs fewer places leaves the rest to the others. Issue 9: a booth inventing device
 * ids pushed another booth's tile and its alarm off an all-booths wall; with this it can only take
 * places nobody else wants.
 */

/**
 * Up to `limit` of `items`, in their given order. Within a booth, the first items (the caller's
 * priority: newest, most severe) win. Booths are served in the order they first appear.
 */
export function fairShare<T>(items: Iterable<T>, limit: number, boothOf: (item: T) => string): T[] {
  const all = [...items];
  if (all.length <= limit) return all;
  const counts = new Map<string, number>();
  for (const item of all) {
    const booth = boothOf(item);
    counts.set(booth, (counts.get(booth) ?? 0) + 1);
  }
  const quotas = shareQuotas(counts, limit);
  const taken = new Map<string, number>();
  const chosen: T[] = [];
  for (const item of all) {
    const booth = boothOf(item);
    const used = taken.get(booth) ?? 0;
    if (used >= (quotas.get(booth) ?? 0)) continue;
    taken.set(booth, used + 1);
    chosen.push(item);
  }
  return chosen;
}

/**
 * Places per booth: round by round, one more to every booth that still has items, until `limit`
 * are given out. Booths left without a place in the last round are the ones that came last.
 */
export function shareQuotas(counts: ReadonlyMap<string, number>, limit: number): Map<string, number> {
  const quotas = new Map<string, number>();
  for (const booth of counts.keys()) quotas.set(booth, 0);
  let left = Math.max(0, Math.floor(limit));
  while (left > 0) {
    const hungry = [...counts].filter(([booth, count]) => (quotas.get(booth) ?? 0) < count);
    if (hungry.length === 0) break;
    // Whole rounds at once: a limit of thousands must not take thousands of passes.
    const round = Math.max(1, Math.floor(left / hungry.length));
    for (const [booth, count] of hungry) {
      if (left === 0) break;
      const quota = quotas.get(booth) ?? 0;
      const give = Math.min(round, count - quota, left);
      quotas.set(booth, quota + give);
      left -= give;
    }
  }
  return quotas;
}
