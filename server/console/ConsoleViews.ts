/**
 * The console API's answers (contract/console.ts) built from the objects that hold the state:
 * the device model (through the health tracker), the device_status log, the alarm engine and the
 * server health monitor. A device's state is the one presence rule's verdict at the time of the
 * request (contract/presence.ts), as a wall judges it. Read-only: nothing here changes what it reads.
 */
import type { AlarmList, DeviceDetail, DeviceHealth, DeviceHealthList, HealthChange, ServerHealth } from '../../contract/console';
import type { AlarmEngine } from '../alarms/AlarmEngine';
import type { Logger } from '../logger';
import { TIMELINE_LENGTH, type DeviceHealthRecord, type DeviceHealthTracker } from './DeviceHealthTracker';
import type { DeviceStatusLog } from './DeviceStatusLog';
import { payloadSample } from './payloadSample';
import type { ServerHealthMonitor } from './ServerHealthMonitor';

export interface ConsoleSources {
  tracker: DeviceHealthTracker;
  statusLog: DeviceStatusLog;
  alarms: AlarmEngine;
  health: ServerHealthMonitor;
  log: Logger;
}

export class ConsoleViews {
  constructor(private readonly sources: ConsoleSources) {}

  devices(now = Date.now()): DeviceHealthList {
    return { serverTime: now, devices: [...this.sources.tracker.records()].map((record) => this.deviceHealth(record, now)) };
  }

  /** Null when the device is not known. */
  async device(booth: string, device: string, now = Date.now()): Promise<DeviceDetail | null> {
    const record = this.sources.tracker.get(booth, device);
    if (!record) return null;
    return {
      ...this.deviceHealth(record, now),
      meta: record.meta,
      latest: { ...record.latest },
      recentPayloads: record.payloads
        .slice()
        .reverse()
        .map((p) => ({ ts: p.ts, topic: p.topic, payload: payloadSample(p.bytes, p.totalBytes) })),
      timeline: await this.timeline(record),
      rejections: record.rejections.slice().reverse(),
    };
  }

  health(now = Date.now()): ServerHealth {
    return this.sources.health.report(now);
  }

  alarms(now = Date.now()): AlarmList {
    return { serverTime: now, alarms: this.sources.alarms.list() };
  }

  private deviceHealth(record: DeviceHealthRecord, now: number): DeviceHealth {
    const { tracker } = this.sources;
    const expected = tracker.expectedInterval(record);
    const verdict = tracker.model.presenceOf(record, now);
    // The recorded change says when and why, unless the tick has not recorded this verdict yet.
    const recorded = verdict.state === record.state && record.timeline.length > 0;
    return {
      booth: record.booth,
      device: record.device,
      name: record.meta.name ?? null,
      kind: record.meta.kind ?? null,
      firmware: record.meta.firmware ?? null,
      state: verdict.state,
      stateSince: recorded ? record.stateSince : verdict.since,
      stateReason: recorded ? record.stateReason : verdict.reason,
      lastSeen: record.lastHeard,
      ratePerSecond: Math.round(record.readings.ratePerSecond(now) * 100) / 100,
      expectedIntervalMs: expected.ms,
      intervalSource: expected.source,
      rejectedTotal: record.rejectedTotal,
      rejected: Object.fromEntries(record.rejected),
      lastRejection: record.rejections.at(-1) ?? null,
      reconnects: Math.max(0, record.connectionsSeen - 1),
      clientAddress: record.connection?.address ?? record.lastAddress,
      connectedSince: record.connection?.openedAt ?? null,
      battery: record.battery,
      signal: record.signal,
      adapter: record.heardThrough?.path ?? null,
      ownTopic: record.heardThrough?.topic ?? null,
    };
  }

  /**
   * InfluxDB's record (which survives restarts) merged with the changes held in memory (which
   * InfluxDB may not have been sent yet: writes go out in batches). Memory alone when InfluxDB
   * is absent or does not answer.
   */
  private async timeline(record: DeviceHealthRecord): Promise<HealthChange[]> {
    let stored: HealthChange[] = [];
    try {
      stored = (await this.sources.statusLog.timeline(record.booth, record.device, TIMELINE_LENGTH)) ?? [];
    } catch (error) {
      this.sources.log.warn(
        { err: (error as Error).message, booth: record.booth, device: record.device },
        'could not read the device timeline from InfluxDB; showing what is in memory',
      );
    }
    const merged = new Map<string, HealthChange>();
    for (const change of [...stored, ...record.timeline]) merged.set(`${change.ts} ${change.state} ${change.reason}`, change);
    return [...merged.values()].sort((a, b) => b.ts - a.ts).slice(0, TIMELINE_LENGTH);
  }
}
