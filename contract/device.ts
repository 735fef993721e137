/**
 * The device-facing MQTT contract, shared by the broker, the server and the simulators.
 * docs/devices.md documents the same rules for exhibitors; keep the two in step.
 */

import { readMetricDisplay, type MetricDisplay } from './metricDisplay';

/** Booth and device ids: safe in MQTT topics, InfluxDB tags, URLs and HTML without escaping tricks. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Metric names become InfluxDB field keys, so they are allow-listed rather than escaped. */
export const METRIC_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** A device's meta.kind; dashboards select devices by it, so both sides check the same rule. */
export const DEVICE_KIND_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/**
 * Names METRIC_PATTERN allows that InfluxDB cannot store as fields: influxd drops a point with a
 * field called "time", and a field named like a tag makes `WHERE "booth" = '…'` compare the field,
 * which empties history for every device in the shard.
 */
export const RESERVED_METRIC_NAMES: ReadonlySet<string> = new Set(['time', 'booth', 'device', 'kind']);

export function isMetricName(name: string): boolean {
  return METRIC_PATTERN.test(name) && !RESERVED_METRIC_NAMES.has(name);
}

/**
 * Characters that can hide, reorder or break text on a screen: C0 and C1 controls, line and
 * paragraph separators, bidi overrides and isolates. Meta text loses them at ingest; payload samples
 * and console names have them removed or replaced before they are shown. Global: use with replace().
 */
// eslint-disable-next-line no-control-regex
export const INVISIBLE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export const MAX_PAYLOAD_BYTES = 16 * 1024;
export const MAX_READINGS_PER_MESSAGE = 64;

export type TopicKind = 'telemetry' | 'status' | 'meta';
export const TOPIC_KINDS: readonly TopicKind[] = ['telemetry', 'status', 'meta'];

export function deviceTopic(boothId: string, deviceId: string, kind: TopicKind): string {
  return `booth/${boothId}/${deviceId}/${kind}`;
}

export function boothTopicPrefix(boothId: string): string {
  return `booth/${boothId}/`;
}

export type DeviceStatus = 'online' | 'offline';

/**
 * A table keyed by device-chosen names (metric → unit, metric → range, metric → value). On the
 * wire it is a plain JSON object; in memory it may be one too, and then `table['constructor']` or
 * `'toString' in table` answers with Object.prototype's functions, not the device's data. Read it
 * only through `ownValue` (or `unitOf` / `expectedRangeOf`); build it with `Object.create(null)`.
 */
export type NamedTable<T> = Record<string, T>;

export interface ExpectedRange {
  min?: number;
  max?: number;
}

/** What a device may say about itself on `booth/{booth}/{device}/meta` (retained). */
export interface DeviceMeta {
  name?: string;
  kind?: string;
  firmware?: string;
  /** Unit per metric, e.g. { temperature: '°C' }. Look up with `unitOf`. */
  units?: NamedTable<string>;
  /** Expected range per metric; readings outside it raise an alarm on the wall. Look up with `expectedRangeOf`. */
  expected?: NamedTable<ExpectedRange>;
  /** How often the device publishes telemetry, in ms; lets the wall tell "quiet" from "stale". */
  intervalMs?: number;
  /** How each metric is shown: label (en/zh), unit, decimals, value words, order (contract/metricDisplay.ts). */
  display?: NamedTable<MetricDisplay>;
}

/** Metric name → value. Booleans are kept as booleans on the live path and stored as 0/1. Look up with `ownValue`. */
export type ReadingValues = NamedTable<number | boolean>;

/**
 * The entry a device gave for `name`, never one inherited from Object.prototype: a metric called
 * "constructor" must not find `Object` (issue 9: walls threw on `units.constructor.trim`).
 */
export function ownValue<T>(table: Readonly<NamedTable<T>> | null | undefined, name: string): T | undefined {
  if (typeof table !== 'object' || table === null || !Object.hasOwn(table, name)) return undefined;
  return table[name];
}

/** The unit a device declared for `metric`; undefined when none, or when what arrived is not text. */
export function unitOf(meta: Pick<DeviceMeta, 'units'> | undefined, metric: string): string | undefined {
  const unit: unknown = ownValue<unknown>(meta?.units, metric);
  return typeof unit === 'string' ? unit : undefined;
}

/** The range a device declared for `metric`, with only finite bounds kept; undefined when none. */
export function expectedRangeOf(meta: Pick<DeviceMeta, 'expected'> | undefined, metric: string): ExpectedRange | undefined {
  return asExpectedRange(ownValue<unknown>(meta?.expected, metric));
}

/**
 * Meta as it arrived over the wire (a page's socket.io or fetch JSON), copied into a shape that is
 * safe to look names up in: null-prototype tables, text where text is promised, finite bounds.
 * The server validates meta at ingest already; pages repeat the cheap part because a plain object
 * is a plain object again once it has been through JSON.
 */
export function metaAsData(raw: unknown): DeviceMeta {
  const meta: DeviceMeta = {};
  if (typeof raw !== 'object' || raw === null) return meta;
  const source = raw as Record<string, unknown>;
  for (const key of ['name', 'kind', 'firmware'] as const) {
    const value = ownValue(source, key);
    if (typeof value === 'string') meta[key] = value;
  }
  const intervalMs = ownValue(source, 'intervalMs');
  if (typeof intervalMs === 'number' && Number.isFinite(intervalMs)) meta.intervalMs = intervalMs;
  const units = dataTable(ownValue(source, 'units'), (unit) => (typeof unit === 'string' ? unit : undefined));
  if (units) meta.units = units;
  const expected = dataTable(ownValue(source, 'expected'), asExpectedRange);
  if (expected) meta.expected = expected;
  // An entry the server would have refused is left out here, not the whole display.
  const display = displayTableAsData(ownValue(source, 'display'));
  if (display) meta.display = display;
  return meta;
}

/**
 * A metric → display table as it arrived in a page (meta.display, the dashboard's metricDisplay):
 * null-prototype, with entries the server would have refused left out rather than the whole table.
 */
export function displayTableAsData(raw: unknown): NamedTable<MetricDisplay> | undefined {
  return dataTable(raw, (entry) => {
    const read = readMetricDisplay(entry, cleanDisplayText);
    return typeof read === 'string' ? undefined : read;
  });
}

function cleanDisplayText(text: string, max: number): string {
  return text.replace(INVISIBLE_CHARACTERS, '').trim().slice(0, max);
}

/** A null-prototype copy of a name-keyed JSON object, keeping the entries `convert` accepts. */
export function dataTable<T>(raw: unknown, convert: (entry: unknown) => T | undefined): NamedTable<T> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const table = Object.create(null) as NamedTable<T>;
  for (const [name, entry] of Object.entries(raw)) {
    const converted = convert(entry);
    if (converted !== undefined) table[name] = converted;
  }
  return table;
}

function asExpectedRange(raw: unknown): ExpectedRange | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const min = ownValue(raw as Record<string, unknown>, 'min');
  const max = ownValue(raw as Record<string, unknown>, 'max');
  const range: ExpectedRange = {};
  if (typeof min === 'number' && Number.isFinite(min)) range.min = min;
  if (typeof max === 'number' && Number.isFinite(max)) range.max = max;
  return range;
}
