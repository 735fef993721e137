/**
 * Sparkplug B metric values as numbers a reading can hold. Datatype numbers and the protobuf field
 * each type travels in are from the Sparkplug 3.0 spec, Payloads chapter, "Datatype Details"
 * (Int8–Int32, UInt8–UInt32 in `int_value` (uint32); Int64, UInt64, DateTime in `long_value`
 * (uint64)). Eclipse Tahu's JavaScript encoder (sparkplug-payload 1.0.3) puts UInt32 in
 * `long_value` instead, so any integer type is read from whichever of the two is set.
 */

/** The decoded shape of a 64-bit protobuf field: protobufjs gives a `Long` (or a number when it can). */
export interface LongLike {
  low: number;
  high: number;
}

export type IntegerReading = { ok: true; value: number } | { ok: false; detail: string };

const TWO_32 = 4294967296;

export function isLongLike(raw: unknown): raw is LongLike {
  return typeof raw === 'object' && raw !== null && typeof (raw as Partial<LongLike>).low === 'number' && typeof (raw as Partial<LongLike>).high === 'number';
}

/**
 * A 64-bit integer as a JS number, or why not: beyond ±(2^53 − 1) a double would silently store a
 * neighbouring integer, so such a value is refused (counted) rather than stored wrong. Exactness:
 * high·2^32 is exact for any 32-bit high word, and any true value of 2^53 or more rounds to a
 * double of 2^53 or more, so Number.isSafeInteger on the sum never lets an unsafe value through.
 */
export function longToSafeNumber(raw: unknown, signed: boolean): IntegerReading {
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
  } else if (isLongLike(raw)) {
    const high = signed ? raw.high | 0 : raw.high >>> 0;
    value = high * TWO_32 + (raw.low >>> 0);
  } else {
    return { ok: false, detail: 'not an integer' };
  }
  if (!Number.isSafeInteger(value)) return { ok: false, detail: `${signed ? 'signed' : 'unsigned'} 64-bit value beyond 2^53` };
  return { ok: true, value };
}

/** Sparkplug datatype numbers (spec, Payloads chapter, DataType enum). */
export const DATATYPE = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
} as const;

const DATATYPE_NAMES = new Map<number, string>(Object.entries(DATATYPE).map(([name, code]) => [code, name]));

export function datatypeName(code: number): string {
  if (DATATYPE_NAMES.has(code)) return DATATYPE_NAMES.get(code) ?? String(code);
  if (code === 20) return 'PropertySet';
  if (code === 21) return 'PropertySetList';
  if (code >= 22 && code <= 34) return 'Array';
  return `unknown datatype ${code}`;
}

/** The oneof fields of a decoded Metric that can carry a number (the rest stay unread). */
export interface MetricValueFields {
  intValue?: number | null;
  longValue?: unknown;
  floatValue?: number | null;
  doubleValue?: number | null;
  booleanValue?: boolean | null;
}

export type MetricReading =
  | { kind: 'value'; value: number }
  | { kind: 'null' }
  /** String, DataSet, Template, Bytes, DateTime, arrays: no reading for a chart. */
  | { kind: 'not-a-reading'; detail: string }
  | { kind: 'bad'; detail: string };

function fromInt32(raw: number, datatype: number): number {
  switch (datatype) {
    // Signed types travel as uint32: an encoder may send -1 as 0xFF (8 bits) or 0xFFFFFFFF (32 bits); both read back as -1.
    case DATATYPE.Int8:
      return ((raw & 0xff) << 24) >> 24;
    case DATATYPE.Int16:
      return ((raw & 0xffff) << 16) >> 16;
    case DATATYPE.Int32:
      return raw | 0;
    case DATATYPE.Int64:
      return raw | 0;
    default:
      return raw >>> 0;
  }
}

/** The value of one metric whose datatype came from its BIRTH (DATA messages need not repeat it). */
export function readMetricValue(metric: MetricValueFields & { isNull?: boolean }, datatype: number): MetricReading {
  if (metric.isNull === true) return { kind: 'null' };
  switch (datatype) {
    case DATATYPE.Int8:
    case DATATYPE.Int16:
    case DATATYPE.Int32:
    case DATATYPE.Int64:
    case DATATYPE.UInt8:
    case DATATYPE.UInt16:
    case DATATYPE.UInt32:
    case DATATYPE.UInt64: {
      const signed = datatype <= DATATYPE.Int64;
      if (typeof metric.intValue === 'number') return { kind: 'value', value: fromInt32(metric.intValue, datatype) };
      if (metric.longValue !== null && metric.longValue !== undefined) {
        const read = longToSafeNumber(metric.longValue, signed);
        return read.ok ? { kind: 'value', value: read.value } : { kind: 'bad', detail: read.detail };
      }
      return { kind: 'null' };
    }
    case DATATYPE.Float:
    case DATATYPE.Double: {
      const value = datatype === DATATYPE.Float ? metric.floatValue : metric.doubleValue;
      if (typeof value !== 'number') return { kind: 'null' };
      return Number.isFinite(value) ? { kind: 'value', value } : { kind: 'bad', detail: `${String(value)} is not a finite number` };
    }
    case DATATYPE.Boolean:
      if (typeof metric.booleanValue !== 'boolean') return { kind: 'null' };
      return { kind: 'value', value: metric.booleanValue ? 1 : 0 };
    default:
      return { kind: 'not-a-reading', detail: datatypeName(datatype) };
  }
}
