/**
 * What a KPI panel's number is: the period it covers, the InfluxQL that computes it, and the same
 * rule over the live window when there is no InfluxDB. Pure; KpiReader caches and runs it.
 *
 * Per device first, then across devices: "kWh charged today" over ten chargers is the sum of each
 * charger's increase, never the increase of their readings mixed together.
 */
import type { KpiAggregate, KpiPeriod } from '../../contract/dashboard';
import { quoteIdentifier, quoteString } from '../store/historyQuery';
import { MEASUREMENT } from '../store/telemetryLine';

export interface KpiSelection {
  metric: string;
  aggregate: KpiAggregate;
  booths: readonly string[];
  devices?: readonly string[];
  deviceKind?: string;
}

const HOUR_MS = 3_600_000;

/** Start of the period ending at `now`; `today` begins at midnight in `timeZone` (DST-aware). */
export function periodStart(period: KpiPeriod, now: number, timeZone: string): number {
  if (period === 'last-hour') return now - HOUR_MS;
  if (period === 'last-24h') return now - 24 * HOUR_MS;
  const { year, month, day } = zonedParts(now, timeZone);
  // Midnight's offset may differ from now's (a DST change at 02:00): settle it at midnight itself.
  let guess = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 2; i++) guess = Date.UTC(year, month - 1, day) - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** Wall-clock time in `timeZone` minus UTC, at instant `t`. */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

function zonedParts(t: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(t);
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: value('year'), month: value('month'), day: value('day'), hour: value('hour'), minute: value('minute'), second: value('second') };
}

/**
 * One statement, answering one row with column "value". `increase` sums the positive steps of each
 * device's counter (non_negative_difference), so a counter that restarts at 0 after a reboot does
 * not count as a huge negative charge; the step from the last reading before the period into it is
 * not counted.
 */
export function buildKpiQuery(selection: KpiSelection, from: number, to: number): string {
  const field = quoteIdentifier(selection.metric);
  const where = `WHERE ${filterOf(selection)} AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms`;
  const source = quoteIdentifier(MEASUREMENT);
  const perDevice = 'GROUP BY "booth", "device"';
  switch (selection.aggregate) {
    case 'increase':
      return `SELECT sum("step") AS "value" FROM (SELECT non_negative_difference(${field}) AS "step" FROM ${source} ${where} ${perDevice})`;
    case 'last':
      return `SELECT sum("latest") AS "value" FROM (SELECT last(${field}) AS "latest" FROM ${source} ${where} ${perDevice})`;
    case 'mean':
      // The count lets KpiReader weigh booths' means when it combines them (readEach).
      return `SELECT mean(${field}) AS "value", count(${field}) AS "count" FROM ${source} ${where}`;
    case 'sum':
    case 'max':
    case 'min':
      return `SELECT ${selection.aggregate}(${field}) AS "value" FROM ${source} ${where}`;
  }
}

function filterOf(selection: KpiSelection): string {
  const anyOf = (tag: string, values: readonly string[]) => `(${values.map((v) => `${quoteIdentifier(tag)} = ${quoteString(v)}`).join(' OR ')})`;
  const parts = [anyOf('booth', selection.booths)];
  if (selection.devices && selection.devices.length > 0) parts.push(anyOf('device', selection.devices));
  if (selection.deviceKind !== undefined) parts.push(anyOf('kind', [selection.deviceKind]));
  return parts.join(' AND ');
}

/** The same rule over points in memory: one device's [ts, value] lists, oldest first. */
export function aggregateDevices(aggregate: KpiAggregate, devices: readonly { values: readonly number[] }[]): number | null {
  const withData = devices.filter((d) => d.values.length > 0);
  if (withData.length === 0) return null;
  const all = withData.flatMap((d) => d.values);
  switch (aggregate) {
    case 'increase':
      return withData.reduce((total, d) => total + positiveSteps(d.values), 0);
    case 'last':
      return withData.reduce((total, d) => total + (d.values.at(-1) ?? 0), 0);
    case 'sum':
      return all.reduce((a, b) => a + b, 0);
    case 'mean':
      return all.reduce((a, b) => a + b, 0) / all.length;
    case 'max':
      return all.reduce((a, b) => Math.max(a, b), -Infinity);
    case 'min':
      return all.reduce((a, b) => Math.min(a, b), Infinity);
  }
}

function positiveSteps(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const step = (values[i] as number) - (values[i - 1] as number);
    if (step > 0) total += step;
  }
  return total;
}
