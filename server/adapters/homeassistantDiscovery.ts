/**
 * One Home Assistant MQTT discovery config read into what Showfloor needs: the entity's state
 * topic, how to get a number out of it, its device, metric name and unit, and its availability
 * topics. Formats: Home Assistant docs, MQTT integration, "MQTT Discovery" (discovery topic
 * `<prefix>/<component>/[<node_id>/]<object_id>/config`, `~` as base topic for options ending in
 * `_topic`, availability as `availability_topic` or an `availability` list); short keys from
 * homeassistant/components/mqtt/abbreviations.py (ABBREVIATIONS and DEVICE_ABBREVIATIONS).
 * Only the keys read here are expanded; everything else in a config is ignored.
 */
import { cleanMetaText, cleanUnit } from './sparkplugOutput';
import { toDeviceId, toMetricName } from './sparkplugNames';
import { mappedDeviceId, mappedMetricName } from './deviceNames';
import { parseValueTemplate, type ValueTemplate } from './homeassistantTemplate';

/** `<component>/[<node_id>/]<object_id>/config` after the prefix; the character classes are Home Assistant's own (discovery.py TOPIC_MATCHER). */
const DISCOVERY_TOPIC = /^(\w+)\/(?:([a-zA-Z0-9_-]+)\/)?([a-zA-Z0-9_-]+)\/config$/;

/** Components whose state is a reading. Others (light, button, cover, …) describe controls, not measurements, and are skipped. */
export type ReadingComponent = 'sensor' | 'binary_sensor' | 'switch' | 'number';
const READING_COMPONENTS = new Set<string>(['sensor', 'binary_sensor', 'switch', 'number']);

export interface DiscoveryTopic {
  component: string;
  nodeId: string | null;
  objectId: string;
}

export function parseDiscoveryTopic(afterPrefix: string): DiscoveryTopic | null {
  const found = DISCOVERY_TOPIC.exec(afterPrefix);
  if (!found) return null;
  return { component: found[1] ?? '', nodeId: found[2] ?? null, objectId: found[3] ?? '' };
}

export interface Availability {
  topic: string;
  online: string;
  offline: string;
}

export interface EntityConfig {
  component: ReadingComponent;
  deviceId: string;
  /** The metric name it would like; the adapter settles clashes within a device. */
  metric: string;
  /** A second choice (from object_id) when `metric` is already taken on the device. */
  fallbackMetric: string;
  stateTopic: string;
  template: ValueTemplate | null;
  unit?: string;
  /** binary_sensor / switch: the payloads that mean 1 and 0. */
  payloadOn: string;
  payloadOff: string;
  availability: Availability[];
  deviceName?: string;
  model?: string;
  firmware?: string;
}

