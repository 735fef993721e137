/**
 * Turns one raw MQTT publish into a typed device message, or a rejection with a reason a
 * technician can act on. Pure and total: it never throws, whatever the bytes.
 */
import {
  DEVICE_KIND_PATTERN,
  INVISIBLE_CHARACTERS,
  ID_PATTERN,
  MAX_PAYLOAD_BYTES,
  MAX_READINGS_PER_MESSAGE,
  METRIC_PATTERN,
  RESERVED_METRIC_NAMES,
  type DeviceMeta,
  type DeviceStatus,
  type ReadingValues,
} from '../../contract/device';
import type { AdapterName } from '../adapters/DeviceAdapter';
import { readMetricDisplay } from '../../contract/metricDisplay';

export type RejectionReason =
  | 'topic-outside-contract'
  | 'bad-booth-id'
  | 'bad-device-id'
  | 'wrong-booth'
  | 'payload-too-large'
  | 'empty-payload'
  | 'not-utf8'
  | 'not-json'
  | 'not-an-object'
  | 'bad-metric-name'
  | 'bad-value'
  | 'too-many-fields'
  | 'no-readings'
  | 'bad-timestamp'
  | 'too-old'
  | 'bad-status'
  | 'bad-meta'
  // Adapters (server/adapters): a foreign topic no adapter of the booth reads, a field that holds no
  // reading (a Tasmota string, a Sparkplug DataSet), a reading the device says it does not have (an
  // ESPHome `nan`), nesting deeper than a reading can sensibly be, and what the Sparkplug and Home
  // Assistant adapters refuse (their files say which clause).
  | 'unmapped-topic'
  | 'not-a-reading'
  | 'missing-reading'
  | 'too-deep'
  | 'bad-protobuf'
  | 'sequence-gap'
  | 'unknown-alias'
  | 'data-before-birth'
  | 'unsafe-integer'
  | 'stale-death'
  | 'adapter-state-full'
  | 'template-refused'
  | 'bad-discovery';

export const REJECTION_REASONS: readonly RejectionReason[] = [
  'topic-outside-contract',
  'bad-booth-id',
  'bad-device-id',
  'wrong-booth',
  'payload-too-large',
  'empty-payload',
  'not-utf8',
  'not-json',
  'not-an-object',
  'bad-metric-name',
  'bad-value',
  'too-many-fields',
  'no-readings',
  'bad-timestamp',
  'too-old',
  'bad-status',
  'bad-meta',
  'unmapped-topic',
  'not-a-reading',
  'missing-reading',
  'too-deep',
  'bad-protobuf',
  'sequence-gap',
  'unknown-alias',
  'data-before-birth',
  'unsafe-integer',
  'stale-death',
  'adapter-state-full',
  'template-refused',
  'bad-discovery',
];

export interface Rejection {
  kind: 'rejected';
  reason: RejectionReason;
  /** Human-readable detail; may quote device text, so render it as text and log it as a field. */
  detail: string;
  booth: string | null;
  /** Null when the topic did not carry a valid device id. */
  device: string | null;
  /** The adapter that decoded the publish (server/adapters); absent on the native contract. */
  adapter?: AdapterName;
}

export interface TelemetryMessage {
  kind: 'telemetry';
  booth: string;
  device: string;
  ts: number;
  values: ReadingValues;
}

export interface StatusMessage {
  kind: 'status';
  booth: string;
  device: string;
  status: DeviceStatus;
}

export interface MetaMessage {
  kind: 'meta';
  booth: string;
  device: string;
  meta: DeviceMeta;
}

export type DeviceMessage = TelemetryMessage | StatusMessage | MetaMessage;

export interface ValidatorLimits {
  maxPayloadBytes: number;
  maxFields: number;
  /** Readings stamped further ahead than this are refused: a device clock that runs ahead would hide later data. */
  maxFutureSkewMs: number;
  /** Earliest accepted timestamp: catches devices that send uptime or seconds instead of epoch ms. */
  minTimestamp: number;
  /**
   * Readings stamped further back than this are refused as too-old (ingest.maxReadingAgeHours): every
   * week of timestamps opens an InfluxDB shard with its own files, so old timestamps cost storage
   * far beyond their size (one week apart back to 2000 made 1,402 shards).
   */
  maxAgeMs: number;
}

export const DEFAULT_VALIDATOR_LIMITS: ValidatorLimits = {
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
  maxFields: MAX_READINGS_PER_MESSAGE,
  maxFutureSkewMs: 5 * 60_000,
  minTimestamp: Date.UTC(2000, 0, 1),
  maxAgeMs: 72 * 3600_000,
};

