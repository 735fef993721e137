/**
 * The technician console's server side, put together: device health tracking, alarms, their
 * storage in InfluxDB, server health, sessions and the API. Data flows one way: ingest feeds the
 * tracker, the alarm engine and the health monitor; the tracker's presence changes go to storage
 * and to the alarm engine; alarm changes go to storage and to the walls. One timer ticks it all.
 */
import type { Router } from 'express';
import type { BoothBudgets } from '../../contract/console';
import { AlarmEngine, alarmLimitsFor, forgottenByNote } from '../alarms/AlarmEngine';
import { AlarmLog } from '../alarms/AlarmLog';
import { StorageBacklogAlarm } from '../alarms/StorageBacklogAlarm';
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import type { FileSettings } from '../config/settings';
import { historyRoute } from '../http/historyRoute';
import type { OriginPolicy } from '../http/OriginPolicy';
import type { Ingest } from '../ingest/Ingest';
import type { IngestCounters } from '../ingest/IngestCounters';
import type { Logger } from '../logger';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { WallRegistry } from '../live/WallRegistry';
import type { HistoryReader } from '../store/HistoryReader';
import type { InfluxStore } from '../store/InfluxStore';
import type { StorageHealth } from '../store/StorageHealth';
import type { StoreCounters } from '../store/StoreCounters';
import { DeviceIdentityLog } from '../store/DeviceIdentityLog';
import { createConsoleApi } from './consoleApi';
import { ConsoleSessions, MAX_SESSIONS } from './ConsoleSessions';
import { ConsoleViews } from './ConsoleViews';
import { DEFAULT_TRACKER_LIMITS, DeviceHealthTracker } from './DeviceHealthTracker';
import { DeviceStatusLog } from './DeviceStatusLog';
import { ServerHealthMonitor } from './ServerHealthMonitor';

const TICK_MS = 1000;
/**
 * How long start-up waits for the spool to send what an earlier run left unsent (rows written while
 * InfluxDB was down: a Forget, an acknowledgement) before restoring from InfluxDB without them.
 */
const REPLAY_WAIT_MS = 10_000;
/** How often the spool's replay is looked at while waiting for it. */
const REPLAY_POLL_MS = 50;
/** After start-up, how often a replay still running is looked at (what it brings is applied when it ends). */
const LATE_REPLAY_POLL_MS = 1000;
/** Reads of InfluxDB tried after a late replay before giving up until the next restart (about 9 min in all). */
const LATE_APPLY_ATTEMPTS = 12;
/** The wait between those tries doubles up to LATE_REPLAY_POLL_MS × 2^6 (about a minute). */
const LATE_APPLY_MAX_DOUBLINGS = 6;
/** How far back a restart looks for where each device was left. */
const STATUS_RESTORE_WINDOW_MS = 7 * 24 * 3600_000;

export interface ConsoleDependencies {
  file: FileSettings;
  booths: readonly { id: string; name: string }[];
  directory: DeviceDirectory;
  /** Where every per-booth budget counts what it refused; shown per booth on the health page. */
  budgetRefusals: BudgetRefusals;
  store: InfluxStore | null;
  ingestCounters: IngestCounters;
  storeCounters: StoreCounters;
  walls: WallRegistry;
  startedAt: number;
  log: Logger;
  /** Whether storage keeps up: the server view's `degraded` and its banner. */
  storageHealth: StorageHealth;
  /** QoS 1/2 acknowledgements the broker holds until their readings are on disk (the Server tab's Ingest card). */
  acknowledgementsHeld?: () => number;
}

export class TechnicianConsole {
  readonly tracker: DeviceHealthTracker;
  readonly alarms: AlarmEngine;
  readonly health: ServerHealthMonitor;
  readonly sessions: ConsoleSessions;
  private readonly statusLog: DeviceStatusLog;
  private readonly alarmLog: AlarmLog;
  /** Raises the technician's alarm while storage is behind (the same rule as /api/health's storage-backlog). */
  private readonly storageBacklog: StorageBacklogAlarm;
  /** Names, units and metric order of every device, kept across restarts, and who was forgotten. */
  readonly identityLog: DeviceIdentityLog;
  private timer: NodeJS.Timeout | undefined;
  /** Looks at a replay that outlasted start-up, to apply the forgotten marks it brings. */
  private lateReplayTimer: NodeJS.Timeout | undefined;
  /** Off once shutdown starts: the connections the server itself closes are not the devices' doing. */
  private recording = true;

