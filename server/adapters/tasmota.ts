/**
 * Stock Tasmota (docs: tasmota.github.io/docs/MQTT/, sensor pages; source: tasmota/xdrv_12_discovery.ino).
 *
 * - `tele/<topic>/SENSOR`, `tele/<topic>/STATE` and `stat/<topic>/RESULT`: nested JSON, every numeric
 *   leaf a reading named by its path (`BME280.Temperature` → `bme280_temperature`); `ON`/`OFF` → 1/0;
 *   text (`Uptime`, `SSId`) is dropped with a counted `not-a-reading`, the rest of the message lands.
 * - `tele/<topic>/LWT` `Online`/`Offline` (Tasmota's will, retained) → presence.
 * - `stat/<topic>/POWER[n]` `ON`/`OFF` → reading `power[n]`.
 * - `tele/<topic>/INFO1` and the retained `tasmota/discovery/<mac>/config` → meta: name (`dn`, or the
 *   first friendly name `fn`), kind from the model (`md`), firmware (`sw`). The config also gives the
 *   device's FullTopic (`ft`) and prefixes (`tp`), so a custom layout such as `%topic%/%prefix%/` is
 *   read by the same rules once the device has announced itself; before that, a `%topic%` layout with
 *   the default prefixes is recognised by its shape (customFullTopic).
 *
 * `Time`: Tasmota writes local time without a zone unless `SetOption52 1` adds one. A zoned `Time` is
 * used; a bare one is not guessed at (the server cannot know the device's zone, and a wrong guess
 * shifts readings by hours): the reading is stamped with the time it arrived, which for telemetry a
 * device sends as it measures is off by the network delay only.
 */
import { isoTimestamp } from '../ingest/TelemetryValidator';
import type { DeviceAdapter, RawPublish, AdapterResult } from './DeviceAdapter';
import { AdapterOutput, ownObject, ownText, payloadObject, payloadText, plainReading } from './AdapterOutput';
import { mappedDeviceId } from './deviceNames';

/** Custom layouts remembered per booth from discovery configs; past it the oldest is forgotten. */
export const MAX_LEARNED_LAYOUTS = 256;

const TEMPERATURE_UNITS = new Map([
  ['C', '°C'],
  ['F', '°F'],
  ['K', 'K'],
]);
/** Units of Tasmota's common leaf names (docs: Sensor pages, "Energy" and "Status" JSON). */
const LEAF_UNITS = new Map<string, string>([
  ['humidity', '%'],
  ['illuminance', 'lx'],
  ['co2', 'ppm'],
  ['eco2', 'ppm'],
  ['tvoc', 'ppb'],
  ['distance', 'cm'],
  ['voltage', 'V'],
  ['current', 'A'],
  ['power', 'W'],
  ['apparentpower', 'VA'],
  ['reactivepower', 'VAr'],
  ['total', 'kWh'],
  ['today', 'kWh'],
  ['yesterday', 'kWh'],
  ['frequency', 'Hz'],
  ['uptimesec', 's'],
  ['rssi', '%'],
  ['signal', 'dBm'],
]);
/** Top-level keys that describe the message, not a reading. */
const ENVELOPE_KEYS = new Set(['Time', 'TempUnit', 'PressureUnit', 'SpeedUnit', 'Epoch']);

/**
 * What of `tele/<topic>/STATE` is a reading: relay and light state, and the Wi-Fi signal (the console's
 * signal column). The rest is Tasmota's own housekeeping (uptime, heap, sleep, load average, MQTT
 * counters, SSID): published every TelePeriod before SENSOR, it would fill a tile's metric places
 * ahead of the sensor readings, and its text fields would be refused every TelePeriod. Left out, not
 * refused: it is not bad input.
 */
const STATE_READING = /^(POWER\d*|Dimmer|CT|White|Fade|Speed)$/;
const STATE_WIFI_READINGS = new Set(['RSSI', 'Signal']);

function skipStateKey(key: string, depth: number): boolean {
  if (depth === 0) return !(STATE_READING.test(key) || key === 'Wifi') || ENVELOPE_KEYS.has(key);
  return !STATE_WIFI_READINGS.has(key);
}

