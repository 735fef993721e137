/**
 * Words panels share: how a device and a metric are named on the wall, and the note that says a
 * value is not current. Pure, so every panel names things the same way and the rules are tested.
 */
import type { DeviceMeta } from '../../../contract/device';
import type { Freshness } from '../freshness';
import { freshnessLabel } from '../freshness';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { ENGLISH, LANGUAGE_SEPARATOR } from '../wallText';

/** The name a device gives itself, else its id: an empty or blank name must not leave a cell unlabelled. */
export function deviceName(device: Pick<DeviceState, 'device' | 'meta'>): string {
  return device.meta.name?.trim() || device.device;
}

/**
 * A metric as people read it, in the wall's languages: the booth's override, the device's
 * meta.display, or a default made from the id ("J1 temp", "Battery"), never the id in capitals
 * (web/shared/metricDisplay.ts).
 */
export function metricLabel(metric: string, meta?: DeviceMeta, text: WallText = ENGLISH): string {
  return text.metricLabel(metric, meta);
}

/** Blank when there is none: a stray space must not push the number off centre. */
export function metricUnit(device: Pick<DeviceState, 'meta'>, metric: string, text: WallText = ENGLISH): string {
  return text.metricUnit(metric, device.meta);
}

/** "Connected car · Speed": the default title of a panel about one metric of one device. */
export function deviceMetricTitle(name: string, metric: string, text: WallText = ENGLISH, meta?: DeviceMeta): string {
  return `${name}${LANGUAGE_SEPARATOR}${metricLabel(metric, meta, text)}`;
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
