/**
 * Devices that describe themselves with Home Assistant MQTT discovery (ESPHome, WLED, Zigbee2MQTT,
 * OpenMQTTGateway, Tasmota's HA mode…): each retained `homeassistant/<component>/[<node>/]<object>/config`
 * tells us a state topic, its device, metric name, unit and how to read a number from it; publishes
 * on those state topics then become readings, and availability topics give presence. An empty
 * retained config removes the entity (HA docs, MQTT Discovery: "delete … by sending an empty
 * payload"). One adapter per booth; every table is bounded (entities per booth, entities and topics
 * per device) and each publish costs at most one JSON parse plus one short walk per entity on it.
 */
import { DEVICE_KIND_PATTERN, type DeviceMeta, type NamedTable } from '../../contract/device';
import { DEFAULT_VALIDATOR_LIMITS, quoteDeviceText } from '../ingest/TelemetryValidator';
import type { AdapterResult, DeviceAdapter, RawPublish } from './DeviceAdapter';
import { parseDiscoveryTopic, readDiscoveryConfig, type Availability, type EntityConfig } from './homeassistantDiscovery';
import { applyValueTemplate, numberFromText } from './homeassistantTemplate';
import { AdapterOutput } from './sparkplugOutput';

export interface HomeAssistantAdapterOptions {
  /** HA's discovery prefix; `homeassistant` unless the device was set up otherwise. */
  discoveryPrefix?: string;
  maxPayloadBytes?: number;
  /** Discovered entities kept per booth; a config past it is refused (adapter-state-full). */
  maxEntities?: number;
  /** Entities per device (each is one metric, so at most one native message's worth). */
  maxEntitiesPerDevice?: number;
  /** Distinct state and availability topics per device. */
  maxTopicsPerDevice?: number;
}

export interface HomeAssistantAdapter extends DeviceAdapter {
  stats(): { entities: number; devices: number; stateTopics: number };
}

interface Entity extends EntityConfig {
  key: string;
  /** The metric it got after clash resolution on its device. */
  resolvedMetric: string;
}

interface DeviceEntry {
  entities: Set<string>;
  /** metric → entity key */
  metrics: Map<string, string>;
}