interface Learned {
  /** The device's %topic%: its id once mapped. */
  topic: string;
  kind: 'tele' | 'stat';
}

type Route = { family: 'tele' | 'stat'; topic: string; leaf: string } | { family: 'discovery' } | { family: 'sensors'; mac: string };

export class TasmotaAdapter implements DeviceAdapter {
  readonly name = 'tasmota' as const;
  /** Full-topic base (`tasmota/plug1/tele/`) → the device's topic; learnt from discovery configs. */
  private readonly learned = new Map<string, Learned>();
  /** MAC (from the discovery topic) → the device's topic, so `…/<mac>/sensors` finds its device; bounded like `learned`. */
  private readonly macs = new Map<string, string>();

  claims(topic: string): boolean {
    return this.route(topic) !== null;
  }

  /** Until the discovery config (`md`) or INFO1 (`Module`) names the model. */
  defaultKind(): string {
    return 'tasmota';
  }

  decode(publish: RawPublish): AdapterResult {
    const output = new AdapterOutput(publish.booth, this.name);
    const route = this.route(publish.topic);
    if (route === null) return output.result();
    if (route.family === 'discovery') {
      this.discovery(publish, output);
      return output.result();
    }
    if (route.family === 'sensors') {
      this.sensors(publish, route.mac, output);
      return output.result();
    }
    const device = mappedDeviceId(route.topic);
    if (device === null) {
      output.reject('bad-device-id', `Tasmota topic ${JSON.stringify(route.topic.slice(0, 40))} gives no usable device id`, null);
      return output.result();
    }
    if (route.family === 'tele' && route.leaf === 'LWT') {
      const text = payloadText(publish.payload, output, device);
      if (text === null) return output.result();
      const status = text.trim().toLowerCase();
      if (status === 'online' || status === 'offline') output.status(device, status);
      else output.reject('bad-status', `LWT must be Online or Offline, got ${JSON.stringify(text.slice(0, 40))}`, device);
      return output.result();
    }
    if (route.family === 'stat' && route.leaf !== 'RESULT') {
      const text = payloadText(publish.payload, output, device);
      if (text !== null) output.take(device, publish.receivedAt, [route.leaf], plainReading(text));
      return output.result();
    }
    const body = payloadObject(publish.payload, output, device);
    if (body === null) return output.result();
    if (route.leaf === 'INFO1') {
      const info = ownObject(body, 'Info1') ?? body;
      const model = ownText(info, 'Module');
      const version = ownText(info, 'Version');
      output.meta(device, { ...(model ? { kind: mappedDeviceId(model) ?? 'tasmota' } : {}), ...(version ? { firmware: `Tasmota ${version}` } : {}) });
      return output.result();
    }
    const ts = tasmotaTime(body, publish.receivedAt);
    const skip = route.leaf === 'STATE' ? skipStateKey : (key: string, depth: number) => depth === 0 && ENVELOPE_KEYS.has(key);
    output.flatten(device, ts, [], body, tasmotaUnits(body), skip);
    return output.result();
  }

  private route(topic: string): Route | null {
    const parts = topic.split('/');
    if (parts.length === 4 && parts[0] === 'tasmota' && parts[1] === 'discovery') {
      if (parts[3] === 'config') return { family: 'discovery' };
      if (parts[3] === 'sensors') return { family: 'sensors', mac: parts[2] ?? '' };
    }
    if (parts.length === 3) {
      const [family = '', deviceTopic = '', leaf = ''] = parts;
      if ((family === 'tele' || family === 'stat') && isLeafOf(family, leaf)) return { family, topic: deviceTopic, leaf };
    }
    const slash = topic.lastIndexOf('/');
    const learned = slash > 0 ? this.learned.get(topic.slice(0, slash + 1)) : undefined;
    if (learned) {
      const leaf = topic.slice(slash + 1);
      if (isLeafOf(learned.kind, leaf)) return { family: learned.kind, topic: learned.topic, leaf };
      return null;
    }
    return customFullTopic(parts);
  }

