/**
 * The device-facing MQTT contract, shared by the broker, the server and the simulators.
 * docs/devices.md documents the same rules for exhibitors; keep the two in step.
 */

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

/** What a device may say about itself on `booth/{booth}/{device}/meta` (retained). */
export interface DeviceMeta {
  name?: string;
  kind?: string;
  firmware?: string;
  /** Unit per metric, e.g. { temperature: '°C' }. */
  units?: Record<string, string>;
  /** Expected range per metric; readings outside it raise an alarm on the wall. */
  expected?: Record<string, { min?: number; max?: number }>;
  /** How often the device publishes telemetry, in ms; lets the wall tell "quiet" from "stale". */
  intervalMs?: number;
}

/** Metric name → value. Booleans are kept as booleans on the live path and stored as 0/1. */
export type ReadingValues = Record<string, number | boolean>;
