/**
 * The technician console's HTTP API (server/console/ answers it, web/console/ calls it). Every
 * route below /api/console/ except `login` needs the session cookie and answers 401 without it.
 * Device-supplied text in these shapes is data: the page renders it with textContent only.
 */
import type { DeviceMeta, ReadingValues } from './device';
import type { DeviceState, IntervalSource, PresenceReason } from './presence';

export const CONSOLE_API = {
  /** POST { name, password } → 204 and the session cookie; 401 { error } on a wrong password. */
  login: '/api/console/login',
  /** POST → 204, cookie cleared. */
  logout: '/api/console/logout',
  /** GET → ConsoleSession, or 401. */
  session: '/api/console/session',
  /** GET → DeviceHealthList. */
  devices: '/api/console/devices',
  /** GET `${deviceDetail}/{booth}/{device}` → DeviceDetail, or 404. */
  deviceDetail: '/api/console/devices',
  /** GET ?booth&device&metric&from&to&points → the same shape as the public /api/history. */
  history: '/api/console/history',
  /** GET → ServerHealth. */
  health: '/api/console/health',
  /** GET → AlarmList. */
  alarms: '/api/console/alarms',
  /** POST { ids: string[] } (at most 500) → BulkAckResult: each acknowledged as the single route does. */
  acknowledgeMany: '/api/console/alarms/ack',
  /** POST `${acknowledge}/{id}/ack` → 204; the session's name is recorded as who acknowledged. */
  acknowledge: '/api/console/alarms',
} as const;

export interface ConsoleLogin {
  /** Who is at the console, recorded on acknowledgements; not a secret. */
  name: string;
  password: string;
}

export interface ConsoleSession {
  name: string;
  expiresAt: number;
}

/** The one presence rule's states (contract/presence.ts): the console and the wall judge alike. */
export type HealthState = DeviceState;

export type HealthChangeReason = PresenceReason;

export interface HealthChange {
  ts: number;
  state: HealthState;
  reason: HealthChangeReason;
}

export interface RejectionSample {
  ts: number;
  reason: string;
  /**
   * Which path refused it (issue 11): `native` for the contract topics, else the adapter family
   * (`tasmota`, `shelly`, `esphome`, `homeassistant`, `sparkplug`, `topic-map`). Absent in answers
   * from servers before it.
   */
  adapter?: string;
  /** The payload as received, cut to a few hundred characters, control characters replaced. */
  sample: string;
}

export interface DeviceHealth {
  booth: string;
  device: string;
  name: string | null;
  kind: string | null;
  firmware: string | null;
  state: HealthState;
  stateSince: number;
  stateReason: HealthChangeReason;
  lastSeen: number | null;
  /** Accepted readings per second over the last minute. */
  ratePerSecond: number;
  /** How long a quiet spell may last before the device is stale, and where that figure came from. */
  expectedIntervalMs: number;
  intervalSource: IntervalSource;
  rejectedTotal: number;
  rejected: Record<string, number>;
  lastRejection: RejectionSample | null;
  reconnects: number;
  clientAddress: string | null;
  /** Since when the current MQTT connection is up; null while disconnected. */
  connectedSince: number | null;
  /** From telemetry when the device reports it (battery %, signal dBm), else null. */
  battery: number | null;
  signal: number | null;
  /**
   * The path the device's last message came through (issue 11): `native` for the contract topics
   * (`booth/{id}/{device}/…`), else the adapter family that read it (`tasmota`, `shelly`, `esphome`,
   * `homeassistant`, `sparkplug`, `topic-map`). Null before any message (a device known from its
   * connection or a restart only).
   */
  adapter: string | null;
  /** The topic that message used, as the device sent it (without the booth's mount), e.g. `tele/tasmota_A1B2C3/SENSOR`. */
  ownTopic: string | null;
}

export interface DeviceHealthList {
  serverTime: number;
  devices: DeviceHealth[];
}

export interface RawPayload {
  ts: number;
  topic: string;
  /** Cut and cleaned like RejectionSample.sample. */
  payload: string;
}

export interface DeviceDetail extends DeviceHealth {
  meta: DeviceMeta;
  latest: ReadingValues;
  /** Newest first, bounded. */
  recentPayloads: RawPayload[];
  /** Newest first, bounded; from InfluxDB `device_status` when it is configured, so it survives a restart. */
  timeline: HealthChange[];
  /** Newest first, bounded. */
  rejections: RejectionSample[];
}

/**
 * The write-ahead spool between ingest and InfluxDB (issue 13; server/store/spool/). Readings are
 * appended (and, for QoS 1/2, fsynced before the acknowledgement) before InfluxDB sees them, and a
 * segment is deleted once InfluxDB confirmed every line in it.
 */
export interface SpoolHealth {
  dir: string;
  bytes: number;
  /** storage.maxSpoolBytes: past it the oldest segments are dropped and counted (`dropped.overflow`). */
  maxBytes: number;
  segments: number;
  /** Readings appended and not yet confirmed by InfluxDB. */
  unsentReadings: number;
  /** When the oldest unconfirmed reading was accepted (ms since epoch); null when InfluxDB has everything. */
  oldestUnsentAt: number | null;
  /** Segments an earlier run left, being sent oldest first beside live traffic; null when there were none or they are sent. */
  replay: { readingsLeft: number; readingsTotal: number; segmentsLeft: number; segmentsTotal: number; startedAt: number } | null;
  /** That replay once it has ended (its every segment sent, or lost and counted); null while it runs or when the start found nothing. */
  replayFinished: { readingsTotal: number; segmentsTotal: number; startedAt: number; finishedAt: number } | null;
  /**
   * Readings counted as lost, by reason: past maxSpoolBytes (overflow), not spooled and refused by the
   * memory backlog too (diskFull), cut off at start-up after a crash (tornTail), of a segment that no
   * longer reads back later, damaged or deleted by someone else (lostSegment).
   */
  dropped: { overflow: number; diskFull: number; tornTail: number; lostSegment: number };
  /** Set while appends fail (e.g. "ENOSPC: no space left on device"); readings then go on in memory and are counted. */
  lastError: string | null;
  syncIntervalMs: number;
  /** Readings acknowledged to their device before they were on disk, because fsync stalled past the durability deadline. */
  acknowledgedBeforeDurable: number;
  /** Readings the disk did not take (full, I/O error, too slow): sent from memory instead, not lost unless also in dropped.diskFull. */
  notSpooled: number;
}

