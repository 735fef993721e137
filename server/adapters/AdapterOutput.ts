/**
 * What one foreign publish becomes, collected while an adapter reads it: readings grouped into one
 * native telemetry message per device, presence, meta, and a counted rejection per field that is no
 * reading. Bounded by the native contract's limits, so a huge or deep payload costs a rejection,
 * never memory or the good readings beside it.
 */
import { MAX_READINGS_PER_MESSAGE, type DeviceMeta, type DeviceStatus, type NamedTable, type ReadingValues } from '../../contract/device';
import { quoteDeviceText, type DeviceMessage, type Rejection, type RejectionReason } from '../ingest/TelemetryValidator';
import type { AdapterName, AdapterResult } from './DeviceAdapter';
import { mappedMetricName } from './deviceNames';

/** Objects nested deeper than this are no sensor reading (Tasmota's deepest is `ENERGY.Voltage[n]`, depth 3). */
export const MAX_READING_DEPTH = 6;
/** Arrays longer than this are refused whole: Tasmota's three-phase `Voltage` and Shelly's `by_minute` have 3. */
export const MAX_READING_ARRAY = 16;
/** Rejections kept for one publish; past it one more says how many were folded, so 4,000 string fields cost 17 entries. */
export const MAX_REJECTIONS_PER_PUBLISH = 16;

interface PendingTelemetry {
  ts: number;
  values: ReadingValues;
  count: number;
  overflowCounted: boolean;
}

/** A value as a reading: finite numbers and booleans as they are, `ON`/`OFF` as 1/0, else why not. */
export type ReadingVerdict = { value: number | boolean } | { reason: RejectionReason; detail: string };

export function asReading(value: unknown): ReadingVerdict {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'number') return Number.isFinite(value) ? { value } : { reason: 'missing-reading', detail: `the value is ${String(value)}` };
  if (value === null) return { reason: 'missing-reading', detail: 'the value is null' };
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === 'ON' || text === 'on') return { value: 1 };
    if (text === 'OFF' || text === 'off') return { value: 0 };
    if (/^-?nan$/i.test(text)) return { reason: 'missing-reading', detail: `the device reports ${quoteDeviceText(text)}: no reading` };
    return { reason: 'not-a-reading', detail: `text ${quoteDeviceText(text)} is no reading` };
  }
  return { reason: 'not-a-reading', detail: Array.isArray(value) ? 'an array is no reading' : 'an object is no reading' };
}

/** A plain-text payload (ESPHome states, Shelly Gen1 values): a decimal number, `true`/`false`, `ON`/`OFF`, `nan`. */
export function plainReading(text: string): ReadingVerdict {
  const trimmed = text.trim();
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return asReading(Number(trimmed));
  if (trimmed === 'true') return { value: true };
  if (trimmed === 'false') return { value: false };
  return asReading(trimmed);
}

export class AdapterOutput {
  private readonly telemetry = new Map<string, PendingTelemetry>();
  private readonly metas = new Map<string, DeviceMeta>();
  private readonly others: DeviceMessage[] = [];
  private readonly rejections: Rejection[] = [];
  private folded = 0;

  constructor(
    readonly booth: string,
    readonly adapter: AdapterName,
  ) {}

  reject(reason: RejectionReason, detail: string, device: string | null): void {
    if (this.rejections.length >= MAX_REJECTIONS_PER_PUBLISH) {
      this.folded++;
      return;
    }
    this.rejections.push({ kind: 'rejected', reason, detail, booth: this.booth, device, adapter: this.adapter });
  }

  /** One reading; `path` names it (joined and mapped), `unit` goes into the device's meta. */
  reading(device: string, ts: number, path: readonly string[], raw: unknown, unit?: string): void {
    const verdict = asReading(raw);
    this.take(device, ts, path, verdict, unit);
  }

  /** A reading named by a device path, mapped onto a valid metric name (deviceNames.ts). */
  take(device: string, ts: number, path: readonly string[], verdict: ReadingVerdict, unit?: string): void {
    const shown = path.join('.');
    if (!('value' in verdict)) {
      this.reject(verdict.reason, `${shown}: ${verdict.detail}`, device);
      return;
    }
    const metric = mappedMetricName(path);
    if (metric === null) {
      this.reject('bad-metric-name', `${quoteDeviceText(shown)} gives no usable metric name`, device);
      return;
    }
    this.takeMetric(device, ts, metric, verdict, unit);
  }

