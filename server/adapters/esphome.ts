/**
 * Stock ESPHome's MQTT client (docs: esphome.io/components/mqtt.html, "MQTT Component Base
 * Configuration" and "Birth/Last Will"): `<topic_prefix>/<component>/<object_id>/state` with one plain
 * value (`23.5`, `ON`/`OFF`, `nan` when a sensor has no reading), and `<topic_prefix>/status`
 * `online`/`offline` (birth and will, retained). The device id is the prefix's last segment (default
 * prefix: the node name). `nan` is counted as a missing reading, not a bad message; text sensors are
 * counted as no reading. Units are not on these topics: the device announces them in Home Assistant
 * discovery configs, which the homeassistant adapter reads.
 */
import type { AdapterResult, DeviceAdapter, RawPublish } from './DeviceAdapter';
import { AdapterOutput, payloadText, plainReading } from './AdapterOutput';
import { mappedDeviceId } from './deviceNames';

/** Components whose state is one value (components/mqtt/mqtt_*.cpp); lights and climates publish JSON or several topics. */
const VALUE_COMPONENTS = new Set(['sensor', 'binary_sensor', 'switch', 'number', 'text_sensor', 'select', 'fan', 'lock', 'cover', 'valve']);

export class EsphomeAdapter implements DeviceAdapter {
  readonly name = 'esphome' as const;

  claims(topic: string): boolean {
    const parts = topic.split('/');
    const n = parts.length;
    if (n >= 2 && parts[n - 1] === 'status' && parts[n - 2] !== '') return true;
    return n >= 4 && parts[n - 1] === 'state' && VALUE_COMPONENTS.has(parts[n - 3] ?? '') && parts[n - 2] !== '' && parts[n - 4] !== '';
  }

  /**
   * Not set on every publish: the same board's Home Assistant discovery configs (the homeassistant
   * adapter, same device id) name its model, which must not be overwritten by every state.
   */
  defaultKind(): string {
    return 'esphome';
  }

  decode(publish: RawPublish): AdapterResult {
    const output = new AdapterOutput(publish.booth, this.name);
    const parts = publish.topic.split('/');
    const n = parts.length;
    const status = parts[n - 1] === 'status';
    const prefixEnd = status ? n - 2 : n - 4;
    const device = mappedDeviceId(parts[prefixEnd] ?? '');
    if (device === null) {
      output.reject('bad-device-id', 'the topic prefix gives no usable device id', null);
      return output.result();
    }
    const text = payloadText(publish.payload, output, device);
    if (text === null) return output.result();
    if (status) {
      const value = text.trim();
      if (value === 'online' || value === 'offline') output.status(device, value);
      else output.reject('bad-status', `status must be online or offline, got ${JSON.stringify(value.slice(0, 40))}`, device);
      return output.result();
    }
    output.take(device, publish.receivedAt, [parts[n - 2] ?? ''], plainReading(text));
    return output.result();
  }
}
