/**
 * Who each device is, in InfluxDB (measurement `device_meta`), so a restart does not reshuffle a
 * wall (issue 12): its meta (name, kind, units, ranges, display) and the order its metrics were first
 * seen in, written when either changes, and a `forgotten` mark when a technician forgets it. At start
 * the newest row of every device is read back with InfluxQL, as DeviceStatusLog does for presence:
 * devices get their names, units and metric order before any wall connects, and forgotten ones stay
 * gone. A device publishing after it was forgotten is new, and its next row clears the mark.
 *
 * Bounded: a row per device only when its meta or its number of metrics changes (metrics are
 * bounded per device by live.maxSeriesPerDevice, devices per booth by the device model), and the
 * read at start takes at most `maxDevices` series.
 */
import { isMetricName, type DeviceMeta } from '../../contract/device';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { DeviceModel, DeviceRecord } from '../devices/DeviceModel';
import type { IngestObserver } from '../ingest/Ingest';
import { TelemetryValidator, type DeviceMessage, type Rejection } from '../ingest/TelemetryValidator';
import { quoteIdentifier, quoteString } from './historyQuery';
import type { InfluxStore } from './InfluxStore';
import { safeTagValue, stringFieldValue } from './telemetryLine';

export const IDENTITY_MEASUREMENT = 'device_meta';

/** What a restart takes back for one device. */
export interface StoredIdentity {
  meta: DeviceMeta;
  /** Metric names in the order the device first sent them. */
  metrics: string[];
  forgotten: boolean;
}

export function deviceIdentityLine(booth: string, device: string, identity: StoredIdentity, ts: number): string {
  return (
    `${IDENTITY_MEASUREMENT},booth=${safeTagValue(booth)},device=${safeTagValue(device)}` +
    ` meta=${stringFieldValue(JSON.stringify(identity.meta))},metrics=${stringFieldValue(JSON.stringify(identity.metrics))}` +
    `,forgotten=${identity.forgotten} ${Math.floor(ts)}`
  );
}

export class DeviceIdentityLog implements IngestObserver {
  /** Stored rows are input from outside like any publish: read back through the same meta rules. */
  private readonly validator = new TelemetryValidator();
  written = 0;
  /** Stored rows that did not read back as an identity (not JSON, not meta the validator accepts). */
  unreadable = 0;

  constructor(
    private readonly store: InfluxStore | null,
    private readonly model: DeviceModel,
  ) {}

  /** After ingest has applied the message: a row when the device's meta or its set of metrics changed. */
  message(_publish: DevicePublish, verdict: DeviceMessage | Rejection, at: number): void {
    if (!this.store || (verdict.kind !== 'telemetry' && verdict.kind !== 'meta')) return;
    const record = this.model.get(verdict.booth, verdict.device);
    if (record) this.remember(record, at);
  }

  remember(record: DeviceRecord, at: number): void {
    const stored = record.storedIdentity;
    if (stored && stored.meta === record.meta && stored.metrics === record.series.size) return;
    // A meta message repeating what is stored (a retained meta on every reconnect) is not a change.
    const unchangedMeta = stored !== null && JSON.stringify(stored.meta) === JSON.stringify(record.meta);
    record.storedIdentity = { meta: record.meta, metrics: record.series.size };
    if (unchangedMeta && stored.metrics === record.series.size) return;
    this.store?.writeLine(deviceIdentityLine(record.booth, record.device, { meta: record.meta, metrics: [...record.series.keys()], forgotten: false }, at));
    this.written++;
  }

  forgotten(booth: string, device: string, at: number): void {
    this.store?.writeLine(deviceIdentityLine(booth, device, { meta: {}, metrics: [], forgotten: true }, at));
    this.written++;
  }

  /** The newest stored identity of every device of `booths` within `sinceMs`, by booth then device. */
  async latest(booths: readonly string[], sinceMs: number, maxDevices: number, now = Date.now()): Promise<Map<string, Map<string, StoredIdentity>>> {
    const found = new Map<string, Map<string, StoredIdentity>>();
    if (!this.store || booths.length === 0) return found;
    const boothFilter = booths.map((b) => `"booth" = ${quoteString(b)}`).join(' OR ');
    const result = await this.store.query(
      `SELECT "meta", "metrics", "forgotten" FROM ${quoteIdentifier(IDENTITY_MEASUREMENT)}` +
        ` WHERE (${boothFilter}) AND time >= ${Math.floor(now - sinceMs)}ms` +
        ` GROUP BY "booth", "device" ORDER BY time DESC LIMIT 1 SLIMIT ${Math.max(1, Math.floor(maxDevices))}`,
    );
    for (const series of result.series ?? []) {
      const booth = series.tags?.booth;
      const device = series.tags?.device;
      const row = series.values[0];
      if (!booth || !device || !row || !booths.includes(booth)) continue;
      const identity = this.read(booth, device, row[1], row[2], row[3]);
      if (!identity) {
        this.unreadable++;
        continue;
      }
      let devices = found.get(booth);
      if (!devices) found.set(booth, (devices = new Map<string, StoredIdentity>()));
      devices.set(device, identity);
    }
    return found;
  }

  private read(booth: string, device: string, meta: unknown, metrics: unknown, forgotten: unknown): StoredIdentity | null {
    if (typeof meta !== 'string' || typeof metrics !== 'string' || typeof forgotten !== 'boolean') return null;
    let parsedMeta: unknown;
    let parsedMetrics: unknown;
    try {
      parsedMeta = JSON.parse(meta);
      parsedMetrics = JSON.parse(metrics);
    } catch {
      return null;
    }
    if (typeof parsedMeta !== 'object' || parsedMeta === null || Array.isArray(parsedMeta) || !Array.isArray(parsedMetrics)) return null;
    const checked = this.validator.checkAdapted({ kind: 'meta', booth, device, meta: parsedMeta }, Date.now());
    if (checked.kind !== 'meta') return null;
    const names = parsedMetrics.filter((name): name is string => typeof name === 'string' && isMetricName(name));
    return { meta: checked.meta, metrics: [...new Set(names)], forgotten };
  }
}