const META_TEXT_MAX = 80;
const UNIT_TEXT_MAX = 16;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(reason: RejectionReason, detail: string, booth: string | null, device: string | null): Rejection {
  return { kind: 'rejected', reason, detail, booth, device };
}

/** Quotes device text for a detail message: bounded and with control characters made visible. */
export function quoteDeviceText(text: string, max = 40): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped);
}

export class TelemetryValidator {
  constructor(private readonly limits: ValidatorLimits = DEFAULT_VALIDATOR_LIMITS) {}

  /**
   * @param authenticatedBooth the booth the broker authenticated the publisher as; a topic naming
   *   another booth is refused even if the broker's ACL was bypassed (defence in depth).
   */
  validate(topic: string, payload: Buffer, authenticatedBooth: string | null, receivedAt: number): DeviceMessage | Rejection {
    const parts = topic.split('/');
    if (parts.length !== 4 || parts[0] !== 'booth') {
      return reject(
        'topic-outside-contract',
        `topic ${quoteDeviceText(topic)} is not booth/{booth}/{device}/{telemetry|status|meta}`,
        authenticatedBooth,
        null,
      );
    }
    const [, booth = '', device = '', leaf = ''] = parts;
    if (!ID_PATTERN.test(booth))
      return reject('bad-booth-id', `booth id ${quoteDeviceText(booth)} does not match ${ID_PATTERN.source}`, authenticatedBooth, null);
    if (authenticatedBooth !== null && booth !== authenticatedBooth) {
      return reject('wrong-booth', `publisher is authenticated as booth ${authenticatedBooth}`, authenticatedBooth, null);
    }
    if (!ID_PATTERN.test(device)) return reject('bad-device-id', `device id ${quoteDeviceText(device)} does not match ${ID_PATTERN.source}`, booth, null);
    if (leaf !== 'telemetry' && leaf !== 'status' && leaf !== 'meta') {
      return reject('topic-outside-contract', `unknown topic leaf ${quoteDeviceText(leaf)}; expected telemetry, status or meta`, booth, device);
    }
    if (payload.length > this.limits.maxPayloadBytes) {
      return reject('payload-too-large', `${payload.length} bytes; the limit is ${this.limits.maxPayloadBytes}`, booth, device);
    }
    if (payload.length === 0) return reject('empty-payload', 'the payload is empty', booth, device);
    let text: string;
    try {
      text = utf8.decode(payload);
    } catch {
      return reject('not-utf8', 'the payload is not valid UTF-8', booth, device);
    }
    if (leaf === 'status') return this.status(text, booth, device);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return reject('not-json', `not JSON: ${(error as Error).message.slice(0, 80)}`, booth, device);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return reject('not-an-object', `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`, booth, device);
    }
    return leaf === 'telemetry'
      ? this.telemetry(parsed as Record<string, unknown>, booth, device, receivedAt)
      : this.meta(parsed as Record<string, unknown>, booth, device);
  }

  private status(text: string, booth: string, device: string): StatusMessage | Rejection {
    const status = text.trim();
    if (status !== 'online' && status !== 'offline') {
      return reject('bad-status', `status must be "online" or "offline", got ${quoteDeviceText(status)}`, booth, device);
    }
    return { kind: 'status', booth, device, status };
  }

  private telemetry(body: Record<string, unknown>, booth: string, device: string, receivedAt: number): TelemetryMessage | Rejection {
    const keys = Object.keys(body);
    if (keys.length > this.limits.maxFields + 1) {
      return reject('too-many-fields', `${keys.length} fields; the limit is ${this.limits.maxFields} readings plus ts`, booth, device);
    }
    let ts = receivedAt;
    // A null prototype: a metric called "constructor" or "__proto__" stays plain data.
    const values: ReadingValues = Object.create(null) as ReadingValues;
    let count = 0;
    for (const key of keys) {
      const value = body[key];
      if (key === 'ts') {
        const parsedTs = this.timestamp(value, receivedAt);
        if (typeof parsedTs !== 'number') return reject(parsedTs.reason, parsedTs.detail, booth, device);
        ts = parsedTs;
        continue;
      }
      if (!METRIC_PATTERN.test(key)) {
        return reject('bad-metric-name', `metric name ${quoteDeviceText(key)} does not match ${METRIC_PATTERN.source}`, booth, device);
      }
      if (RESERVED_METRIC_NAMES.has(key)) {
        return reject('bad-metric-name', `metric name ${quoteDeviceText(key)} is reserved (${[...RESERVED_METRIC_NAMES].join(', ')})`, booth, device);
      }
      if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
        values[key] = value;
        count++;
        continue;
      }
      const shown =
        typeof value === 'number'
          ? String(value)
          : typeof value === 'string'
            ? quoteDeviceText(value)
            : Array.isArray(value)
              ? 'an array'
              : value === null
                ? 'null'
                : 'an object';
      return reject('bad-value', `${key}: expected a finite number or a boolean, got ${shown}`, booth, device);
    }
    // The early check allowed one extra key for ts; without ts that key was a reading.
    if (count > this.limits.maxFields) {
      return reject('too-many-fields', `${count} readings; the limit is ${this.limits.maxFields}`, booth, device);
    }
    if (count === 0) return reject('no-readings', 'the object holds no readings', booth, device);
    return { kind: 'telemetry', booth, device, ts, values };
  }

  /**
   * The native rules applied again to what an adapter made of a foreign publish (server/adapters):
   * ids, metric names, values, the number of readings, the timestamp's range and the meta text, so
   * a mapping mistake in an adapter cannot put anything into storage the native contract would refuse.
   */
  checkAdapted(message: DeviceMessage, receivedAt: number): DeviceMessage | Rejection {
    const { booth, device } = message;
    if (!ID_PATTERN.test(booth)) return reject('bad-booth-id', `booth id ${quoteDeviceText(booth)} does not match ${ID_PATTERN.source}`, null, null);
    if (!ID_PATTERN.test(device)) return reject('bad-device-id', `device id ${quoteDeviceText(device)} does not match ${ID_PATTERN.source}`, booth, null);
    switch (message.kind) {
      case 'status':
        return message.status === 'online' || message.status === 'offline' ? message : reject('bad-status', 'status must be online or offline', booth, device);
      case 'meta':
        return this.meta(message.meta as Record<string, unknown>, booth, device);
      case 'telemetry': {
        const verdict = this.telemetry({ ...message.values, ts: message.ts }, booth, device, receivedAt);
        return verdict;
      }
    }
  }

  /** Returns epoch ms, or why the timestamp is refused. */
  private timestamp(value: unknown, receivedAt: number): number | TimestampProblem {
    return readingTimestamp(value, receivedAt, this.limits);
  }

  private meta(body: Record<string, unknown>, booth: string, device: string): MetaMessage | Rejection {
    const meta: DeviceMeta = {};
    const bad = (detail: string): Rejection => reject('bad-meta', detail, booth, device);
    for (const [key, value] of Object.entries(body)) {
      switch (key) {
        case 'name':
        case 'firmware': {
          if (typeof value !== 'string' || value.trim() === '') return bad(`${key} must be a non-empty string`);
          meta[key] = cleanText(value, META_TEXT_MAX);
          break;
        }
        case 'kind': {
          if (typeof value !== 'string' || !DEVICE_KIND_PATTERN.test(value)) return bad(`kind must match ${DEVICE_KIND_PATTERN.source}`);
          meta.kind = value;
          break;
        }
        case 'intervalMs': {
          if (typeof value !== 'number' || !Number.isFinite(value) || value < 10 || value > 24 * 3600_000) {
            return bad('intervalMs must be a number of milliseconds between 10 and 86400000');
          }
          meta.intervalMs = Math.round(value);
          break;
        }
        case 'units': {
          const units = perMetric(value, (unit) => (typeof unit === 'string' ? cleanText(unit, UNIT_TEXT_MAX) : undefined));
          if (typeof units === 'string') return bad(`units: ${units}`);
          meta.units = units;
          break;
        }
        case 'expected': {
          const expected = perMetric(value, expectedRange);
          if (typeof expected === 'string') return bad(`expected: ${expected}`);
          meta.expected = expected;
          break;
        }
        case 'display': {
          // How each metric is shown (issue 12): checked entry by entry, so the refusal names the place.
          let problem: string | undefined;
          const display = perMetric(value, (entry) => {
            const read = readMetricDisplay(entry, cleanText);
            if (typeof read !== 'string') return read;
            problem ??= read;
            return undefined;
          });
          if (typeof display === 'string') return bad(`display: ${problem !== undefined ? display.replace(/invalid entry$/, problem) : display}`);
          meta.display = display;
          break;
        }
        default:
          // Unknown keys are ignored rather than refused, so newer firmware can describe more.
          break;
      }
    }
    return { kind: 'meta', booth, device, meta };
  }
}