  private constructor(private readonly deps: ConsoleDependencies) {
    const { file, store } = deps;
    // Client ids remembered per booth: as many as the booth may have devices (a client speaks for at least one).
    // The live directory's device model: one record per device, evicted once, from everything.
    this.tracker = new DeviceHealthTracker(
      {
        ...DEFAULT_TRACKER_LIMITS,
        maxDevicesPerBooth: file.live.maxDevicesPerBooth,
        rememberedClients: file.live.maxDevicesPerBooth,
      },
      deps.directory.model,
    );
    const thresholdRules = file.alarms.filter((rule) => rule.kind === 'threshold').length;
    this.alarms = new AlarmEngine(
      file.alarms,
      this.tracker,
      alarmLimitsFor(deps.booths.length, {
        maxOpenAlarmsPerBooth: file.budgets.maxOpenAlarmsPerBooth,
        maxDevicesPerBooth: file.live.maxDevicesPerBooth,
        thresholdRules,
      }),
      deps.budgetRefusals,
    );
    // A device the tracker forgets can never clear its alarms: they go with it.
    this.tracker.onEvicted((booth, device) => this.alarms.forgetDevice(booth, device, Date.now()));
    this.health = new ServerHealthMonitor({
      startedAt: deps.startedAt,
      ingest: deps.ingestCounters,
      store: deps.storeCounters,
      influx: store,
      maxBufferLines: file.influx.maxBufferLines,
      walls: deps.walls,
      budgets: () => this.boothBudgets(),
      storageHealth: deps.storageHealth,
      ...(deps.acknowledgementsHeld ? { acknowledgementsHeld: deps.acknowledgementsHeld } : {}),
    });
    this.sessions = new ConsoleSessions({ lifetimeMs: (file.console?.sessionHours ?? 12) * 3600_000, maxSessions: MAX_SESSIONS });
    this.statusLog = new DeviceStatusLog(store);
    this.alarmLog = new AlarmLog(store);
    this.storageBacklog = new StorageBacklogAlarm(deps.storageHealth, this.alarms);
    this.identityLog = new DeviceIdentityLog(store, deps.directory.model);
    this.tracker.onChange((change) => {
      if (!this.recording) return;
      this.statusLog.record(change);
      this.alarms.presenceChanged(change.booth, change.device, change.state, change.ts);
    });
    this.alarms.onChange((change) => {
      if (this.recording) this.alarmLog.record(change);
    });
  }

  /** Takes back from InfluxDB where devices and alarms were left, before any device connects. */
  static async start(deps: ConsoleDependencies): Promise<TechnicianConsole> {
    const technicianConsole = new TechnicianConsole(deps);
    if (deps.store?.reachable) {
      const replayed = await technicianConsole.waitForReplay(REPLAY_WAIT_MS);
      await technicianConsole.restore();
      if (!replayed) technicianConsole.applyWhenReplayed();
    }
    return technicianConsole;
  }

  /** The tracker first, so the alarm engine sees a device's meta (kind, units) from the same message. */
  attach(ingest: Ingest): void {
    ingest.observe(this.tracker);
    ingest.observe(this.alarms);
    ingest.observe(this.health);
    ingest.observe(this.identityLog);
    this.timer = setInterval(() => {
      const now = Date.now();
      this.tracker.tick(now);
      this.alarms.tick(now);
      if (this.recording) this.storageBacklog.check(now);
    }, TICK_MS);
    this.timer.unref();
  }

  api(options: { history: HistoryReader; originPolicy: OriginPolicy; servesHttps: boolean }): Router {
    const { tracker, alarms, health, sessions, statusLog } = this;
    return createConsoleApi({
      settings: this.deps.file.console,
      sessions,
      views: new ConsoleViews({ tracker, statusLog, alarms, health, log: this.deps.log }),
      alarms,
      forgetDevice: (booth, device, by) => this.forget(booth, device, by),
      history: historyRoute(this.deps.booths, options.history),
      originPolicy: options.originPolicy,
      servesHttps: options.servesHttps,
      log: this.deps.log,
    });
  }

  /**
   * A technician's Forget: the device's open alarms clear (noting who), the device leaves the model
   * (its live window, watches and tiles with it; walls are told through the model's forgotten
   * listeners) and storage marks it forgotten, so a restart does not bring it back. False when the
   * server does not know the device.
   */
  forget(booth: string, device: string, by: string): boolean {
    const model = this.deps.directory.model;
    if (!model.get(booth, device)) return false;
    const now = Date.now();
    this.alarms.forgetDevice(booth, device, now, forgottenByNote(by));
    model.forget(booth, device);
    this.identityLog.forgotten(booth, device, now);
    return true;
  }

