/**
 * The alarm rules from the settings file, evaluated on every accepted reading and on a one-second
 * tick (durations, offline rules). Each alarm goes active → acknowledged (who, when) → cleared; a
 * cleared alarm can fire again as a new raise. Every transition is announced to listeners (storage,
 * walls). Open alarms are bounded, and so are the watches behind them and the cleared ones kept.
 *
 * Per booth, so no booth can hurt another: each booth has its own budget of open alarms
 * (budgets.maxOpenAlarmsPerBooth; past it that booth's raises are refused and counted
 * 'open-alarms-budget') and of watches. The server-wide bound stays as the last resort and is sized
 * from booths × the per-booth budget, so booths at their budgets together only just reach it and
 * one booth never can. A device the server forgets (evicted by newer devices of its booth) takes
 * its alarms and watches with it: nothing would ever clear them otherwise, and a restart must not
 * bring them back.
 */
import { SERVER_ALARM_BOOTH } from '../../contract/console';
import { unitOf } from '../../contract/device';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { Alarm, AlarmSeverity, AlarmState, HealthState, WallAlarmCondition, WallAlarmNotice } from '../../contract/console';
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import { audienceOf, type AlarmRule, type OfflineRule, type ThresholdRule } from '../config/consoleSettings';
import type { DeviceHealthRecord } from '../console/DeviceHealthTracker';
import type { IngestObserver } from '../ingest/Ingest';
import type { DeviceMessage, Rejection } from '../ingest/TelemetryValidator';
import { ThresholdWatch, breachesThreshold } from './ThresholdWatch';

/** What the engine needs to know about devices: their kind and units (meta) and their presence. */
export type AlarmDevice = Pick<DeviceHealthRecord, 'booth' | 'device' | 'meta' | 'state' | 'stateSince' | 'stateReason'>;

export interface AlarmDevices {
  get(booth: string, device: string): AlarmDevice | undefined;
  records(): Iterable<AlarmDevice>;
}

export interface AlarmLimits {
  /** Open (active or acknowledged) alarms of all booths: the last resort; raises beyond it are refused and counted. */
  maxOpen: number;
  /** Open alarms of one booth (budgets.maxOpenAlarmsPerBooth); raises beyond it are refused and counted against the booth. */
  maxOpenPerBooth: number;
  /** Cleared alarms kept for the console's list, newest first. */
  maxCleared: number;
  /** Rule × device pairs of one booth being watched for a threshold; the booth's oldest is forgotten beyond it. */
  maxWatchesPerBooth: number;
}

/** The default of `live.maxAlarmsPerWall`: open alarms one wall is sent, all its booths together. */
export const DEFAULT_WALL_NOTICES = 200;

export const DEFAULT_ALARM_LIMITS: AlarmLimits = { maxOpen: 10_000, maxOpenPerBooth: 10_000, maxCleared: 200, maxWatchesPerBooth: 100_000 };

/**
 * The limits for a server of `booths` booths. The global bound is exactly booths × the per-booth
 * budget: reserving each booth its budget, rather than sharing a smaller pool, is what guarantees
 * that a booth within its budget is never refused because of another. Watches: one per rule and
 * device the health tracker knows, which it bounds per booth, so this bound is only a safety net.
 */
export function alarmLimitsFor(booths: number, budgets: { maxOpenAlarmsPerBooth: number; maxDevicesPerBooth: number; thresholdRules: number }): AlarmLimits {
  return {
    maxOpen: Math.max(1, booths) * budgets.maxOpenAlarmsPerBooth,
    maxOpenPerBooth: budgets.maxOpenAlarmsPerBooth,
    maxCleared: DEFAULT_ALARM_LIMITS.maxCleared,
    maxWatchesPerBooth: budgets.maxDevicesPerBooth * Math.max(1, budgets.thresholdRules),
  };
}

/** The message of an alarm cleared because a technician forgot its device (the console's Forget). */
export function forgottenByNote(by: string): string {
  return `cleared: device forgotten by ${by}`;
}

/** The message of an alarm cleared because its device was forgotten, so the stored record says why. */
export const FORGOTTEN_DEVICE_NOTE = 'cleared: device no longer known (its booth went past live.maxDevicesPerBooth)';

export interface AlarmChange {
  alarm: Alarm;
  previous: AlarmState | null;
  at: number;
}

