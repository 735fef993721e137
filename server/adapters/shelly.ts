/**
 * Stock Shelly firmware.
 *
 * Gen2/Gen3 (docs: shelly-api-docs.shelly.cloud/gen2/General/RPCChannels#mqtt and
 * /gen2/ComponentsAndServices/Mqtt): `<prefix>/status/<component:id>` carries a component's full
 * status as JSON; `<prefix>/events/rpc` carries `NotifyStatus` / `NotifyFullStatus` notifications
 * whose `params` hold `ts` (seconds, with a fraction) and partial component objects: only what
 * changed. A delta's fields are readings in their own right, so no earlier state is needed to store
 * them and none is kept. `<prefix>/online` is `true`/`false` (the will). The device id is the
 * prefix's last segment (default prefix: the device id, e.g. `shellyplus1pm-a8032ab12345`).
 *
 * Gen1 (docs: shelly-api-docs.shelly.cloud/gen1/#mqtt): fixed `shellies/<id>/…` topics with plain
 * values (`relay/0` `on`, `relay/0/power` `12.5`, `sensor/temperature` `21.25`), `shellies/<id>/online`
 * `true`/`false`, and `shellies/announce` JSON (`id`, `model`, `fw_ver`) as meta.
 */
import type { AdapterResult, DeviceAdapter, RawPublish } from './DeviceAdapter';
import { AdapterOutput, ownObject, ownText, payloadObject, payloadText, plainReading } from './AdapterOutput';
import { mappedDeviceId } from './deviceNames';

/** Units by the last key of a path (Gen2 component fields, Gen1 topic leaves). */
const UNITS = new Map<string, string>([
  ['apower', 'W'],
  ['power', 'W'],
  ['voltage', 'V'],
  ['current', 'A'],
  ['freq', 'Hz'],
  ['total', 'Wh'],
  ['total_returned', 'Wh'],
  ['by_minute', 'mWh'],
  ['energy', 'Wmin'], // Gen1 relay energy counts watt-minutes
  ['tc', '°C'],
  ['tf', '°F'],
  ['temperature', '°C'],
  ['temperature_f', '°F'], // Gen1 shellies/<id>/temperature_f
  ['rh', '%'],
  ['humidity', '%'],
  ['percent', '%'],
  ['battery', '%'],
  ['lux', 'lx'],
  ['rssi', 'dBm'],
]);
/** Keys of a Gen2 component status that label it rather than measure: its index and what caused the change… */
const LABEL_KEYS = new Set(['id', 'source']);
/** …and, at any depth, the timestamp of `aenergy.by_minute`. */
const isLabel = (key: string, depth: number): boolean => (depth === 1 && LABEL_KEYS.has(key)) || key === 'minute_ts';
const COMPONENT = /^[a-z0-9_]+(:\d{1,5})?$/;

function unitOf(path: readonly string[]): string | undefined {
  const leaf = (/^\d+$/.test(path[path.length - 1] ?? '') ? path[path.length - 2] : path[path.length - 1]) ?? '';
  return UNITS.get(leaf.toLowerCase());
}

/** `shellyplus1pm-a8032ab12345` → kind `shellyplus1pm`; another prefix → `shelly`. */
function kindOf(deviceId: string): string {
  const model = /^(shelly[a-z0-9]*)-/.exec(deviceId)?.[1];
  return model ?? 'shelly';
}

export class ShellyAdapter implements DeviceAdapter {
  readonly name = 'shelly' as const;

  claims(topic: string): boolean {
    const parts = topic.split('/');
    if (parts[0] === 'shellies') return parts.length >= 2 && !parts.some((p) => p === 'command' || p === 'info' || p === '');
    const n = parts.length;
    if (n >= 3 && parts[n - 2] === 'status' && COMPONENT.test(parts[n - 1] ?? '')) return true;
    if (n >= 3 && parts[n - 2] === 'events' && parts[n - 1] === 'rpc') return true;
    return n >= 2 && parts[n - 1] === 'online';
  }