/** Text HA devices send for "no value right now" (ESPHome `nan`, HA's own `unknown`/`unavailable`, Python's `None`): a missing reading, not a bad one. */
const NO_VALUE = new Set(['', 'nan', '-nan', 'unknown', 'unavailable', 'none', 'null']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createHomeAssistantAdapter(booth: string, options: HomeAssistantAdapterOptions = {}): HomeAssistantAdapter {
  const prefix = `${options.discoveryPrefix ?? 'homeassistant'}/`;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_VALIDATOR_LIMITS.maxPayloadBytes;
  const maxEntities = options.maxEntities ?? 512;
  const maxEntitiesPerDevice = options.maxEntitiesPerDevice ?? 64;
  const maxTopicsPerDevice = options.maxTopicsPerDevice ?? 32;

  // Maps only: topics, keys and ids all come from devices.
  const entities = new Map<string, Entity>();
  const byStateTopic = new Map<string, Set<string>>();
  const byAvailabilityTopic = new Map<string, Set<string>>();
  const devices = new Map<string, DeviceEntry>();

  function topicsOf(device: DeviceEntry, extra?: EntityConfig): Set<string> {
    const topics = new Set<string>();
    const add = (entity: EntityConfig) => {
      topics.add(entity.stateTopic);
      for (const availability of entity.availability) topics.add(availability.topic);
    };
    for (const key of device.entities) {
      const entity = entities.get(key);
      if (entity) add(entity);
    }
    if (extra) add(extra);
    return topics;
  }

  function index(map: Map<string, Set<string>>, topic: string, key: string, adding: boolean): void {
    let keys = map.get(topic);
    if (adding) {
      if (!keys) map.set(topic, (keys = new Set()));
      keys.add(key);
    } else if (keys) {
      keys.delete(key);
      if (keys.size === 0) map.delete(topic);
    }
  }

  function remove(key: string): void {
    const entity = entities.get(key);
    if (!entity) return;
    entities.delete(key);
    index(byStateTopic, entity.stateTopic, key, false);
    for (const availability of entity.availability) index(byAvailabilityTopic, availability.topic, key, false);
    const device = devices.get(entity.deviceId);
    if (device) {
      device.entities.delete(key);
      if (device.metrics.get(entity.resolvedMetric) === key) device.metrics.delete(entity.resolvedMetric);
      if (device.entities.size === 0) devices.delete(entity.deviceId);
    }
  }

  function metaOf(deviceId: string, latest: EntityConfig): DeviceMeta {
    const meta: DeviceMeta = { name: latest.deviceName ?? deviceId };
    if (latest.firmware) meta.firmware = latest.firmware;
    // The device's model is what a dashboard would select such devices by; mapped to the kind pattern.
    if (latest.model) {
      const kind = latest.model
        .replace(/[^A-Za-z0-9_.-]/g, '_')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 64);
      if (DEVICE_KIND_PATTERN.test(kind)) meta.kind = kind;
    }
    const units = Object.create(null) as NamedTable<string>;
    let any = false;
    for (const key of devices.get(deviceId)?.entities ?? []) {
      const entity = entities.get(key);
      if (entity?.unit) {
        units[entity.resolvedMetric] = entity.unit;
        any = true;
      }
    }
    if (any) meta.units = units;
    return meta;
  }

  function config(afterPrefix: string, publish: RawPublish, out: AdapterOutput): void {
    const where = parseDiscoveryTopic(afterPrefix);
    // Other topics under the prefix (HA's own `homeassistant/status`, device triggers' payloads) carry no config.
    if (!where) return;
    const key = afterPrefix;
    if (publish.payload.length === 0) {
      remove(key);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(publish.payload));
    } catch {
      remove(key);
      out.reject('bad-discovery', null, `discovery config ${quoteDeviceText(afterPrefix)} is not UTF-8 JSON`);
      return;
    }
    const read = readDiscoveryConfig(where, parsed);
    if (read.kind !== 'entity') {
      remove(key);
      if (read.kind === 'refused') out.reject(read.reason, null, `${quoteDeviceText(afterPrefix)}: ${read.detail}`);
      return;
    }
    const config = read.entity;
    remove(key);
    if (entities.size >= maxEntities) {
      out.reject(
        'adapter-state-full',
        config.deviceId,
        `more than ${maxEntities} discovered entities in this booth: ${quoteDeviceText(afterPrefix)} is not added`,
      );
      return;
    }
    const device = devices.get(config.deviceId) ?? { entities: new Set<string>(), metrics: new Map<string, string>() };
    if (device.entities.size >= maxEntitiesPerDevice) {
      out.reject(
        'adapter-state-full',
        config.deviceId,
        `more than ${maxEntitiesPerDevice} entities on this device: ${quoteDeviceText(afterPrefix)} is not added`,
      );
      return;
    }
    if (topicsOf(device, config).size > maxTopicsPerDevice) {
      out.reject('adapter-state-full', config.deviceId, `more than ${maxTopicsPerDevice} topics on this device: ${quoteDeviceText(afterPrefix)} is not added`);
      return;
    }
    let metric = config.metric;
    if (device.metrics.has(metric)) metric = config.fallbackMetric;
    if (device.metrics.has(metric)) {
      out.reject('bad-metric-name', config.deviceId, `${quoteDeviceText(afterPrefix)}: metric ${metric} is already used on this device`);
      return;
    }
    const entity: Entity = { ...config, key, resolvedMetric: metric };
    entities.set(key, entity);
    devices.set(config.deviceId, device);
    device.entities.add(key);
    device.metrics.set(metric, key);
    index(byStateTopic, entity.stateTopic, key, true);
    for (const availability of entity.availability) index(byAvailabilityTopic, availability.topic, key, true);
    out.first(out.meta(config.deviceId, metaOf(config.deviceId, config)));
  }

  function reading(entity: Entity, text: string, json: () => unknown, receivedAt: number, out: AdapterOutput): void {
    let raw: unknown = text;
    if (entity.template) {
      const applied = applyValueTemplate(entity.template, text, entity.template.source === 'value_json' ? json() : undefined);
      if (applied.kind === 'missing') return;
      if (applied.kind === 'bad') {
        out.reject('bad-value', entity.deviceId, `${entity.resolvedMetric}: ${applied.detail}`);
        return;
      }
      raw = applied.value;
    }
    if (entity.component === 'binary_sensor' || entity.component === 'switch') {
      const state = typeof raw === 'string' ? raw.trim() : String(raw);
      if (state === entity.payloadOn) out.reading(entity.deviceId, receivedAt, entity.resolvedMetric, 1);
      else if (state === entity.payloadOff) out.reading(entity.deviceId, receivedAt, entity.resolvedMetric, 0);
      else if (!NO_VALUE.has(state.toLowerCase()))
        out.reject('bad-value', entity.deviceId, `${entity.resolvedMetric}: ${quoteDeviceText(state)} is neither ${entity.payloadOn} nor ${entity.payloadOff}`);
      return;
    }
    let value: number | null = null;
    if (typeof raw === 'number') value = Number.isFinite(raw) ? raw : null;
    else if (typeof raw === 'boolean') value = raw ? 1 : 0;
    else if (typeof raw === 'string') {
      if (NO_VALUE.has(raw.trim().toLowerCase())) return;
      value = numberFromText(raw);
    }
    if (value === null) {
      out.reject('not-a-reading', entity.deviceId, `${entity.resolvedMetric}: the state is not a number`);
      return;
    }
    out.reading(entity.deviceId, receivedAt, entity.resolvedMetric, value);
  }

  function state(keys: Set<string>, publish: RawPublish, out: AdapterOutput): void {
    let text: string;
    try {
      text = utf8.decode(publish.payload);
    } catch {
      out.reject('not-utf8', null, `state on ${quoteDeviceText(publish.topic)} is not UTF-8`);
      return;
    }
    let parsedJson: { value: unknown } | null = null;
    const json = (): unknown => {
      if (parsedJson === null) {
        try {
          parsedJson = { value: JSON.parse(text) as unknown };
        } catch {
          parsedJson = { value: undefined };
        }
      }
      return parsedJson.value;
    };
    for (const key of keys) {
      const entity = entities.get(key);
      if (entity) reading(entity, text, json, publish.receivedAt, out);
    }
  }

  function availability(keys: Set<string>, publish: RawPublish, out: AdapterOutput): void {
    const text = publish.payload.toString('utf8').trim();
    const decided = new Map<string, 'online' | 'offline'>();
    for (const key of keys) {
      const entity = entities.get(key);
      const entry: Availability | undefined = entity?.availability.find((candidate) => candidate.topic === publish.topic);
      if (!entity || !entry || decided.has(entity.deviceId)) continue;
      if (text === entry.online) decided.set(entity.deviceId, 'online');
      else if (text === entry.offline) decided.set(entity.deviceId, 'offline');
      else out.reject('bad-status', entity.deviceId, `availability ${quoteDeviceText(text)} is neither ${entry.online} nor ${entry.offline}`);
    }
    for (const [deviceId, status] of decided) out.last(out.status(deviceId, status));
  }

  function decode(publish: RawPublish): AdapterResult {
    const out = new AdapterOutput(booth);
    if (publish.booth !== booth) {
      out.reject('wrong-booth', null, `a publish of booth ${publish.booth} reached the adapter of booth ${booth}`);
      return out.result();
    }
    if (publish.payload.length > maxPayloadBytes) {
      out.reject('payload-too-large', null, `${publish.payload.length} bytes; the limit is ${maxPayloadBytes}`);
      return out.result();
    }
    const stateKeys = byStateTopic.get(publish.topic);
    const availabilityKeys = byAvailabilityTopic.get(publish.topic);
    if (stateKeys) state(stateKeys, publish, out);
    if (availabilityKeys) availability(availabilityKeys, publish, out);
    // A config topic is read as one even if a (hostile) config named it as a state topic: a device cannot lock its own discovery.
    if (publish.topic.startsWith(prefix)) config(publish.topic.slice(prefix.length), publish, out);
    return out.result();
  }

  return {
    name: 'homeassistant',
    claims: (topic) => topic.startsWith(prefix) || byStateTopic.has(topic) || byAvailabilityTopic.has(topic),
    decode(publish) {
      try {
        return decode(publish);
      } catch (error) {
        // Nothing above is expected to throw; if it does, one publish is refused rather than ingest stopped.
        const out = new AdapterOutput(booth);
        out.reject('bad-discovery', null, `could not read this publish: ${(error as Error).message.slice(0, 80)}`);
        return out.result();
      }
    },
    stats: () => ({ entities: entities.size, devices: devices.size, stateTopics: byStateTopic.size }),
  };
}
