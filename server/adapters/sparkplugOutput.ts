/**
 * Builds one AdapterResult: readings grouped per device and timestamp into native telemetry
 * messages of at most MAX_READINGS_PER_MESSAGE values, and rejections folded per reason and device
 * so a BIRTH with 300 String metrics is one counted rejection saying "300", not 300 console rows.
 * Used by the Sparkplug and Home Assistant adapters (the name keeps it inside this helper's files;
 * it holds nothing Sparkplug-specific).
 */
import { INVISIBLE_CHARACTERS, MAX_READINGS_PER_MESSAGE, type DeviceMeta, type ReadingValues } from '../../contract/device';
import type { DeviceMessage, Rejection, RejectionReason, ValidatorLimits } from '../ingest/TelemetryValidator';
import { quoteDeviceText } from '../ingest/TelemetryValidator';
import type { AdapterResult } from './DeviceAdapter';

export type TimestampLimits = Pick<ValidatorLimits, 'maxFutureSkewMs' | 'minTimestamp' | 'maxAgeMs'>;

/**
 * The native validator's timestamp rules (TelemetryValidator.timestamp) for a timestamp that
 * arrived as epoch ms: adapter readings skip that validator, so the same window is applied here.
 */
export function checkTimestamp(ms: number, receivedAt: number, limits: TimestampLimits): { reason: 'bad-timestamp' | 'too-old'; detail: string } | null {
  if (!Number.isFinite(ms)) return { reason: 'bad-timestamp', detail: 'timestamp is not a finite number' };
  if (ms < limits.minTimestamp) return { reason: 'bad-timestamp', detail: `timestamp ${ms} is before 2000-01-01 (epoch ms expected)` };
  if (ms > receivedAt + limits.maxFutureSkewMs)
    return { reason: 'bad-timestamp', detail: `timestamp is ${Math.round((ms - receivedAt) / 1000)} s ahead of the server clock` };
  if (ms < receivedAt - limits.maxAgeMs) return { reason: 'too-old', detail: `timestamp is ${Math.round((receivedAt - ms) / 3600_000)} hours old` };
  return null;
}

const META_TEXT_MAX = 80;
const UNIT_TEXT_MAX = 16;

/** Device text for meta (names, units, firmware): invisible characters out, bounded, as the validator does for native meta. */
export function cleanMetaText(text: string, max = META_TEXT_MAX): string {
  return text.replace(INVISIBLE_CHARACTERS, '').trim().slice(0, max);
}

export function cleanUnit(text: string): string {
  return cleanMetaText(text, UNIT_TEXT_MAX);
}

interface FoldedRejection {
  reason: RejectionReason;
  device: string | null;
  detail: string;
  count: number;
}

export class AdapterOutput {
  private readonly leading: DeviceMessage[] = [];
  private readonly trailing: DeviceMessage[] = [];
  /** deviceId → ts → values and how many. Maps, never objects: ids and metric names come from devices. */
  private readonly readings = new Map<string, Map<number, { values: ReadingValues; size: number }>>();
  private readonly rejected = new Map<string, FoldedRejection>();

  constructor(private readonly booth: string) {}

  /** Status and meta that must reach ingest before the readings (a BIRTH's online and units). */
  first(message: DeviceMessage): void {
    this.leading.push(message);
  }

  /** Status after the readings (a DEATH's offline). */
  last(message: DeviceMessage): void {
    this.trailing.push(message);
  }

  status(device: string, status: 'online' | 'offline'): DeviceMessage {
    return { kind: 'status', booth: this.booth, device, status };
  }

  meta(device: string, meta: DeviceMeta): DeviceMessage {
    return { kind: 'meta', booth: this.booth, device, meta };
  }

  reading(device: string, ts: number, metric: string, value: number): void {
    let byTs = this.readings.get(device);
    if (!byTs) {
      byTs = new Map();
      this.readings.set(device, byTs);
    }
    let entry = byTs.get(ts);
    if (!entry) {
      entry = { values: Object.create(null) as ReadingValues, size: 0 };
      byTs.set(ts, entry);
    }
    if (!Object.hasOwn(entry.values, metric)) entry.size++;
    entry.values[metric] = value;
  }

  reject(reason: RejectionReason, device: string | null, detail: string): void {
    const key = `${reason}\u0000${device ?? ''}`;
    const folded = this.rejected.get(key);
    if (folded) folded.count++;
    else this.rejected.set(key, { reason, device, detail, count: 1 });
  }

  hasRejection(reason: RejectionReason): boolean {
    for (const folded of this.rejected.values()) if (folded.reason === reason) return true;
    return false;
  }

  result(): AdapterResult {
    const messages: DeviceMessage[] = [...this.leading];
    for (const [device, byTs] of this.readings) {
      for (const [ts, { values, size: count }] of byTs) {
        // The usual case, one message's worth: handed on as it is (copying it cost a tenth of a DDATA's decode).
        if (count <= MAX_READINGS_PER_MESSAGE) {
          messages.push({ kind: 'telemetry', booth: this.booth, device, ts, values });
          continue;
        }
        let chunk = Object.create(null) as ReadingValues;
        let size = 0;
        for (const metric of Object.keys(values)) {
          chunk[metric] = values[metric] as number;
          if (++size === MAX_READINGS_PER_MESSAGE) {
            messages.push({ kind: 'telemetry', booth: this.booth, device, ts, values: chunk });
            chunk = Object.create(null) as ReadingValues;
            size = 0;
          }
        }
        if (size > 0) messages.push({ kind: 'telemetry', booth: this.booth, device, ts, values: chunk });
      }
    }
    messages.push(...this.trailing);
    const rejections: Rejection[] = [];
    for (const folded of this.rejected.values()) {
      const detail = folded.count > 1 ? `${folded.detail} (and ${folded.count - 1} more like it in this message)` : folded.detail;
      rejections.push({ kind: 'rejected', reason: folded.reason, detail, booth: this.booth, device: folded.device });
    }
    return { messages, rejections };
  }
}

export { quoteDeviceText };
