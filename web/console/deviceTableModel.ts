/**
 * What the device table shows, without the DOM: which devices pass the filter, in which order,
 * and the choices the filter selects offer. Runs on every poll and every keystroke over up to a few
 * thousand devices, so it is one pass to filter and one sort, with no per-row allocations beyond
 * the result array.
 */
import type { DeviceHealth, HealthState } from '../../contract/console';

export type SortKey = 'state' | 'booth' | 'device' | 'kind' | 'adapter' | 'lastSeen' | 'rate' | 'errors' | 'firmware' | 'address' | 'reconnects' | 'power';

export type SortDirection = 'asc' | 'desc';

export interface SortSpec {
  readonly key: SortKey;
  readonly direction: SortDirection;
}

/** Kinds match DEVICE_KIND_PATTERN, which cannot start with '-': this value never collides with one. */
export const NO_KIND = '-';

/** The adapter choice for devices not heard from yet (known from a connection or a restart only); no adapter is named '-'. */
export const NO_ADAPTER = '-';

/** Filters by the numbers a technician hunts with: errors, readings per second, time since last seen. */
export type ProblemFilter = 'errors' | 'no-readings' | 'quiet-1m' | 'quiet-10m';

export const PROBLEM_FILTERS: readonly { value: ProblemFilter; label: string }[] = [
  { value: 'errors', label: 'With rejected messages' },
  { value: 'no-readings', label: 'No readings in the last minute' },
  { value: 'quiet-1m', label: 'Not seen for 1 min or more' },
  { value: 'quiet-10m', label: 'Not seen for 10 min or more' },
];

const QUIET_MS: Record<'quiet-1m' | 'quiet-10m', number> = { 'quiet-1m': 60_000, 'quiet-10m': 600_000 };

export interface DeviceFilter {
  /** Matched case-insensitively against device id and name; blank matches everything. */
  readonly text: string;
  /** null: any. */
  readonly booth: string | null;
  /** null: any; NO_KIND: devices that did not say. */
  readonly kind: string | null;
  readonly state: HealthState | null;
  /** null: any. */
  readonly problem?: ProblemFilter | null;
  /** null: any; `native`, an adapter family (issue 11), or NO_ADAPTER for devices not heard from yet. */
  readonly adapter?: string | null;
}

export const NO_FILTER: DeviceFilter = { text: '', booth: null, kind: null, state: null, problem: null, adapter: null };

/** Problems first when ascending: offline, then stale, then online. */
const STATE_RANK: Record<HealthState, number> = { offline: 0, stale: 1, online: 2 };

/**
 * A column's sort value. Null sorts last in either direction: a device that never reported has no
 * age, and should not sit on top of a "most recently seen" list.
 */
const SORT_VALUES: Record<SortKey, (device: DeviceHealth) => string | number | null> = {
  state: (d) => STATE_RANK[d.state],
  booth: (d) => d.booth,
  device: (d) => (d.name ?? d.device).toLowerCase(),
  kind: (d) => d.kind,
  // Family first, then its topic: a booth's Tasmota plugs sit together, in topic order.
  adapter: (d) => (d.adapter === null ? null : `${d.adapter} ${d.ownTopic ?? ''}`),
  // Seen most recently = smallest age: ascending by age means descending by time.
  lastSeen: (d) => (d.lastSeen === null ? null : -d.lastSeen),
  rate: (d) => d.ratePerSecond,
  errors: (d) => d.rejectedTotal,
  firmware: (d) => d.firmware,
  address: (d) => d.clientAddress,
  reconnects: (d) => d.reconnects,
  power: (d) => d.battery ?? d.signal,
};

/** Numbers and problems are most interesting high first; names read A to Z. */
const FIRST_DIRECTION: Record<SortKey, SortDirection> = {
  state: 'asc',
  booth: 'asc',
  device: 'asc',
  kind: 'asc',
  adapter: 'asc',
  // Quiet the longest first: the first click on "Last seen" is usually a hunt for a dead device.
  lastSeen: 'desc',
  rate: 'desc',
  errors: 'desc',
  firmware: 'asc',
  address: 'asc',
  reconnects: 'desc',
  power: 'asc',
};

export const DEFAULT_SORT: SortSpec = { key: 'state', direction: 'asc' };

/** Clicking the sorted column flips it; clicking another sorts by it in its natural first direction. */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: FIRST_DIRECTION[key] };
}