/** Why /api/health and the console say `degraded`: each reason with the figure that tripped it. */
export const DEGRADED_REASONS = ['influx-unreachable', 'influx-slow', 'storage-backlog', 'spool-error'] as const;

export interface DegradedReason {
  reason: (typeof DEGRADED_REASONS)[number];
  detail: string;
}

export interface ServerHealth {
  serverTime: number;
  uptimeSeconds: number;
  /** `degraded` while any of `degraded` holds (server/store/StorageHealth.ts), the same verdict as /api/health. */
  status: 'ok' | 'degraded';
  degraded: DegradedReason[];
  /** acknowledgementsHeld: QoS 1/2 PUBACK/PUBREC the broker holds now until their readings are on disk (issue 13). */
  ingest: { readingsPerSecond: number; rejectedPerSecond: number; accepted: number; rejected: number; acknowledgementsHeld: number };
  influx: {
    mode: 'v1' | 'v2' | 'memory';
    reachable: boolean;
    /** Mean and worst write round trip over the last minute, ms; null before any write. */
    writeLatencyMs: { mean: number; max: number } | null;
    pendingLines: number;
    /** pendingLines as a share of influx.maxBufferLines, 0..1. */
    bufferFill: number;
    dropped: number;
    lastError: string | null;
    /** The write-ahead spool; null when it is off (storage.spoolDir unset, or memory mode). */
    spool: SpoolHealth | null;
  };
  walls: { connected: number; list: { id: string | null; address: string; reloads: number; lastReloadReason: string | null; connectedAt: number }[] };
  process: { rssBytes: number; heapUsedBytes: number; eventLoopLagMs: { p50: number; p99: number; max: number } };
  /** Every configured booth, in settings order: what its budgets refused and what it holds against them. */
  budgets: BoothBudgets[];
}

/** A used figure against its budget from the settings file. */
export interface BudgetUse {
  used: number;
  limit: number;
}

/**
 * One booth at (or within) its budgets, so a technician sees which booth is at its limits and what
 * that cost it: e.g. "1,234 readings refused (series budget)".
 */
export interface BoothBudgets {
  booth: string;
  name: string;
  /**
   * What the booth's budgets refused since start, by reason (see server/budgets/BudgetRefusals.ts:
   * 'series-budget', 'live-window-bytes', 'device-evicted', 'open-alarms-budget', …); reasons with
   * nothing refused are left out.
   */
  refusals: Record<string, number>;
  series: BudgetUse;
  liveWindowBytes: BudgetUse;
  openAlarms: BudgetUse;
}

/**
 * The booth of the server's own alarms (issue 13: storage falling behind), which are about no
 * device. A booth id never starts with '_' (ID_PATTERN), so no booth's alarms or budget mix with
 * them; and the name is tag-safe, so InfluxDB's alarm rows give it back as written (safeTagValue).
 * Their rules are not in the settings file, so walls never show them (wallNotices needs a rule of
 * audience everyone): they are for the technician. The console shows them without a device link.
 */
export const SERVER_ALARM_BOOTH = '_server_';

export type AlarmSeverity = 'info' | 'warning' | 'critical';
export type AlarmState = 'active' | 'acknowledged' | 'cleared';

export interface Alarm {
  /** Stable per rule and device: `${rule}/${booth}/${device}`. */
  id: string;
  /**
   * Unique per raise, `${id}@${raisedAt}`: a cleared alarm that fires again is a new raise with the
   * same id, and both can be in the list, so key list items by this, not by id.
   */
  key?: string;
  rule: string;
  severity: AlarmSeverity;
  booth: string;
  device: string;
  metric: string | null;
  state: AlarmState;
  /** What is wrong, in words, e.g. "co2 above 1200 ppm for 30 s (1350 ppm)". */
  message: string;
  raisedAt: number;
  /** The reading that raised it, for threshold rules. */
  value: number | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  clearedAt: number | null;
}

export interface AlarmList {
  serverTime: number;
  /** Active and acknowledged alarms, then the most recently cleared ones (bounded). */
  alarms: Alarm[];
}

/** What a wall's alarm strip gets from the server: alarms of its booths that are not cleared. */
export type WallAlarmNotice = Pick<Alarm, 'id' | 'severity' | 'booth' | 'device' | 'metric' | 'state' | 'message' | 'raisedAt' | 'value'> & {
  /** What the rule watches for, so a wall can group alarms ("CO₂ high at 3 devices", "28 devices offline"). */
  condition?: WallAlarmCondition;
};

export type WallAlarmCondition = 'above' | 'below' | 'offline';

/** The answer to POST /api/console/alarms/ack { ids }: how many of the named alarms ended in each way. */
export interface BulkAckResult {
  acknowledged: number;
  alreadyAcknowledged: number;
  /** Cleared before the acknowledgement came: nothing to acknowledge. */
  cleared: number;
  notFound: number;
}