  /** xdrv_12_discovery.ino's config: `dn`, `fn`, `hn`, `mac`, `md`, `sw`, `t`, `ft`, `tp`. */
  private discovery(publish: RawPublish, output: AdapterOutput): void {
    // An empty retained payload clears the config (Tasmota does this when discovery is switched off).
    if (publish.payload.length === 0) return;
    const config = payloadObject(publish.payload, output, null);
    if (config === null) return;
    const topic = ownText(config, 't');
    const device = topic === undefined ? null : mappedDeviceId(topic);
    if (topic === undefined || device === null) {
      output.reject('bad-meta', 'the discovery config has no usable topic (t)', null);
      return;
    }
    const friendly = Object.hasOwn(config, 'fn') && Array.isArray(config.fn) && typeof config.fn[0] === 'string' ? config.fn[0] : undefined;
    const name = ownText(config, 'dn') ?? friendly;
    const model = ownText(config, 'md');
    const version = ownText(config, 'sw');
    output.meta(device, {
      ...(name ? { name } : {}),
      kind: (model ? mappedDeviceId(model) : null) ?? 'tasmota',
      ...(version ? { firmware: `Tasmota ${version}` } : {}),
    });
    this.learnLayout(config, topic);
    const mac = publish.topic.split('/')[2] ?? '';
    this.macs.delete(mac);
    this.macs.set(mac, topic);
    if (this.macs.size > MAX_LEARNED_LAYOUTS) this.macs.delete(this.macs.keys().next().value!);
  }

  /**
   * `tasmota/discovery/<mac>/sensors` (retained, beside the config): `{"sn":{…a SENSOR message…},"ver":1}`.
   * Its units go into the device's meta before the first SENSOR arrives; its values are left to SENSOR,
   * which carries them again every TelePeriod. Before the config has named the device it is ignored.
   */
  private sensors(publish: RawPublish, mac: string, output: AdapterOutput): void {
    const topic = this.macs.get(mac);
    const device = topic === undefined ? null : mappedDeviceId(topic);
    if (device === null || publish.payload.length === 0) return;
    const body = payloadObject(publish.payload, output, device);
    const snapshot = body === null ? undefined : ownObject(body, 'sn');
    if (snapshot === undefined) return;
    const units = new AdapterOutput(publish.booth, this.name);
    units.flatten(device, publish.receivedAt, [], snapshot, tasmotaUnits(snapshot), (key, depth) => depth === 0 && ENVELOPE_KEYS.has(key));
    for (const message of units.result().messages)
      if (message.kind === 'meta' && message.meta.units) for (const [metric, unit] of Object.entries(message.meta.units)) output.unit(device, metric, unit);
  }

  /** The literal bases of `ft` with the device's prefixes filled in, so a custom FullTopic is read like the default one. */
  private learnLayout(config: Record<string, unknown>, topic: string): void {
    const fullTopic = ownText(config, 'ft');
    if (fullTopic === undefined || fullTopic.length > 100) return; // Tasmota's FullTopic is at most 100 characters
    const prefixes = Object.hasOwn(config, 'tp') && Array.isArray(config.tp) ? config.tp : ['cmnd', 'stat', 'tele'];
    const mac = (ownText(config, 'mac') ?? '').replace(/[^0-9A-Fa-f]/g, '');
    const fill = (prefix: unknown): string | null => {
      if (typeof prefix !== 'string') return null;
      const base = fullTopic
        .replaceAll('%prefix%', prefix)
        .replaceAll('%topic%', topic)
        .replaceAll('%hostname%', ownText(config, 'hn') ?? '%')
        .replaceAll('%id%', mac.slice(-6).toUpperCase());
      return base.includes('%') || base.includes('+') || base.includes('#') ? null : base.endsWith('/') ? base : `${base}/`;
    };
    const stat = fill(prefixes[1]);
    const tele = fill(prefixes[2]);
    if (stat) this.remember(stat, { topic, kind: 'stat' });
    if (tele) this.remember(tele, { topic, kind: 'tele' });
  }

