/**
 * Device-chosen names (Tasmota topics, Shelly prefixes, `BME280.Temperature`) mapped onto the native
 * patterns of contract/device.ts. Deterministic, so the same device always lands on the same id and
 * metric, and lowercase, so `Temperature` and `temperature` from two firmware versions are one series.
 */
import { ID_PATTERN, RESERVED_METRIC_NAMES, isMetricName } from '../../contract/device';

const NAME_MAX = 64;

/** `tasmota_A1B2C3` → `tasmota_a1b2c3`; null when nothing usable is left (the caller counts it). */
export function mappedDeviceId(raw: string): string | null {
  const id = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, NAME_MAX);
  return ID_PATTERN.test(id) ? id : null;
}

/**
 * `BME280.Temperature` → `bme280_temperature`; path parts are joined with `_`. A name that would
 * start with a digit gets `m_` in front, and a name InfluxDB reserves (`time`, `device`, …) gets
 * `_value` behind, rather than being refused: the device cannot be told to rename its fields.
 */
export function mappedMetricName(parts: readonly string[]): string | null {
  const key = parts.join('\u0000');
  const cached = metricNames.get(key);
  if (cached !== undefined) return cached;
  const name = mapMetricName(parts);
  // Devices repeat the same few dozen names every publish; the bound keeps invented names from growing it.
  if (metricNames.size >= METRIC_NAME_CACHE) metricNames.delete(metricNames.keys().next().value!);
  metricNames.set(key, name);
  return name;
}

/** Mapped names remembered process-wide, oldest forgotten first. */
export const METRIC_NAME_CACHE = 4096;
const metricNames = new Map<string, string | null>();

/** For tests: names remembered now. */
export function rememberedMetricNames(): number {
  return metricNames.size;
}

function mapMetricName(parts: readonly string[]): string | null {
  let name = parts
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') return null;
  if (!/^[a-z]/.test(name)) name = `m_${name}`;
  if (RESERVED_METRIC_NAMES.has(name)) name = `${name}_value`;
  name = name.slice(0, NAME_MAX).replace(/_+$/, '');
  return isMetricName(name) ? name : null;
}
