/**
 * The generic adapter: a booth's `topicMaps` (server/config/adapterSettings.ts) for devices with a
 * fixed layout of their own, after Telegraf's mqtt_consumer `topic_parsing` with json paths. A map
 * names where the device id is in the topic (`+device`), which dotted paths of the JSON payload are
 * readings (each with its metric and unit), and optionally where the timestamp is. Paths are looked
 * up as own properties one part at a time: nothing in a payload or a setting is evaluated.
 */
import { isoTimestamp } from '../ingest/TelemetryValidator';
import type { TopicMapSetting } from '../config/adapterSettings';
import type { AdapterResult, DeviceAdapter, RawPublish } from './DeviceAdapter';
import { AdapterOutput, asReading, payloadObject } from './AdapterOutput';
import { mappedDeviceId } from './deviceNames';

interface CompiledMap {
  segments: string[];
  deviceAt: number;
  timestamp?: { path: string[]; unit: 's' | 'ms' | 'iso' };
  fields: { path: string[]; shown: string; metric: string; unit?: string }[];
}

/** The value at a dotted path, through own properties only; undefined when any part is missing. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let at: unknown = root;
  for (const part of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

export class TopicMapAdapter implements DeviceAdapter {
  readonly name = 'topic-map' as const;
  private readonly maps: CompiledMap[];

  constructor(settings: readonly TopicMapSetting[]) {
    this.maps = settings.map((setting) => {
      const segments = setting.topic.split('/');
      return {
        segments,
        deviceAt: segments.indexOf('+device'),
        ...(setting.timestamp ? { timestamp: { path: setting.timestamp.field.split('.'), unit: setting.timestamp.unit } } : {}),
        fields: Object.entries(setting.fields).map(([path, field]) => ({
          path: path.split('.'),
          shown: path,
          metric: field.metric,
          ...(field.unit ? { unit: field.unit } : {}),
        })),
      };
    });
  }

  claims(topic: string): boolean {
    return this.match(topic) !== undefined;
  }

  decode(publish: RawPublish): AdapterResult {
    const output = new AdapterOutput(publish.booth, this.name);
    const found = this.match(publish.topic);
    if (found === undefined) return output.result();
    const [map, rawDevice] = found;
    const device = mappedDeviceId(rawDevice);
    if (device === null) {
      output.reject('bad-device-id', `${JSON.stringify(rawDevice.slice(0, 40))} gives no usable device id`, null);
      return output.result();
    }
    const body = payloadObject(publish.payload, output, device);
    if (body === null) return output.result();
    let ts = publish.receivedAt;
    if (map.timestamp) {
      const stamped = stampOf(valueAt(body, map.timestamp.path), map.timestamp.unit);
      if (typeof stamped === 'string') {
        // Without a usable time the readings are stored at no time at all: refuse the message, like the native contract.
        output.reject('bad-timestamp', `${map.timestamp.path.join('.')}: ${stamped}`, device);
        return output.result();
      }
      ts = stamped;
    }
    for (const field of map.fields) {
      const value = valueAt(body, field.path);
      // A field a device leaves out is no error: layouts often send a subset.
      if (value === undefined) continue;
      output.takeMetric(device, ts, field.metric, asReading(value), field.unit);
    }
    return output.result();
  }

  private match(topic: string): [CompiledMap, string] | undefined {
    const parts = topic.split('/');
    for (const map of this.maps) {
      if (parts.length !== map.segments.length) continue;
      if (map.segments.every((segment, i) => segment === '+' || segment === '+device' || segment === parts[i])) {
        const device = parts[map.deviceAt] ?? '';
        if (device !== '') return [map, device];
      }
    }
    return undefined;
  }
}

/** Epoch ms from a timestamp field in `unit`, or why not; its range is checked by the native rule afterwards. */
function stampOf(value: unknown, unit: 's' | 'ms' | 'iso'): number | string {
  if (unit === 'iso') {
    if (typeof value !== 'string') return 'expected an ISO 8601 string with a time zone';
    const ms = isoTimestamp(value);
    return typeof ms === 'number' ? ms : `${JSON.stringify(value.slice(0, 40))} is not ISO 8601 with a time zone`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number of ${unit === 's' ? 'seconds' : 'milliseconds'}`;
  return Math.round(unit === 's' ? value * 1000 : value);
}
