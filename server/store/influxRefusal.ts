/**
 * Reads what InfluxDB 1.x answered when it refused lines of a write (HTTP 400), and what a line
 * names, so refused lines can be told from good ones and counted against their booth and device.
 *
 * Measured on influxd 1.6.7 (test/integration/boothIsolation.storage.test.ts):
 * - `partial write: max-values-per-tag limit exceeded (5/5): measurement="telemetry" tag="device"
 *   value="d6" dropped=3`: the other lines of the batch ARE stored; the answer names only the first
 *   refused value, and `dropped` counts one shard's refusals only (the first shard to fail).
 * - `partial write: field type conflict: input field "v" on measurement "m" is type boolean, already
 *   exists as type float dropped=2`, `partial write: points beyond retention policy dropped=N`,
 *   `partial write: max-series-per-database limit exceeded: (N) dropped=M`: same shape, nothing named.
 * - `unable to parse '…': …`: a line protocol error.
 * So the answer never lists the refused lines: they are found by resending parts of the batch.
 */

/** Why InfluxDB refused a line, short and stable: a label for counters and the console. */
export type InfluxRefusalReason =
  'max-values-per-tag' | 'max-series-per-database' | 'field-type-conflict' | 'beyond-retention-policy' | 'unparsable-line' | 'refused';

export interface InfluxRefusal {
  reason: InfluxRefusalReason;
  /** InfluxDB's own words, bounded: shown to a technician. */
  detail: string;
  /** For max-values-per-tag: the one tag value InfluxDB named; every line carrying it is refused. */
  namedTag?: { measurement: string; key: string; value: string };
  /**
   * `dropped=N`: lines of ONE shard that were refused (the first shard to answer with an error), so
   * never more than were refused; N equal to the lines sent means all of them were.
   */
  dropped?: number;
}

const DROPPED = /\bdropped=(\d+)\s*$/;
const NAMED_TAG = /max-values-per-tag limit exceeded \([^)]*\): measurement="((?:[^"\\]|\\.)*)" tag="((?:[^"\\]|\\.)*)" value="((?:[^"\\]|\\.)*)"/;

/** `body` is the 400 answer's body (`{"error":"…"}`) or the X-Influxdb-Error header's text. */
export function readRefusal(body: string | undefined): InfluxRefusal {
  let text = body ?? '';
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') text = parsed.error;
  } catch {
    // Not JSON: a proxy's page, or the header text; used as it is.
  }
  const refusal: InfluxRefusal = { reason: reasonOf(text), detail: text.slice(0, 300) };
  const dropped = DROPPED.exec(text);
  if (dropped) refusal.dropped = Number(dropped[1]);
  const named = refusal.reason === 'max-values-per-tag' ? NAMED_TAG.exec(text) : null;
  if (named) refusal.namedTag = { measurement: unescape(named[1]!), key: unescape(named[2]!), value: unescape(named[3]!) };
  return refusal;
}

function reasonOf(text: string): InfluxRefusalReason {
  if (text.includes('max-values-per-tag limit exceeded')) return 'max-values-per-tag';
  if (text.includes('max-series-per-database limit exceeded')) return 'max-series-per-database';
  if (text.includes('field type conflict')) return 'field-type-conflict';
  if (text.includes('points beyond retention policy')) return 'beyond-retention-policy';
  if (text.includes('unable to parse')) return 'unparsable-line';
  return 'refused';
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

export interface LineSeries {
  measurement: string;
  /** Tag key → value, unescaped. */
  tags: Map<string, string>;
}

/**
 * The measurement and tags of one line protocol line: everything before the first unescaped space,
 * split on unescaped commas. Lines from elsewhere (alarm events) may escape; ours never need to.
 */
export function lineSeries(line: string): LineSeries {
  const end = seriesKey(line).length;
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < end; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < end) {
      part += line[++i];
    } else if (c === ',') {
      parts.push(part);
      part = '';
    } else {
      part += c;
    }
  }
  parts.push(part);
  const [measurement = '', ...tagParts] = parts;
  const tags = new Map<string, string>();
  for (const tag of tagParts) {
    const eq = tag.indexOf('=');
    if (eq > 0) tags.set(tag.slice(0, eq), tag.slice(eq + 1));
  }
  return { measurement, tags };
}

/** The series a line writes to (measurement and tags, as written): everything before the first unescaped space. */
export function seriesKey(line: string): string {
  let end = 0;
  while (end < line.length && line[end] !== ' ') end += line[end] === '\\' ? 2 : 1;
  return line.slice(0, Math.min(end, line.length));
}

/**
 * Reasons InfluxDB decides per series, not per line: every line of a series in one request shares
 * the verdict, so a refused series is refused whole without resending its lines one by one.
 */
export function refusesWholeSeries(reason: InfluxRefusalReason): boolean {
  return reason === 'max-values-per-tag' || reason === 'max-series-per-database';
}

/** Whether `line` carries the tag value InfluxDB named as refused. */
export function carriesNamedTag(line: string, named: NonNullable<InfluxRefusal['namedTag']>): boolean {
  const series = lineSeries(line);
  return series.measurement === named.measurement && series.tags.get(named.key) === named.value;
}