  private remember(base: string, learned: Learned): void {
    this.learned.delete(base);
    this.learned.set(base, learned);
    if (this.learned.size > MAX_LEARNED_LAYOUTS) this.learned.delete(this.learned.keys().next().value!);
  }

  /** For tests: how many custom layouts are remembered. */
  get learnedLayouts(): number {
    return this.learned.size;
  }
}

/** The last level of a Tasmota publish under its `tele` or `stat` prefix (docs/MQTT.md). */
function isLeafOf(family: 'tele' | 'stat', leaf: string): boolean {
  return family === 'tele' ? leaf === 'SENSOR' || leaf === 'STATE' || leaf === 'LWT' || leaf === 'INFO1' : leaf === 'RESULT' || /^POWER\d{0,2}$/.test(leaf);
}

/** Levels a custom FullTopic may have: Tasmota's FullTopic is at most 100 characters, so a deeper topic is no Tasmota's. */
const MAX_FULLTOPIC_LEVELS = 12;

/**
 * A custom FullTopic (docs/MQTT.md, "FullTopic": `%prefix%` and `%topic%` anywhere, e.g.
 * `devices/%topic%/%prefix%/`) read before, or without, the discovery config that spells it out:
 * Tasmota publishes its LWT `Online`, INFO1 and its first STATE/SENSOR as soon as it connects, and its
 * discovery config only seconds later (or never, when discovery is off). The shape: exactly one level
 * is the default `tele` or `stat` prefix and the last level is one of that prefix's leaves; the
 * device's %topic% is the level before the prefix when the prefix comes right before the leaf
 * (`…/%topic%/%prefix%/LEAF`), else the level right before the leaf (`%prefix%/…/%topic%/LEAF`).
 * Both agree with what the discovery config teaches (learnLayout) for %topic% layouts, so a device
 * keeps its id when its config arrives. Custom prefixes (`tp`) and %hostname%/%id% layouts are read
 * once the config has described them.
 */
function customFullTopic(parts: readonly string[]): Route | null {
  const n = parts.length;
  if (n < 4 || n > MAX_FULLTOPIC_LEVELS) return null;
  const prefixes = parts.flatMap((part, i) => (part === 'tele' || part === 'stat' ? [i] : []));
  if (prefixes.length !== 1) return null;
  const at = prefixes[0]!;
  const family = parts[at] as 'tele' | 'stat';
  const leaf = parts[n - 1] ?? '';
  if (at === n - 1 || !isLeafOf(family, leaf)) return null;
  const topic = at === n - 2 ? parts[n - 3] : parts[n - 2];
  return topic === undefined || topic === '' ? null : { family, topic, leaf };
}

/** The unit of each leaf of a SENSOR-shaped message, from its TempUnit and PressureUnit and Tasmota's fixed units. */
function tasmotaUnits(body: Record<string, unknown>): (path: readonly string[]) => string | undefined {
  const tempUnit = TEMPERATURE_UNITS.get(ownText(body, 'TempUnit') ?? '');
  const pressureUnit = ownText(body, 'PressureUnit');
  return (path) => {
    const leaf = (path[path.length - 1] ?? '').toLowerCase();
    // Numbered leaves (Temperature1) and three-phase arrays (Voltage[1]) keep their quantity's unit.
    const quantity = (/^\d+$/.test(leaf) ? (path[path.length - 2] ?? '').toLowerCase() : leaf).replace(/\d+$/, '');
    if (quantity === 'temperature' || quantity === 'dewpoint') return tempUnit;
    if (quantity === 'pressure' || quantity === 'seapressure') return pressureUnit;
    return LEAF_UNITS.get(quantity);
  };
}

/** A zoned `Time` (SetOption52 1) as epoch ms; else the receive time (see the module comment). */
function tasmotaTime(body: Record<string, unknown>, receivedAt: number): number {
  const time = ownText(body, 'Time');
  const ms = time === undefined ? 'not-iso' : isoTimestamp(time);
  return typeof ms === 'number' ? ms : receivedAt;
}