  /** Each booth's refusals and what it holds against its live-window and alarm budgets. */
  boothBudgets(): BoothBudgets[] {
    const { booths, budgetRefusals, directory, file } = this.deps;
    return booths.map(({ id, name }) => {
      const usage = directory.boothUsage(id);
      return {
        booth: id,
        name,
        refusals: Object.fromEntries(budgetRefusals.forBooth(id)),
        series: { used: usage.series, limit: file.budgets.maxSeriesPerBooth },
        liveWindowBytes: { used: usage.liveWindowBytes, limit: file.budgets.maxLiveWindowBytesPerBooth },
        openAlarms: { used: this.alarms.openCountOf(id), limit: file.budgets.maxOpenAlarmsPerBooth },
      };
    });
  }

  /** Stops ticking and recording; call before the broker closes its connections. */
  close(): void {
    this.recording = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.lateReplayTimer) clearInterval(this.lateReplayTimer);
    this.lateReplayTimer = undefined;
    this.health.close();
  }

  /** Whether the spool has no earlier run's rows left to send (or there is no spool). */
  private replayDone(): boolean {
    return (this.deps.store?.spoolHealth(Date.now())?.replay ?? null) === null;
  }

  /**
   * Waits up to `limitMs` for the spool's replay, so what the restore reads includes what the earlier
   * run wrote while InfluxDB was down. True when it finished (at once when there is none).
   */
  private async waitForReplay(limitMs: number): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    while (!this.replayDone()) {
      if (Date.now() >= deadline) {
        this.deps.log.warn(
          { waitedMs: limitMs },
          'the spool is still replaying an earlier run: restoring from InfluxDB without it; its forgotten devices and alarm changes are applied when it ends',
        );
        return false;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, REPLAY_POLL_MS).unref());
    }
    return true;
  }

  /**
   * A replay that outlasted start-up: once it ends, devices it marked forgotten go (unless heard
   * since), then the alarm rows it brought (acknowledged or cleared in the outage) are applied.
   * The console serves meanwhile with what the restore read. A read of InfluxDB that fails then
   * (it may have gone again) is tried again, waiting twice as long each time, at most
   * LATE_APPLY_ATTEMPTS times: otherwise the outage's changes would wait for the next restart.
   */
  private applyWhenReplayed(): void {
    const progress = { marks: false, alarms: false, attempts: 0, busy: false, nextAt: 0 };
    const stop = () => {
      clearInterval(this.lateReplayTimer);
      this.lateReplayTimer = undefined;
    };
    this.lateReplayTimer = setInterval(() => {
      if (progress.busy || Date.now() < progress.nextAt || !this.replayDone()) return;
      if (!this.recording) return stop();
      progress.busy = true;
      void (async () => {
        // Forgotten devices first: their alarms must not be taken in as those of known devices.
        progress.marks ||= await this.applyForgottenMarks();
        if (progress.marks) progress.alarms ||= await this.applyLateAlarms();
        progress.attempts++;
        progress.busy = false;
        if (progress.marks && progress.alarms) return stop();
        if (progress.attempts >= LATE_APPLY_ATTEMPTS) {
          this.deps.log.error(
            { attempts: progress.attempts },
            "gave up applying the earlier run's forgotten devices and alarm changes: they apply at the next restart",
          );
          return stop();
        }
        progress.nextAt = Date.now() + LATE_REPLAY_POLL_MS * 2 ** Math.min(progress.attempts, LATE_APPLY_MAX_DOUBLINGS);
      })();
    }, LATE_REPLAY_POLL_MS);
    this.lateReplayTimer.unref();
  }

  /** Each device's newest stored identity within the restore window, bounded by what the booths may hold. */
  private storedIdentities(now: number): ReturnType<DeviceIdentityLog['latest']> {
    const { booths, file } = this.deps;
    return this.identityLog.latest(
      booths.map((b) => b.id),
      STATUS_RESTORE_WINDOW_MS,
      booths.length * file.live.maxDevicesPerBooth,
      now,
    );
  }

  /** False when InfluxDB could not be read (tried again). */
  private async applyForgottenMarks(): Promise<boolean> {
    const { directory, log } = this.deps;
    const now = Date.now();
    try {
      const stored = await this.storedIdentities(now);
      let forgotten = 0;
      for (const [booth, identities] of stored) {
        for (const [device, identity] of identities) {
          const record = directory.model.get(booth, device);
          // One heard in this run published after its Forget: it is new, as after any Forget.
          if (!identity.forgotten || !record || record.lastHeard !== null || !this.recording) continue;
          this.alarms.forgetDevice(booth, device, now);
          directory.model.forget(booth, device);
          forgotten++;
        }
      }
      log.info({ forgotten }, 'forgotten devices applied after the spool replay');
      return true;
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read forgotten devices from InfluxDB after the spool replay');
      return false;
    }
  }

  /** False when InfluxDB could not be read (tried again). */
  private async applyLateAlarms(): Promise<boolean> {
    const { log } = this.deps;
    const now = Date.now();
    try {
      const stored = await this.alarmLog.latest(now);
      if (!this.recording) return true;
      // Walls hear of what changed through the engine's reconciled listeners (server/Showfloor.ts).
      const { changed } = this.alarms.reconcile(stored, now, (booth, device) => this.tracker.get(booth, device) !== undefined);
      log.info({ changed, open: this.alarms.openCount }, 'alarm changes of the earlier run applied after the spool replay');
      return true;
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read alarms from InfluxDB after the spool replay');
      return false;
    }
  }

  private async restore(): Promise<void> {
    const { directory, booths, log } = this.deps;
    const now = Date.now();
    let presenceRestored = false;
    // Identity first: the presence restore below keeps a record's meta once it has one.
    const forgotten = await this.restoreIdentities(now);
    // Forgotten devices may have come back with their old readings: they stay forgotten. And their
    // presence is not restored either, which would write them a fresh status row at every restart
    // and so keep them in the restore window after their forgotten mark has left it.
    for (const [booth, device] of forgotten) directory.model.forget(booth, device);
    // Ids cannot contain '/', so the key is unique.
    const forgottenKeys = new Set(forgotten.map(([booth, device]) => `${booth}/${device}`));
    const isForgotten = (booth: string, device: string) => forgottenKeys.has(`${booth}/${device}`);
    try {
      const last = await this.statusLog.lastChanges(
        booths.map((b) => b.id),
        STATUS_RESTORE_WINDOW_MS,
        now,
      );
      let devices = 0;
      for (const [booth, changes] of last) {
        for (const [device, change] of changes) {
          if (isForgotten(booth, device)) continue;
          this.tracker.restore(booth, device, change, directory.get(booth, device)?.meta ?? {}, now);
          devices++;
        }
      }
      // Devices with readings in the live window but no stored presence (stored before presence was).
      for (const record of directory.records()) this.tracker.restore(record.booth, record.device, null, record.meta, now);
      presenceRestored = true;
      log.info({ devices }, 'device presence restored from InfluxDB');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not restore device presence from InfluxDB');
    }
    try {
      const alarms = await this.alarmLog.latest(now);
      // Only once presence is back can "no longer known" be told from "not restored".
      this.alarms.restore(alarms, now, presenceRestored ? (booth, device) => this.tracker.get(booth, device) !== undefined : undefined);
      log.info({ open: this.alarms.openCount }, 'alarms restored from InfluxDB');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not restore alarms from InfluxDB');
    }
  }

  /**
   * Names, units and metric order as they were (stored in `device_meta`), onto the records the live
   * window restored and for devices known only from there. Returns the devices marked forgotten.
   */
  private async restoreIdentities(now: number): Promise<[string, string][]> {
    const { directory, log } = this.deps;
    const forgotten: [string, string][] = [];
    try {
      const stored = await this.storedIdentities(now);
      let devices = 0;
      for (const [booth, identities] of stored) {
        for (const [device, identity] of identities) {
          if (identity.forgotten) {
            forgotten.push([booth, device]);
            continue;
          }
          const record = directory.model.touch(booth, device);
          // Nothing live has been heard yet: what was stored is the whole meta (the live window's restore knows the kind at most).
          record.meta = { ...record.meta, ...identity.meta };
          directory.model.orderMetrics(record, identity.metrics);
          // What storage holds already: the device's first reading after the restart needs no new row.
          record.storedIdentity = { meta: record.meta, metrics: identity.metrics.length === record.series.size ? record.series.size : -1 };
          devices++;
        }
      }
      log.info(
        { devices, forgotten: forgotten.length, unreadable: this.identityLog.unreadable },
        'device names, units and metric order restored from InfluxDB',
      );
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not restore device names and units from InfluxDB');
    }
    return forgotten;
  }
}