  /** The model in the device id (`shelly1pm-…` → `shelly1pm`) until Gen1's announce names it (`model`). */
  defaultKind(device: string): string {
    return kindOf(device);
  }

  decode(publish: RawPublish): AdapterResult {
    const output = new AdapterOutput(publish.booth, this.name);
    const parts = publish.topic.split('/');
    if (parts[0] === 'shellies') this.gen1(publish, parts, output);
    else this.gen2(publish, parts, output);
    return output.result();
  }

  private gen2(publish: RawPublish, parts: string[], output: AdapterOutput): void {
    const n = parts.length;
    const tail = parts[n - 1] === 'online' ? 1 : 2;
    const device = mappedDeviceId(parts[n - tail - 1] ?? '');
    if (device === null) {
      output.reject('bad-device-id', 'the topic prefix gives no usable device id', null);
      return;
    }
    if (tail === 1) {
      this.online(publish, device, output);
      return;
    }
    const body = payloadObject(publish.payload, output, device);
    if (body === null) return;
    output.meta(device, { kind: kindOf(device) });
    if (parts[n - 2] === 'status') {
      output.flatten(device, publish.receivedAt, [parts[n - 1] ?? ''], body, unitOf, isLabel);
      return;
    }
    const method = ownText(body, 'method');
    // NotifyEvent (button pushes) and RPC replies carry no readings.
    if (method !== 'NotifyStatus' && method !== 'NotifyFullStatus') return;
    const params = ownObject(body, 'params');
    if (params === undefined) {
      output.reject('not-an-object', `${method} without params`, device);
      return;
    }
    const seconds = Object.hasOwn(params, 'ts') ? params.ts : undefined;
    const ts = typeof seconds === 'number' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : publish.receivedAt;
    for (const [component, status] of Object.entries(params)) {
      if (component === 'ts') continue;
      output.flatten(device, ts, [component], status, unitOf, isLabel);
    }
  }

  private gen1(publish: RawPublish, parts: string[], output: AdapterOutput): void {
    if (parts.length === 2 && parts[1] === 'announce') {
      this.announce(publish, output);
      return;
    }
    const device = mappedDeviceId(parts[1] ?? '');
    if (device === null) {
      output.reject('bad-device-id', 'the topic gives no usable device id', null);
      return;
    }
    const path = parts.slice(2);
    if (path.length === 0) {
      output.reject('unmapped-topic', 'shellies/<id> without a value path', device);
      return;
    }
    if (path.length === 1 && path[0] === 'online') {
      this.online(publish, device, output);
      return;
    }
    if (path.length === 1 && path[0] === 'announce') {
      this.announce(publish, output);
      return;
    }
    const text = payloadText(publish.payload, output, device);
    if (text === null) return;
    // No kind here: the announce Gen1 sends on connecting names the model, and this would overwrite it
    // (the router gives defaultKind until then).
    // `sensor/temperature` → `temperature`, `relay/0/power` → `relay_0_power`.
    const named = path[0] === 'sensor' && path.length > 1 ? path.slice(1) : path;
    output.take(device, publish.receivedAt, named, plainReading(text), unitOf(named));
  }

  private online(publish: RawPublish, device: string, output: AdapterOutput): void {
    const text = payloadText(publish.payload, output, device);
    if (text === null) return;
    const value = text.trim();
    if (value === 'true') output.status(device, 'online');
    else if (value === 'false') output.status(device, 'offline');
    else output.reject('bad-status', `online must be true or false, got ${JSON.stringify(value.slice(0, 40))}`, device);
  }

  private announce(publish: RawPublish, output: AdapterOutput): void {
    const body = payloadObject(publish.payload, output, null);
    if (body === null) return;
    const id = ownText(body, 'id');
    const device = id === undefined ? null : mappedDeviceId(id);
    if (device === null) {
      output.reject('bad-meta', 'the announce has no usable id', null);
      return;
    }
    const model = ownText(body, 'model');
    const firmware = ownText(body, 'fw_ver');
    output.meta(device, { name: id ?? device, kind: (model ? mappedDeviceId(model) : null) ?? kindOf(device), ...(firmware ? { firmware } : {}) });
  }
}