export type ReadConfig =
  { kind: 'entity'; entity: EntityConfig } | { kind: 'skipped' } | { kind: 'refused'; reason: 'bad-discovery' | 'template-refused'; detail: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The long key's value, or else the abbreviation's; own properties only. */
function field(config: Json, long: string, short?: string): unknown {
  if (Object.hasOwn(config, long)) return config[long];
  if (short !== undefined && Object.hasOwn(config, short)) return config[short];
  return undefined;
}

function text(config: Json, long: string, short?: string): string | undefined {
  const value = field(config, long, short);
  return typeof value === 'string' ? value : undefined;
}

const MAX_TOPIC_LENGTH = 256;
const MAX_AVAILABILITY = 4;

/** `~` at the start or end of a *_topic value is the base topic (discovery.py, TOPIC_BASE). */
function expandBase(topic: string, base: string | undefined): string {
  if (base === undefined) return topic;
  if (topic.startsWith('~')) return `${base}${topic.slice(1)}`;
  if (topic.endsWith('~')) return `${topic.slice(0, -1)}${base}`;
  return topic;
}

function validTopic(topic: string): boolean {
  // A state topic is subscribed to as a plain name: no wildcards, no empty or NUL, bounded.
  // eslint-disable-next-line no-control-regex -- NUL is exactly what must be refused ([MQTT-4.7.3-2])
  return topic.length > 0 && topic.length <= MAX_TOPIC_LENGTH && !/[+#\u0000]/.test(topic);
}

export function readDiscoveryConfig(where: DiscoveryTopic, config: unknown): ReadConfig {
  if (!READING_COMPONENTS.has(where.component)) return { kind: 'skipped' };
  if (!isObject(config)) return { kind: 'refused', reason: 'bad-discovery', detail: 'a discovery config must be a JSON object' };
  const base = text(config, '~');
  const rawState = text(config, 'state_topic', 'stat_t');
  if (rawState === undefined) return { kind: 'refused', reason: 'bad-discovery', detail: 'no state_topic (stat_t): nothing to read' };
  const stateTopic = expandBase(rawState, base);
  if (!validTopic(stateTopic)) return { kind: 'refused', reason: 'bad-discovery', detail: 'state_topic is empty, too long or has a wildcard' };

  let template: ValueTemplate | null = null;
  const rawTemplate = field(config, 'value_template', 'val_tpl');
  if (rawTemplate !== undefined) {
    if (typeof rawTemplate !== 'string') return { kind: 'refused', reason: 'template-refused', detail: 'value_template is not text' };
    const parsed = parseValueTemplate(rawTemplate);
    if (!parsed.ok) return { kind: 'refused', reason: 'template-refused', detail: `value_template refused: ${parsed.detail}` };
    template = parsed.template;
  }

  const availability: Availability[] = [];
  const defaultOnline = text(config, 'payload_available', 'pl_avail') ?? 'online';
  const defaultOffline = text(config, 'payload_not_available', 'pl_not_avail') ?? 'offline';
  const single = text(config, 'availability_topic', 'avty_t');
  if (single !== undefined) availability.push({ topic: expandBase(single, base), online: defaultOnline, offline: defaultOffline });
  const list = field(config, 'availability', 'avty');
  if (Array.isArray(list)) {
    for (const entry of list.slice(0, MAX_AVAILABILITY)) {
      if (!isObject(entry)) continue;
      const topic = text(entry, 'topic', 't');
      if (topic === undefined) continue;
      availability.push({
        topic: expandBase(topic, base),
        online: text(entry, 'payload_available', 'pl_avail') ?? defaultOnline,
        offline: text(entry, 'payload_not_available', 'pl_not_avail') ?? defaultOffline,
      });
    }
  }
  // An availability_template would need evaluating too; without it the payloads are compared as they come.
  if (field(config, 'availability_template', 'avty_tpl') !== undefined || availability.some((entry) => !validTopic(entry.topic))) {
    availability.length = 0;
  }

  const device = field(config, 'device', 'dev');
  const deviceFields = isObject(device) ? device : undefined;
  let identifier: string | undefined;
  if (deviceFields) {
    const ids = field(deviceFields, 'identifiers', 'ids');
    const first: unknown = Array.isArray(ids) ? ids[0] : ids;
    if (typeof first === 'string' && first.trim() !== '') identifier = first;
  }
  const name = text(config, 'name');
  const deviceClass = text(config, 'device_class', 'dev_cla');
  const objectId = text(config, 'object_id', 'obj_id') ?? where.objectId;
  const preferred = name !== undefined && name.trim() !== '' ? name : (deviceClass ?? objectId);
  const unit = text(config, 'unit_of_measurement', 'unit_of_meas');
  // Entities of one device share its identifiers (that is what HA groups them by); without them the node id, then the
  // object id. An ESPHome board's are named as the esphome adapter names its state topics, so one board is one device.
  const esphome = esphomeNames(where, stateTopic);

  const entity: EntityConfig = {
    component: where.component as ReadingComponent,
    deviceId: esphome?.deviceId ?? toDeviceId(identifier ?? where.nodeId ?? where.objectId),
    metric: esphome?.metric ?? toMetricName(preferred),
    fallbackMetric: esphome?.metric ?? toMetricName(objectId),
    stateTopic,
    template,
    payloadOn: text(config, 'state_on', 'stat_on') ?? text(config, 'payload_on', 'pl_on') ?? 'ON',
    payloadOff: text(config, 'state_off', 'stat_off') ?? text(config, 'payload_off', 'pl_off') ?? 'OFF',
    availability,
  };
  if (unit !== undefined && unit.trim() !== '') entity.unit = cleanUnit(unit);
  if (deviceFields) {
    const deviceName = text(deviceFields, 'name');
    const model = text(deviceFields, 'model', 'mdl');
    const firmware = text(deviceFields, 'sw_version', 'sw');
    if (deviceName?.trim()) entity.deviceName = cleanMetaText(deviceName);
    if (model?.trim()) entity.model = cleanMetaText(model);
    if (firmware?.trim()) entity.firmware = cleanMetaText(firmware);
  }
  return { kind: 'entity', entity };
}

/**
 * The device id and metric the esphome adapter (esphome.ts) gives the state topic of an ESPHome
 * entity, or null when the config is not laid out as ESPHome lays it out. ESPHome's MQTT component
 * (esphome/components/mqtt/mqtt_component.cpp) announces each entity on
 * `<discovery prefix>/<component>/<node name>/<object_id>/config` (get_discovery_topic_) with the
 * state topic `<topic_prefix>/<component>/<object_id>/state` (get_default_topic_for_), and names
 * the device by its MAC in `dev.ids`. The rule: a config whose topic has a node id and whose state
 * topic is that default one (same component, same object id) is an ESPHome board's, and its device
 * is the last level of `<topic_prefix>` (the node name unless the board sets another prefix), its
 * metric the object id. That is exactly what the esphome adapter reads from the state topic itself,
 * so a booth that lists both adapters, in either order, shows the board once, with the units and
 * model its discovery configs announce. Any other layout (Zigbee2MQTT, WLED, hand-written configs)
 * keeps the identifiers rule.
 */
function esphomeNames(where: DiscoveryTopic, stateTopic: string): { deviceId: string; metric: string } | null {
  if (where.nodeId === null) return null;
  const parts = stateTopic.split('/');
  const n = parts.length;
  if (n < 4 || parts[n - 1] !== 'state' || parts[n - 2] !== where.objectId || parts[n - 3] !== where.component) return null;
  const deviceId = mappedDeviceId(parts[n - 4] ?? '');
  const metric = mappedMetricName([where.objectId]);
  return deviceId !== null && metric !== null ? { deviceId, metric } : null;
}
