/**
 * Readings outside the range their device declares, as alarms for the strip every scene shows.
 * The alarm type is general on purpose: server-side alarms will be merged into the same list.
 */
import type { WallLanguage } from '../../../contract/dashboard';
import { expectedRangeOf } from '../../../contract/device';
import { fairShare } from '../fairShare';
import { assessFreshness } from '../freshness';
import { alarmLabel, formatReading, rangeAlarm, type RangeAlarm } from '../readingFormat';
import type { ChartSeries } from '../../shared/ChartSeries';
import type { DeviceState } from '../WallModel';
import { ENGLISH, LANGUAGE_SEPARATOR, type WallText } from '../wallText';
import type { AlarmCondition } from './alarmWords';
import { deviceName, metricUnit } from './panelText';

export type AlarmSeverity = 'critical' | 'warning';

export interface WallAlarm {
  /** Stable while the condition lasts, so the strip keeps its element (and its place). */
  readonly key: string;
  readonly severity: AlarmSeverity;
  /** Whose alarm it is: the strip shares its places between booths. */
  readonly booth?: string;
  readonly deviceName: string;
  readonly metric: string;
  /** The metric as the wall names it (web/shared/metricDisplay.ts), per language; absent: made from the id. */
  readonly metricLabels?: Readonly<Record<WallLanguage, string>>;
  /** What is wrong, ready to show, e.g. "▲ High 31.2 °C". */
  readonly text: string;
  /** Server time the condition began, when known. */
  readonly since?: number;
  /** What is wrong, for grouping on the strip (alarmGroups.ts); absent: a server rule of unknown kind. */
  readonly condition?: AlarmCondition;
  /** `${booth}/${device}`: one device counts once in a group, whoever raised its alarm. */
  readonly deviceKey?: string;
  /** What a group of this one alarm adds after its sentence: the value, its age, "acknowledged". */
  readonly detail?: string;
  /** Acknowledged by a technician (server rules only). */
  readonly acknowledged?: boolean;
}

/** A reading this far outside its range, as a share of the range, is critical rather than a warning. */
export const CRITICAL_EXCESS = 0.25;

/**
 * Every number metric whose latest value is outside its device's expected range, sorted for
 * showing. With `serverNow`, alarms of devices that are not live say how old their reading is:
 * the condition may have ended since, and a wall must not present an old value as current.
 */
export function collectRangeAlarms(model: { devices(): Iterable<DeviceState> }, text: WallText = ENGLISH, serverNow?: number): WallAlarm[] {
  const alarms: WallAlarm[] = [];
  for (const device of model.devices()) {
    const expected = device.meta.expected;
    if (!expected) continue;
    for (const metric of device.metrics.values()) {
      if (metric.kind !== 'number' || typeof metric.latest !== 'number') continue;
      const direction = rangeAlarm(metric.latest, expected, metric.name);
      if (!direction) continue;
      const range = expectedRangeOf(device.meta, metric.name) ?? {};
      const display = text.metric(metric.name, device.meta);
      const unit = metricUnit(device, metric.name, text);
      const value = [formatReading(metric.latest, 'number', text, display), unit].filter(Boolean).join(' ');
      const parts = [`${alarmLabel(direction, text)} ${value}`];
      const details = [value];
      if (serverNow !== undefined && device.lastSeen !== null && assessFreshness(device, serverNow) !== 'live') {
        parts.push(text.lastUpdate(serverNow - device.lastSeen));
        details.push(text.lastUpdate(serverNow - device.lastSeen));
      }
      const since = excursionStart(metric.series, direction, range);
      alarms.push({
        key: `range:${device.key}:${metric.name}`,
        severity: rangeSeverity(metric.latest, direction, range),
        booth: device.booth,
        deviceName: deviceName(device),
        metric: metric.name,
        metricLabels: text.metric(metric.name, device.meta).label,
        text: parts.join(LANGUAGE_SEPARATOR),
        ...(since !== undefined ? { since } : {}),
        condition: direction,
        deviceKey: device.key,
        detail: details.join(LANGUAGE_SEPARATOR),
      });
    }
  }
  return sortAlarms(alarms);
}

/**
 * The `limit` alarms a strip shows, in strip order. Booths take turns at the places (most severe
 * first within each), so a booth with hundreds of alarms cannot push another booth's one off a
 * shared wall (issue 9); with room for all, this is just the sorted list.
 */
export function alarmsToShow(alarms: readonly WallAlarm[], limit: number): WallAlarm[] {
  return sortAlarms(fairShare(sortAlarms(alarms), limit, (alarm) => alarm.booth ?? ''));
}

/** Critical first, then the newest, then by name so equal alarms keep their places. */
export function sortAlarms(alarms: readonly WallAlarm[]): WallAlarm[] {
  const rank = (a: WallAlarm) => (a.severity === 'critical' ? 0 : 1);
  return [...alarms].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.since ?? -Infinity) - (a.since ?? -Infinity) ||
      compare(a.deviceName, b.deviceName) ||
      compare(a.metric, b.metric) ||
      compare(a.key, b.key),
  );
}

export function rangeSeverity(value: number, direction: Exclude<RangeAlarm, null>, range: { min?: number; max?: number }): AlarmSeverity {
  const bound = direction === 'high' ? range.max : range.min;
  if (bound === undefined) return 'warning';
  const scale = range.min !== undefined && range.max !== undefined && range.max > range.min ? range.max - range.min : Math.max(Math.abs(bound), 1);
  return Math.abs(value - bound) / scale >= CRITICAL_EXCESS ? 'critical' : 'warning';
}

/**
 * When the series last went out of range in `direction` and stayed there; undefined when its
 * newest point is not out of range (the latest value came without a series point).
 */
export function excursionStart(
  series: Pick<ChartSeries, 'forEach'>,
  direction: Exclude<RangeAlarm, null>,
  range: { min?: number; max?: number },
): number | undefined {
  let start: number | undefined;
  series.forEach((ts, value) => {
    const outside = direction === 'high' ? range.max !== undefined && value > range.max : range.min !== undefined && value < range.min;
    if (!outside) start = undefined;
    else start ??= ts;
  });
  return start;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
