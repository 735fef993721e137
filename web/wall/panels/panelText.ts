/**
 * Words panels share: how a device and a metric are named on the wall, and the note that says a
 * value is not current. Pure, so every panel names things the same way and the rules are tested.
 */
import { unitOf } from '../../../contract/device';
import type { Freshness } from '../freshness';
import { freshnessLabel } from '../freshness';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { LANGUAGE_SEPARATOR } from '../wallText';

/** The name a device gives itself, else its id: an empty or blank name must not leave a cell unlabelled. */
export function deviceName(device: Pick<DeviceState, 'device' | 'meta'>): string {
  return device.meta.name?.trim() || device.device;
}

/** Metric ids are snake_case for InfluxDB; people read words. */
export function metricLabel(metric: string): string {
  return metric.replaceAll('_', ' ');
}

/** Blank when the device declares none: a stray space must not push the number off centre. */
export function metricUnit(device: Pick<DeviceState, 'meta'>, metric: string): string {
  return unitOf(device.meta, metric)?.trim() ?? '';
}

/** "Connected car · speed kmh": the default title of a panel about one metric of one device. */
export function deviceMetricTitle(name: string, metric: string): string {
  return `${name}${LANGUAGE_SEPARATOR}${metricLabel(metric)}`;
}

/**
 * What a panel says under its title when its numbers are not current: "Stale · last update 2 min ago".
 * Empty while live, so healthy panels stay calm.
 */
export function freshnessNote(freshness: Freshness, ageMs: number | null, text: WallText): string {
  if (freshness === 'live') return '';
  const parts = [freshnessLabel(freshness, text)];
  if (ageMs !== null) parts.push(text.lastUpdate(ageMs));
  return parts.join(LANGUAGE_SEPARATOR);
}