/** `serverNow` is needed for the "not seen for" filters; ages are measured on the server's clock. */
export function matchesFilter(device: DeviceHealth, filter: DeviceFilter, needle = filter.text.trim().toLowerCase(), serverNow = Date.now()): boolean {
  if (filter.booth !== null && device.booth !== filter.booth) return false;
  if (filter.state !== null && device.state !== filter.state) return false;
  if (filter.kind !== null && (device.kind ?? NO_KIND) !== filter.kind) return false;
  if (filter.adapter != null && (device.adapter ?? NO_ADAPTER) !== filter.adapter) return false;
  if (filter.problem && !hasProblem(device, filter.problem, serverNow)) return false;
  if (needle === '') return true;
  return device.device.toLowerCase().includes(needle) || (device.name !== null && device.name.toLowerCase().includes(needle));
}

function hasProblem(device: DeviceHealth, problem: ProblemFilter, serverNow: number): boolean {
  switch (problem) {
    case 'errors':
      return device.rejectedTotal > 0;
    case 'no-readings':
      return device.ratePerSecond === 0;
    case 'quiet-1m':
    case 'quiet-10m':
      return device.lastSeen === null || serverNow - device.lastSeen >= QUIET_MS[problem];
  }
}

/** One collator for every comparison: localeCompare with options builds one per call, 40 ms per sort at 2,000 rows. */
const COLLATOR = new Intl.Collator('en', { numeric: true });

function compareValues(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return COLLATOR.compare(String(a), String(b));
}

/** Booth then device id: every row has a fixed place among equals, so rows do not shuffle between polls. */
function compareIdentity(a: DeviceHealth, b: DeviceHealth): number {
  return a.booth < b.booth ? -1 : a.booth > b.booth ? 1 : a.device < b.device ? -1 : a.device > b.device ? 1 : 0;
}

export function sortDevices(devices: DeviceHealth[], sort: SortSpec): DeviceHealth[] {
  const value = SORT_VALUES[sort.key];
  const sign = sort.direction === 'asc' ? 1 : -1;
  // Computed once per device, not once per comparison (n log n calls of toLowerCase add up at 2,000 rows).
  const keyed = devices.map((device) => ({ device, value: value(device) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else {
      const order = compareValues(a.value, b.value);
      if (order !== 0) return sign * order;
    }
    return compareIdentity(a.device, b.device);
  });
  return keyed.map((entry) => entry.device);
}

export function filterAndSort(devices: readonly DeviceHealth[], filter: DeviceFilter, sort: SortSpec, serverNow = Date.now()): DeviceHealth[] {
  const needle = filter.text.trim().toLowerCase();
  return sortDevices(
    devices.filter((device) => matchesFilter(device, filter, needle, serverNow)),
    sort,
  );
}

export interface FilterChoices {
  readonly booths: string[];
  /** Sorted kinds, with NO_KIND last when some device has none. */
  readonly kinds: string[];
  /** Sorted adapters (`native` among them), with NO_ADAPTER last when some device has not been heard from. */
  readonly adapters: string[];
}

export function filterChoices(devices: readonly DeviceHealth[]): FilterChoices {
  const booths = new Set<string>();
  const kinds = new Set<string>();
  const adapters = new Set<string>();
  let kindless = false;
  let unheard = false;
  for (const device of devices) {
    booths.add(device.booth);
    if (device.kind === null) kindless = true;
    else kinds.add(device.kind);
    if (device.adapter === null) unheard = true;
    else adapters.add(device.adapter);
  }
  const sorted = (values: Set<string>): string[] => [...values].sort(COLLATOR.compare);
  return {
    booths: sorted(booths),
    kinds: kindless ? [...sorted(kinds), NO_KIND] : sorted(kinds),
    adapters: unheard ? [...sorted(adapters), NO_ADAPTER] : sorted(adapters),
  };
}

/** The reason a device is rejected most for, to show beside its error count. */
export function topRejectionReason(rejected: Readonly<Record<string, number>>): string | null {
  let top: string | null = null;
  let most = 0;
  for (const [reason, count] of Object.entries(rejected)) {
    if (count > most || (count === most && top !== null && reason < top)) {
      top = reason;
      most = count;
    }
  }
  return top;
}

/** Every reason with its count, most frequent first: "bad-value 97, not-json 42". */
export function rejectionSummary(rejected: Readonly<Record<string, number>>, formatCount: (n: number) => string): string {
  return Object.entries(rejected)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, count]) => `${reason} ${formatCount(count)}`)
    .join(', ');
}

/** "1,234 of 2,000 devices"; "2,000 devices" when nothing is filtered out. */
export function countCaption(shown: number, total: number, formatCount: (n: number) => string): string {
  const noun = total === 1 ? 'device' : 'devices';
  return shown === total ? `${formatCount(total)} ${noun}` : `${formatCount(shown)} of ${formatCount(total)} ${noun}`;
}