export interface TimestampProblem {
  reason: 'bad-timestamp' | 'too-old';
  detail: string;
}

/**
 * A reading's timestamp as epoch ms (a number of ms, or ISO 8601 with a zone), or why it is refused:
 * the native contract's rule, shared with the adapters (server/adapters) so both refuse the same.
 */
export function readingTimestamp(value: unknown, receivedAt: number, limits: ValidatorLimits): number | TimestampProblem {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return bad(`ts must be a finite number, got ${String(value)}`);
    ms = Math.round(value);
  } else if (typeof value === 'string') {
    const parsed = isoTimestamp(value);
    if (parsed === 'not-iso') return bad('ts must be epoch milliseconds or an ISO 8601 string with a time zone');
    if (parsed === 'no-such-date') return bad(`ts ${quoteDeviceText(value)} is not a date that exists`);
    ms = parsed;
  } else {
    return bad('ts must be epoch milliseconds or an ISO 8601 string with a time zone');
  }
  if (ms < limits.minTimestamp) {
    return bad(`ts ${ms} is before 2000-01-01: send epoch milliseconds (seconds or uptime are not accepted)`);
  }
  if (ms > receivedAt + limits.maxFutureSkewMs) {
    return bad(`ts is ${Math.round((ms - receivedAt) / 1000)} s ahead of the server clock`);
  }
  if (ms < receivedAt - limits.maxAgeMs) {
    const hours = (receivedAt - ms) / 3600_000;
    return {
      reason: 'too-old',
      detail: `ts is ${hours < 48 ? `${Math.round(hours)} hours` : `${Math.round(hours / 24)} days`} old; readings older than ${formatHours(limits.maxAgeMs)} are not stored`,
    };
  }
  return ms;
}