export type AcknowledgeOutcome = 'acknowledged' | 'already-acknowledged' | 'cleared' | 'not-found';

const SEVERITY_RANK = { critical: 3, warning: 2, info: 1 } as const;

/** Most severe first, then newest first (what a technician should look at first), then by id so the order is stable. */
export function alarmOrder(a: Pick<Alarm, 'severity' | 'raisedAt' | 'id'>, b: Pick<Alarm, 'severity' | 'raisedAt' | 'id'>): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function alarmId(rule: string, booth: string, device: string): string {
  return `${rule}/${booth}/${device}`;
}

/** One raise of an alarm: its key, or as raise() makes keys when a stored row had none. */
function raiseKey(alarm: Pick<Alarm, 'id' | 'key' | 'raisedAt'>): string {
  return alarm.key ?? `${alarm.id}@${alarm.raisedAt}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

export class AlarmEngine implements IngestObserver {
  private readonly rulesById: Map<string, AlarmRule>;
  /** Threshold rules by metric, so a reading only meets the rules about its own metrics. */
  private readonly thresholdRules = new Map<string, ThresholdRule[]>();
  private readonly offlineRules: OfflineRule[];
  private readonly open = new Map<string, Alarm>();
  /** Open alarms per booth; booths are authenticated ids, bounded by the settings. */
  private readonly openPerBooth = new Map<string, number>();
  /** Newest last. */
  private readonly cleared: Alarm[] = [];
  /**
   * Keys (one per raise) of alarms cleared but not kept in `cleared` (their device forgotten), newest
   * last, at most limits.maxCleared: reconcile() must not reopen one from a stale stored row when
   * the device is known again (heard since its Forget).
   */
  private readonly unkeptClears = new Set<string>();
  /** Per booth, least recently made first. */
  private readonly watches = new Map<string, Map<string, ThresholdWatch>>();
  /** Watches with a breach under way, which the tick must look at. */
  private readonly pending = new Set<string>();
  private readonly listeners: ((change: AlarmChange) => void)[] = [];
  private readonly reconciledListeners: ((booths: ReadonlySet<string>) => void)[] = [];
  /** Raises refused because maxOpen alarms, or the booth's maxOpenPerBooth, were open. */
  refusedRaises = 0;
  forgottenWatches = 0;
  /** Open alarms cleared because their device was forgotten. */
  forgottenAlarms = 0;

  constructor(
    readonly rules: readonly AlarmRule[],
    private readonly devices: AlarmDevices,
    private readonly limits: AlarmLimits = DEFAULT_ALARM_LIMITS,
    private readonly refusals?: BudgetRefusals,
  ) {
    this.rulesById = new Map(rules.map((rule) => [rule.id, rule]));
    for (const rule of rules) {
      if (rule.kind !== 'threshold') continue;
      const forMetric = this.thresholdRules.get(rule.metric) ?? [];
      forMetric.push(rule);
      this.thresholdRules.set(rule.metric, forMetric);
    }
    this.offlineRules = rules.filter((rule): rule is OfflineRule => rule.kind === 'offline');
  }

  onChange(listener: (change: AlarmChange) => void): void {
    this.listeners.push(listener);
  }

  get openCount(): number {
    return this.open.size;
  }

  openCountOf(booth: string): number {
    return this.openPerBooth.get(booth) ?? 0;
  }

  /**
   * The device is gone from the server (evicted by newer devices of its booth): its open alarms
   * are cleared (announced, so storage records it and a restart does not bring them back; not kept
   * in the cleared list, where a flood would push out other booths' history) and its watches go.
   */
  forgetDevice(booth: string, device: string, at: number, note = FORGOTTEN_DEVICE_NOTE): void {
    for (const rule of this.rules) {
      const id = alarmId(rule.id, booth, device);
      this.watches.get(booth)?.delete(id);
      this.pending.delete(id);
      const alarm = this.open.get(id);
      if (!alarm) continue;
      alarm.message = `${alarm.message}; ${note}`;
      this.forgottenAlarms++;
      this.clear(alarm, at, false);
    }
  }

  message(_publish: DevicePublish, verdict: DeviceMessage | Rejection, at: number): void {
    if (verdict.kind !== 'telemetry' || this.thresholdRules.size === 0) return;
    for (const metric in verdict.values) {
      const rules = this.thresholdRules.get(metric);
      if (!rules) continue;
      const raw = verdict.values[metric] as number | boolean;
      const value = typeof raw === 'boolean' ? Number(raw) : raw;
      for (const rule of rules) {
        if (this.applies(rule, verdict.booth, verdict.device)) this.reading(rule, verdict.booth, verdict.device, value, at);
      }
    }
  }

  /** A device that is online again clears its offline alarms at once, not at the next tick. */
  presenceChanged(booth: string, device: string, state: HealthState, at: number): void {
    if (state !== 'online') return;
    for (const rule of this.offlineRules) {
      const alarm = this.open.get(alarmId(rule.id, booth, device));
      if (alarm) this.clear(alarm, at);
    }
  }

  tick(now: number): void {
    for (const id of this.pending) {
      const [, booth = '', device = ''] = id.split('/');
      const watch = this.watches.get(booth)?.get(id);
      if (!watch || watch.breachSince === null) {
        this.pending.delete(id);
        continue;
      }
      // No raise on old evidence: a device that went offline mid-breach says nothing about now.
      if (this.devices.get(booth, device)?.state === 'offline') continue;
      if (watch.tick(now, this.open.has(id)) === 'raise') this.raise(watch.rule, booth, device, watch.lastValue, now);
    }
    if (this.offlineRules.length === 0) return;
    for (const record of this.devices.records()) {
      if (record.state !== 'offline') continue;
      for (const rule of this.offlineRules) {
        if (now - record.stateSince < rule.offlineForSeconds * 1000) continue;
        if (!this.applies(rule, record.booth, record.device) || this.open.has(alarmId(rule.id, record.booth, record.device))) continue;
        this.raise(rule, record.booth, record.device, null, now);
      }
    }
  }

  acknowledge(id: string, by: string, at: number): AcknowledgeOutcome {
    const alarm = this.open.get(id);
    if (!alarm) return this.cleared.some((a) => a.id === id) ? 'cleared' : 'not-found';
    if (alarm.state === 'acknowledged') return 'already-acknowledged';
    const previous = alarm.state;
    alarm.state = 'acknowledged';
    alarm.acknowledgedBy = by;
    alarm.acknowledgedAt = at;
    this.announce(alarm, previous, at);
    return 'acknowledged';
  }

  /** Acknowledges each of `ids` as `acknowledge` does (each recorded on its own); how many of each outcome. */
  acknowledgeMany(ids: Iterable<string>, by: string, at: number): { outcomes: Record<AcknowledgeOutcome, number>; acknowledged: string[] } {
    const outcomes: Record<AcknowledgeOutcome, number> = { acknowledged: 0, 'already-acknowledged': 0, cleared: 0, 'not-found': 0 };
    const acknowledged: string[] = [];
    for (const id of new Set(ids)) {
      const outcome = this.acknowledge(id, by, at);
      outcomes[outcome]++;
      if (outcome === 'acknowledged') acknowledged.push(id);
    }
    return { outcomes, acknowledged };
  }

  /** Open alarms (most severe, newest first), then cleared ones, newest first. */
  list(): Alarm[] {
    const open = [...this.open.values()].sort(alarmOrder).map((a) => ({ ...a }));
    const cleared = this.cleared
      .slice()
      .reverse()
      .map((a) => ({ ...a }));
    return [...open, ...cleared];
  }

  /** Open alarms as they are, for counting: no copy, no sort. */
  openAlarms(): IterableIterator<Alarm> {
    return this.open.values();
  }

  get(id: string): Alarm | undefined {
    return this.open.get(id);
  }

  /**
   * What walls of these booths show in their alarm strip: at most `maxNotices` (`live.maxAlarmsPerWall`),
   * shared equally between the booths. Alarms of technician-only rules (audience: technician) are
   * never among them: they are for the console.
   */
  wallNotices(booths: ReadonlySet<string>, maxNotices = DEFAULT_WALL_NOTICES): WallAlarmNotice[] {
    // Each booth's open alarms, most severe and newest first (Map: booth ids are data).
    const byBooth = new Map<string, Alarm[]>();
    for (const a of this.open.values()) {
      if (!booths.has(a.booth)) continue;
      const rule = this.rulesById.get(a.rule);
      if (!rule || audienceOf(rule) !== 'everyone') continue;
      const list = byBooth.get(a.booth);
      if (list) list.push(a);
      else byBooth.set(a.booth, [a]);
    }
    // Taken one per booth in turn: each booth gets an equal share of maxNotices, and a share one
    // booth does not use goes to the others, so one booth's alarm flood cannot crowd another's out.
    const queues = [...byBooth.values()].map((list) => list.sort(alarmOrder));
    const chosen: Alarm[] = [];
    for (let round = 0; chosen.length < maxNotices; round++) {
      let took = false;
      for (const queue of queues) {
        const alarm = queue[round];
        if (alarm === undefined || chosen.length >= maxNotices) continue;
        chosen.push(alarm);
        took = true;
      }
      if (!took) break;
    }
    return chosen.sort(alarmOrder).map((a) => ({
      id: a.id,
      condition: this.conditionOf(a.rule),
      severity: a.severity,
      booth: a.booth,
      device: a.device,
      metric: a.metric,
      state: a.state,
      message: a.message,
      raisedAt: a.raisedAt,
      value: a.value,
    }));
  }

  /**
   * Takes back alarms stored before a restart (the latest state of each). Open alarms of rules that
   * are no longer configured, or (when `deviceKnown` is given) of devices the server no longer
   * knows, are cleared now: nothing would ever clear them otherwise. The budgets hold as they do live.
   */
  restore(alarms: readonly Alarm[], now: number, deviceKnown?: (booth: string, device: string) => boolean): void {
    for (const stored of [...alarms].sort((a, b) => a.raisedAt - b.raisedAt)) {
      const alarm = { ...stored };
      if (alarm.state === 'cleared') {
        this.keepCleared(alarm);
      } else if (alarm.booth === SERVER_ALARM_BOOTH) {
        // Kept as it was (acknowledged or not): the check that raised it clears it once the server recovers.
        if (!this.open.has(alarm.id)) this.addOpen(alarm);
      } else if (!this.rulesById.has(alarm.rule)) {
        this.addOpen(alarm);
        this.clear(alarm, now);
      } else if (deviceKnown && !deviceKnown(alarm.booth, alarm.device)) {
        this.addOpen(alarm);
        alarm.message = `${alarm.message}; ${FORGOTTEN_DEVICE_NOTE}`;
        this.forgottenAlarms++;
        this.clear(alarm, now, false);
      } else if (this.admits(alarm.booth)) {
        this.addOpen(alarm);
      }
    }
  }

  /**
   * Brings in what storage says about alarms after the restore read it: the rows an earlier run
   * wrote while InfluxDB was down arrive only with the spool's replay, which may end long after the
   * restore (issue 13). An alarm moves only forward (active → acknowledged → cleared), so for the
   * same raise the further state wins: an acknowledgement or a clear made in the outage is applied,
   * and nothing done in this run is undone. A newer raise replaces an older one; an alarm stored open
   * but not open here is taken in when its rule and device are still known and its booth has room.
   * Nothing is announced to the change listeners (storage has these rows: nothing is written
   * twice), but the booths whose open alarms changed are returned and given to the reconciled
   * listeners, so walls are sent their new list.
   */
  reconcile(alarms: readonly Alarm[], now: number, deviceKnown?: (booth: string, device: string) => boolean): { changed: number; booths: Set<string> } {
    let changed = 0;
    const booths = new Set<string>();
    const changedBooth = (booth: string) => {
      changed++;
      booths.add(booth);
    };
    for (const stored of [...alarms].sort((a, b) => a.raisedAt - b.raisedAt)) {
      const current = this.open.get(stored.id);
      if (!current) {
        // Not open here: already cleared in this run (kept), or never restored because its rows came late.
        if (stored.state === 'cleared' || this.cleared.some((a) => a.id === stored.id && a.raisedAt >= stored.raisedAt)) continue;
        if (this.takeIn(stored, deviceKnown)) changedBooth(stored.booth);
        continue;
      }
      if (stored.raisedAt < current.raisedAt) continue;
      if (stored.raisedAt > current.raisedAt) {
        // Raised again in the outage: this run's copy is an older raise, cleared since.
        this.removeOpen(current);
        this.takeIn(stored, deviceKnown);
        changedBooth(stored.booth);
        continue;
      }
      if (stored.state === 'cleared') {
        this.removeOpen(current);
        Object.assign(current, { state: 'cleared', clearedAt: stored.clearedAt ?? now, message: stored.message });
        this.keepCleared(current);
        changedBooth(current.booth);
      } else if (stored.state === 'acknowledged' && current.state === 'active') {
        Object.assign(current, { state: 'acknowledged', acknowledgedBy: stored.acknowledgedBy, acknowledgedAt: stored.acknowledgedAt });
        changedBooth(current.booth);
      }
    }
    if (booths.size > 0) for (const listener of this.reconciledListeners) listener(booths);
    return { changed, booths };
  }

  /** Told the booths whose open alarms reconcile() changed (walls show open alarms; nothing to store). */
  onReconciled(listener: (booths: ReadonlySet<string>) => void): void {
    this.reconciledListeners.push(listener);
  }

  /**
   * Raises one of the server's own alarms (e.g. storage falling behind) unless it is open already.
   * Not held to a booth's budget, nor counted in the booths' bound: they are few, fixed by the code,
   * must not be crowded out by device alarms, and must not crowd a booth out either.
   */
  raiseServerAlarm(rule: string, subject: string, severity: AlarmSeverity, message: string, at: number): void {
    const id = alarmId(rule, SERVER_ALARM_BOOTH, subject);
    if (this.open.has(id)) return;
    const alarm: Alarm = {
      id,
      key: `${id}@${at}`,
      rule,
      severity,
      booth: SERVER_ALARM_BOOTH,
      device: subject,
      metric: null,
      state: 'active',
      message,
      raisedAt: at,
      value: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    };
    this.addOpen(alarm);
    this.announce(alarm, null, at);
  }

  /** Clears the server's alarm once its condition is over; nothing when it is not open. */
  clearServerAlarm(rule: string, subject: string, at: number): void {
    const alarm = this.open.get(alarmId(rule, SERVER_ALARM_BOOTH, subject));
    if (alarm) this.clear(alarm, at);
  }

  /**
   * Opens a stored open alarm quietly for reconcile(); false when it is not taken. Unlike restore(),
   * one whose rule or device is gone is skipped, not cleared: a stale row of an alarm this run
   * cleared as it forgot the device (kept out of the cleared list, so remembered by key apart) must
   * not be announced, counted or reopened, and storage already says why such an alarm ended, or
   * restore() said it at start-up.
   */
  private takeIn(stored: Alarm, deviceKnown?: (booth: string, device: string) => boolean): boolean {
    if (stored.state === 'cleared' || this.open.has(stored.id) || this.unkeptClears.has(raiseKey(stored))) return false;
    if (stored.booth !== SERVER_ALARM_BOOTH) {
      const rule = this.rulesById.get(stored.rule);
      if (!rule) return false;
      if (deviceKnown && !deviceKnown(stored.booth, stored.device)) return false;
      // An offline alarm clears only when its device comes online, which a device that reconnected
      // before this late reconcile has done already: taken in, it would stay open for good.
      if (rule.kind === 'offline' && this.devices.get(stored.booth, stored.device)?.state !== 'offline') return false;
      if (!this.admits(stored.booth)) return false;
    }
    this.addOpen({ ...stored });
    return true;
  }

  private conditionOf(ruleId: string): WallAlarmCondition {
    const rule = this.rulesById.get(ruleId);
    return rule?.kind === 'threshold' ? rule.direction : 'offline';
  }

  private applies(rule: AlarmRule, booth: string, device: string): boolean {
    if (rule.booth !== undefined && rule.booth !== booth) return false;
    if (rule.device !== undefined && rule.device !== device) return false;
    return rule.deviceKind === undefined || this.devices.get(booth, device)?.meta.kind === rule.deviceKind;
  }

  private reading(rule: ThresholdRule, booth: string, device: string, value: number, at: number): void {
    const id = alarmId(rule.id, booth, device);
    const alarm = this.open.get(id);
    let watch = this.watches.get(booth)?.get(id);
    if (!watch) {
      // Most readings are fine: a watch is only made once there is something to watch.
      if (!alarm && !breachesThreshold(rule, value)) return;
      watch = this.watch(booth, id, rule);
    }
    const verdict = watch.reading(value, at, alarm !== undefined);
    if (watch.breachSince !== null) this.pending.add(id);
    if (verdict === 'raise') this.raise(rule, booth, device, value, at);
    else if (verdict === 'clear' && alarm) this.clear(alarm, at);
  }

  private watch(booth: string, id: string, rule: ThresholdRule): ThresholdWatch {
    let watches = this.watches.get(booth);
    if (!watches) this.watches.set(booth, (watches = new Map<string, ThresholdWatch>()));
    if (watches.size >= this.limits.maxWatchesPerBooth) {
      const oldest = watches.keys().next().value!;
      watches.delete(oldest);
      this.pending.delete(oldest);
      this.forgottenWatches++;
    }
    const watch = new ThresholdWatch(rule);
    watches.set(id, watch);
    return watch;
  }

  /** Whether one more alarm of `booth` may open; a refusal is counted, against the booth when it is the booth's budget. */
  private admits(booth: string): boolean {
    if (this.openCountOf(booth) >= this.limits.maxOpenPerBooth) {
      this.refusedRaises++;
      this.refusals?.count(booth, 'open-alarms-budget');
      return false;
    }
    // The server's own alarms are outside the booths' bound: it is booths × the per-booth budget, and a
    // slot they took could refuse a booth within its budget.
    if (this.open.size - this.openCountOf(SERVER_ALARM_BOOTH) >= this.limits.maxOpen) {
      this.refusedRaises++;
      return false;
    }
    return true;
  }

  private addOpen(alarm: Alarm): void {
    this.open.set(alarm.id, alarm);
    this.openPerBooth.set(alarm.booth, this.openCountOf(alarm.booth) + 1);
  }

  private removeOpen(alarm: Alarm): void {
    if (!this.open.delete(alarm.id)) return;
    const left = this.openCountOf(alarm.booth) - 1;
    if (left > 0) this.openPerBooth.set(alarm.booth, left);
    else this.openPerBooth.delete(alarm.booth);
  }

  private raise(rule: AlarmRule, booth: string, device: string, value: number | null, at: number): void {
    const id = alarmId(rule.id, booth, device);
    this.pending.delete(id);
    if (this.open.has(id) || !this.admits(booth)) return;
    const alarm: Alarm = {
      id,
      key: `${id}@${at}`,
      rule: rule.id,
      severity: rule.severity,
      booth,
      device,
      metric: rule.kind === 'threshold' ? rule.metric : null,
      state: 'active',
      message: this.describe(rule, booth, device, value),
      raisedAt: at,
      value,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    };
    this.addOpen(alarm);
    this.announce(alarm, null, at);
  }

  private clear(alarm: Alarm, at: number, keep = true): void {
    const previous = alarm.state;
    this.removeOpen(alarm);
    alarm.state = 'cleared';
    alarm.clearedAt = at;
    if (keep) this.keepCleared(alarm);
    else this.rememberUnkept(raiseKey(alarm));
    this.announce(alarm, previous, at);
  }

  private rememberUnkept(key: string): void {
    this.unkeptClears.add(key);
    if (this.unkeptClears.size > this.limits.maxCleared) this.unkeptClears.delete(this.unkeptClears.values().next().value!);
  }

  private keepCleared(alarm: Alarm): void {
    this.cleared.push(alarm);
    if (this.cleared.length > this.limits.maxCleared) this.cleared.shift();
  }

  private announce(alarm: Alarm, previous: AlarmState | null, at: number): void {
    for (const listener of this.listeners) listener({ alarm: { ...alarm }, previous, at });
  }

  /** E.g. "co2 above 1200 ppm for 30 s (1350 ppm)" or "offline for more than 60 s (keepalive-timeout)". */
  private describe(rule: AlarmRule, booth: string, device: string, value: number | null): string {
    const record = this.devices.get(booth, device);
    if (rule.kind === 'offline') return `offline for more than ${rule.offlineForSeconds} s (${record?.stateReason ?? 'unknown'})`;
    const unitText = unitOf(record?.meta, rule.metric);
    const unit = unitText ? ` ${unitText}` : '';
    const held = rule.forSeconds > 0 ? ` for ${rule.forSeconds} s` : '';
    const now = value === null ? '' : ` (${formatNumber(value)}${unit})`;
    return `${rule.metric} ${rule.direction} ${formatNumber(rule.threshold)}${unit}${held}${now}`;
  }
}
