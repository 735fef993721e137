/**
 * Whether a device is alive: ONE vocabulary and ONE rule, used by the server (the console, the
 * alarms, /api/devices) and by the wall page. The server sends the wall the facts the rule needs
 * (presence event, last reading, stale limit) in every device summary, so a wall and the console
 * that look at the same device at the same moment cannot come to different answers.
 */

/**
 * What the last presence event said: `online` and `offline` come from the device (status, will)
 * or from what the broker saw of its connection; `unknown` means not heard since this server started.
 */
export type PresenceEvent = 'online' | 'offline' | 'unknown';

/** What the rule concludes. `stale` is connected (or not heard since a restart) but quiet past its stale limit. */
export type DeviceState = 'online' | 'stale' | 'offline';

/** Why: the event that set presence, or `inactivity` when the device went quiet past its stale limit. */
export type PresenceReason =
  'connect' | 'disconnect' | 'keepalive-timeout' | 'connection-lost' | 'will' | 'status' | 'telemetry' | 'inactivity' | 'server-start';

export interface Presence {
  state: PresenceEvent;
  since: number;
  reason: PresenceReason;
}

/** Where a device's stale limit came from: its meta, its own readings, or the default for a device that said nothing yet. */
export type IntervalSource = 'meta' | 'learned' | 'default';

/** How long a quiet spell may last, in typical intervals, and the floor under it. */
export interface StaleRules {
  /** Quiet for this many typical intervals is stale… */
  multiplier: number;
  /** …but never sooner than this: frames batch readings, and a fast device must not flicker stale after one network hiccup. */
  minimumMs: number;
}

export const STALE_RULES: StaleRules = { multiplier: 3, minimumMs: 5_000 };
/** The limit for a device whose interval is neither declared in its meta nor learned yet. */
export const DEFAULT_STALE_AFTER_MS = 30_000;

/** The stale limit for a device that publishes every `intervalMs` (declared or learned); the default without one. */
export function staleAfterMs(intervalMs: number | null | undefined, rules: StaleRules = STALE_RULES): number {
  if (intervalMs === undefined || intervalMs === null || !Number.isFinite(intervalMs) || intervalMs <= 0) return DEFAULT_STALE_AFTER_MS;
  return Math.max(rules.minimumMs, intervalMs * rules.multiplier);
}

/** What is known of a device. */
export interface PresenceFacts {
  presence: Presence;
  /** Receive time of its last accepted reading (or, after a restart, the time of its last restored one); null before any. */
  lastSeen: number | null;
  /** From staleAfterMs() of the declared or learned interval. */
  staleAfterMs: number;
}

export interface PresenceVerdict {
  state: DeviceState;
  reason: PresenceReason;
  /** When the device entered this state, as far as the facts tell. */
  since: number;
}

/**
 * The rule. Offline is what an event said; otherwise a device is stale once nothing has shown it
 * alive (a reading, or the event that brought it online) for longer than its stale limit. A device
 * not heard since this server started is stale: readings from before the start (restored from
 * storage) are history, not a sign of life.
 */
export function assessPresence(facts: PresenceFacts, now: number): PresenceVerdict {
  const { presence, lastSeen } = facts;
  if (presence.state === 'offline') return { state: 'offline', reason: presence.reason, since: presence.since };
  const readingAt = lastSeen !== null && (presence.state === 'online' || lastSeen >= presence.since) ? lastSeen : -Infinity;
  const lastAlive = Math.max(readingAt, presence.state === 'online' ? presence.since : -Infinity);
  if (lastAlive === -Infinity) return { state: 'stale', reason: presence.reason, since: presence.since };
  if (now - lastAlive > facts.staleAfterMs) return { state: 'stale', reason: 'inactivity', since: lastAlive + facts.staleAfterMs };
  return { state: 'online', reason: presence.reason, since: presence.state === 'online' ? presence.since : lastAlive };
}