/** A module function, not a closure in readingTimestamp: that runs for every reading. */
function bad(detail: string): TimestampProblem {
  return { reason: 'bad-timestamp', detail };
}

/** ISO 8601 with a zone as epoch ms, by the native contract's rule (a zone is required; impossible dates are refused). */
export function isoTimestamp(text: string): number | 'not-iso' | 'no-such-date' {
  const fields = ISO_8601.exec(text);
  if (fields === null) return 'not-iso';
  if (!isCalendarDate(fields)) return 'no-such-date';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 'no-such-date' : ms;
}

/**
 * Whether the written calendar fields name a real instant: Date.parse rolls impossible fields
 * over (2026-02-31 becomes 3 March), which would store a reading days away from when it was taken.
 * Fields: [, year, month, day, hour, minute, second?, offsetHours?, offsetMinutes?].
 */
function isCalendarDate(fields: RegExpExecArray): boolean {
  const [, year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = fields.map((f) =>
    f === undefined ? undefined : Number(f),
  );
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC maps years 0–99 to 1900–1999; such years are refused later (before 2000) anyway.
  return (
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

function formatHours(ms: number): string {
  const hours = ms / 3600_000;
  return Number.isInteger(hours) ? `${hours} h` : `${hours.toFixed(1)} h`;
}

/** Strips control characters (they would reorder or hide text on a wall) and bounds the length. */
function cleanText(text: string, max: number): string {
  return text.replace(INVISIBLE_CHARACTERS, '').trim().slice(0, max);
}

function perMetric<T>(value: unknown, convert: (entry: unknown) => T | undefined): Record<string, T> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object keyed by metric name';
  const entries = Object.entries(value);
  if (entries.length > MAX_READINGS_PER_MESSAGE) return `at most ${MAX_READINGS_PER_MESSAGE} metrics`;
  const result = Object.create(null) as Record<string, T>;
  for (const [metric, entry] of entries) {
    if (!METRIC_PATTERN.test(metric)) return `metric name ${quoteDeviceText(metric)} does not match ${METRIC_PATTERN.source}`;
    const converted = convert(entry);
    if (converted === undefined) return `${metric}: invalid entry`;
    result[metric] = converted;
  }
  return result;
}

function expectedRange(entry: unknown): { min?: number; max?: number } | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { min, max } = entry as { min?: unknown; max?: unknown };
  const range: { min?: number; max?: number } = {};
  if (min !== undefined) {
    if (typeof min !== 'number' || !Number.isFinite(min)) return undefined;
    range.min = min;
  }
  if (max !== undefined) {
    if (typeof max !== 'number' || !Number.isFinite(max)) return undefined;
    range.max = max;
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) return undefined;
  return range;
}