  /** A reading under a metric name that is already valid (a topic map's `metric` setting). */
  takeMetric(device: string, ts: number, metric: string, verdict: ReadingVerdict, unit?: string): void {
    if (!('value' in verdict)) {
      this.reject(verdict.reason, `${metric}: ${verdict.detail}`, device);
      return;
    }
    let pending = this.telemetry.get(device);
    if (!pending) this.telemetry.set(device, (pending = { ts, values: Object.create(null) as ReadingValues, count: 0, overflowCounted: false }));
    if (!Object.hasOwn(pending.values, metric)) {
      if (pending.count >= MAX_READINGS_PER_MESSAGE) {
        if (!pending.overflowCounted) this.reject('too-many-fields', `more than ${MAX_READINGS_PER_MESSAGE} readings; the rest are left out`, device);
        pending.overflowCounted = true;
        return;
      }
      pending.count++;
    }
    pending.values[metric] = verdict.value;
    if (unit !== undefined && unit !== '') this.unit(device, metric, unit);
  }

  /**
   * Every leaf of a JSON value as a reading named by its path, within MAX_READING_DEPTH and
   * MAX_READING_ARRAY; `skip` leaves out keys that are no readings at all (Tasmota's `Time`).
   */
  flatten(
    device: string,
    ts: number,
    path: readonly string[],
    value: unknown,
    unitOf: (path: readonly string[]) => string | undefined,
    skip?: (key: string, depth: number) => boolean,
  ): void {
    if (path.length > MAX_READING_DEPTH) {
      this.reject('too-deep', `${path.slice(0, MAX_READING_DEPTH).join('.')}…: nested deeper than ${MAX_READING_DEPTH} levels`, device);
      return;
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_READING_ARRAY) {
        this.reject('too-many-fields', `${path.join('.')}: an array of ${value.length} entries (at most ${MAX_READING_ARRAY})`, device);
        return;
      }
      value.forEach((entry, i) => this.flatten(device, ts, [...path, String(i + 1)], entry, unitOf, skip));
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [key, entry] of Object.entries(value)) {
        if (skip?.(key, path.length)) continue;
        this.flatten(device, ts, [...path, key], entry, unitOf, skip);
      }
      return;
    }
    this.reading(device, ts, path, value, unitOf(path));
  }

  unit(device: string, metric: string, unit: string): void {
    const meta = this.metaOf(device);
    meta.units ??= Object.create(null) as NamedTable<string>;
    meta.units[metric] = unit;
  }

  meta(device: string, meta: DeviceMeta): void {
    const into = this.metaOf(device);
    if (meta.name !== undefined) into.name = meta.name;
    if (meta.kind !== undefined) into.kind = meta.kind;
    if (meta.firmware !== undefined) into.firmware = meta.firmware;
  }

  status(device: string, status: DeviceStatus): void {
    this.others.push({ kind: 'status', booth: this.booth, device, status });
  }

  /** Meta first (units known before the reading arrives), then readings, then presence. */
  result(): AdapterResult {
    const messages: DeviceMessage[] = [];
    for (const [device, meta] of this.metas) messages.push({ kind: 'meta', booth: this.booth, device, meta });
    for (const [device, pending] of this.telemetry) {
      messages.push({ kind: 'telemetry', booth: this.booth, device, ts: pending.ts, values: pending.values });
    }
    messages.push(...this.others);
    const rejections = [...this.rejections];
    if (this.folded > 0) {
      const last = this.rejections[this.rejections.length - 1];
      rejections.push({ ...last!, detail: `${this.folded} more fields of this publish were left out as well` });
    }
    return { messages, rejections };
  }

  private metaOf(device: string): DeviceMeta {
    let meta = this.metas.get(device);
    if (!meta) this.metas.set(device, (meta = {}));
    return meta;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as text, or null after counting why not. */
export function payloadText(payload: Buffer, output: AdapterOutput, device: string | null): string | null {
  if (payload.length === 0) {
    output.reject('empty-payload', 'the payload is empty', device);
    return null;
  }
  try {
    return utf8.decode(payload);
  } catch {
    output.reject('not-utf8', 'the payload is not valid UTF-8', device);
    return null;
  }
}

/** The payload as a JSON object, or null after counting why not. */
export function payloadObject(payload: Buffer, output: AdapterOutput, device: string | null): Record<string, unknown> | null {
  const text = payloadText(payload, output, device);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    output.reject('not-json', `not JSON: ${(error as Error).message.slice(0, 80)}`, device);
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    output.reject('not-an-object', `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`, device);
    return null;
  }
  return parsed as Record<string, unknown>;
}

/** An own string property, trimmed; undefined when absent or not text. */
export function ownText(object: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** An own object property; undefined when absent or not an object. */
export function ownObject(object: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
