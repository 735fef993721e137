/**
 * The Home Assistant discovery adapter. Fixtures:
 * - HA docs, MQTT integration, "Discovery examples" → "Sensors with multiple values" (sensorBedroomT /
 *   sensorBedroomH sharing `homeassistant/sensor/sensorBedroom/state`, device identifiers `bedroom01ae`);
 * - HA docs, "Using abbreviations and base topic" (the `~` kitchen light, a component we skip);
 * - ESPHome's discovery as its mqtt component sends it (esphome/components/mqtt/mqtt_component.cpp and
 *   mqtt_sensor.cpp: abbreviated keys, `dev` with `ids`/`name`/`sw`/`mdl`, `avty_t` = `<prefix>/status`).
 * Short keys: homeassistant/components/mqtt/abbreviations.py.
 */
import { describe, expect, it } from 'vitest';
import { createHomeAssistantAdapter, type HomeAssistantAdapterOptions } from '../../server/adapters/homeassistant';
import { parseValueTemplate } from '../../server/adapters/homeassistantTemplate';
import type { DeviceMessage, TelemetryMessage } from '../../server/ingest/TelemetryValidator';

const BOOTH = 'acme';
const AT = Date.UTC(2026, 11, 3, 10, 0, 0);

function setup(options: HomeAssistantAdapterOptions = {}) {
  const adapter = createHomeAssistantAdapter(BOOTH, options);
  const send = (topic: string, payload: string | Buffer | object) =>
    adapter.decode({
      booth: BOOTH,
      topic,
      payload: Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
      receivedAt: AT,
      fromWill: false,
      clientId: 'dev-1',
    });
  return { adapter, send };
}

const telemetry = (messages: DeviceMessage[]) => messages.filter((m): m is TelemetryMessage => m.kind === 'telemetry');
const reasons = (result: { rejections: { reason: string }[] }) => result.rejections.map((r) => r.reason);

const BEDROOM_T = {
  device_class: 'temperature',
  state_topic: 'homeassistant/sensor/sensorBedroom/state',
  unit_of_measurement: '°C',
  value_template: '{{ value_json.temperature}}',
  unique_id: 'temp01ae',
  device: { identifiers: ['bedroom01ae'], name: 'Bedroom', manufacturer: 'Example sensors Ltd.', model: 'K9', sw_version: '2024.1.0' },
};
const BEDROOM_H = {
  device_class: 'humidity',
  state_topic: 'homeassistant/sensor/sensorBedroom/state',
  unit_of_measurement: '%',
  value_template: '{{ value_json.humidity}}',
  unique_id: 'hum01ae',
  device: { identifiers: ['bedroom01ae'] },
};
const ESPHOME_TEMPERATURE = {
  dev_cla: 'temperature',
  unit_of_meas: '°C',
  stat_cla: 'measurement',
  name: 'Temperature',
  stat_t: 'livingroom/sensor/temperature/state',
  avty_t: 'livingroom/status',
  uniq_id: 'ESPsensortemperature',
  dev: { ids: 'a4cf12b3c4d5', name: 'livingroom', sw: 'esphome v2024.6.0', mdl: 'nodemcuv2', mf: 'espressif' },
};

describe('Home Assistant discovery: the documented examples', () => {
  it('two sensors sharing one JSON state topic become two metrics of one device, with units and meta', () => {
    const { send, adapter } = setup();
    const first = send('homeassistant/sensor/sensorBedroomT/config', BEDROOM_T);
    expect(first.rejections).toEqual([]);
    expect(first.messages).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'bedroom01ae', meta: { name: 'Bedroom', firmware: '2024.1.0', kind: 'K9', units: { temperature: '°C' } } },
    ]);
    const second = send('homeassistant/sensor/sensorBedroomH/config', BEDROOM_H);
    expect(second.messages[0]).toMatchObject({ kind: 'meta', device: 'bedroom01ae', meta: { units: { temperature: '°C', humidity: '%' } } });
    expect(adapter.claims('homeassistant/sensor/sensorBedroom/state')).toBe(true);
    const state = send('homeassistant/sensor/sensorBedroom/state', { temperature: 23.2, humidity: 43.7 });
    expect(state.rejections).toEqual([]);
    expect(telemetry(state.messages)).toEqual([
      { kind: 'telemetry', booth: BOOTH, device: 'bedroom01ae', ts: AT, values: { temperature: 23.2, humidity: 43.7 } },
    ]);
  });

  it('ESPHome abbreviated config: plain-number state, `nan` is a missing reading, availability gives presence', () => {
    const { send, adapter } = setup();
    send('homeassistant/sensor/livingroom/temperature/config', ESPHOME_TEMPERATURE);
    expect(adapter.claims('livingroom/sensor/temperature/state')).toBe(true);
    // ESPHome's layout: the device is named by its topic prefix (the node name), as the esphome adapter names it, not by its MAC.
    expect(telemetry(send('livingroom/sensor/temperature/state', '23.5').messages)[0]).toMatchObject({
      device: 'livingroom',
      values: { temperature: 23.5 },
    });
    expect(send('livingroom/sensor/temperature/state', 'nan')).toEqual({ messages: [], rejections: [] });
    expect(send('livingroom/status', 'offline').messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'livingroom', status: 'offline' }]);
    expect(send('livingroom/status', 'online').messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'livingroom', status: 'online' }]);
    expect(reasons(send('livingroom/status', 'maybe'))).toEqual(['bad-status']);
  });

  it('`~` is the base topic for *_topic options; a light (not a reading) is skipped without a rejection', () => {
    const { send, adapter } = setup();
    const light = send('homeassistant/light/kitchen/config', {
      '~': 'homeassistant/light/kitchen',
      name: 'Kitchen',
      uniq_id: 'kitchen_light',
      cmd_t: '~/set',
      stat_t: '~/state',
      schema: 'json',
      brightness: true,
    });
    expect(light).toEqual({ messages: [], rejections: [] });
    send('homeassistant/sensor/kitchen/power/config', { '~': 'kitchen/plug', name: 'Power', stat_t: '~/power', unit_of_meas: 'W', avty_t: '~/avail' });
    expect(adapter.claims('kitchen/plug/power')).toBe(true);
    expect(telemetry(send('kitchen/plug/power', '12.5').messages)[0]?.values).toEqual({ power: 12.5 });
    expect(send('kitchen/plug/avail', 'online').messages).toHaveLength(1);
  });

  it('binary_sensor with payload_on/payload_off becomes 1/0; filters float, int and round(n) apply', () => {
    const { send } = setup();
    send('homeassistant/binary_sensor/door/config', { name: 'Door', stat_t: 'hall/door', pl_on: 'OPEN', pl_off: 'CLOSED', dev: { ids: ['hall1'] } });
    send('homeassistant/sensor/hall1/t/config', {
      name: 'T',
      stat_t: 'hall/env',
      val_tpl: "{{ value_json['env'].t | float | round(1) }}",
      dev: { ids: ['hall1'] },
    });
    send('homeassistant/sensor/hall1/n/config', { name: 'N', stat_t: 'hall/env', val_tpl: '{{ value_json.list[1] | int }}', dev: { ids: ['hall1'] } });
    expect(telemetry(send('hall/door', 'OPEN').messages)[0]?.values).toEqual({ door: 1 });
    expect(telemetry(send('hall/door', 'CLOSED').messages)[0]?.values).toEqual({ door: 0 });
    expect(telemetry(send('hall/env', { env: { t: '21.46' }, list: [0, 7.9] }).messages)[0]?.values).toEqual({ t: 21.5, n: 7 });
  });

  it('an empty retained config removes the entity; its state topic is no longer claimed', () => {
    const { send, adapter } = setup();
    send('homeassistant/sensor/livingroom/temperature/config', ESPHOME_TEMPERATURE);
    send('homeassistant/sensor/livingroom/temperature/config', '');
    expect(adapter.claims('livingroom/sensor/temperature/state')).toBe(false);
    expect(adapter.stats()).toEqual({ entities: 0, devices: 0, stateTopics: 0 });
    expect(send('livingroom/sensor/temperature/state', '23.5')).toEqual({ messages: [], rejections: [] });
  });
});

describe('Home Assistant value_template: a strict grammar, never evaluated', () => {
  it.each([
    '{{ value }}',
    '{{value_json.a.b}}',
    "{{ value_json['a'] }}",
    '{{ value_json["a"][0].b }}',
    '{{ value | float }}',
    '{{ value | int }}',
    '{{ value_json.t | float | round(2) }}',
    '{{ value | round }}',
  ])('accepts %s', (template) => {
    expect(parseValueTemplate(template).ok).toBe(true);
  });

  it.each([
    '{{ value.__class__ }}',
    '{{ value_json.__class__.__mro__ }}',
    "{{ value_json['__proto__'] }}",
    '{{ value.upper() }}',
    '{% for x in range(1000000000) %}{{ x }}{% endfor %}',
    '{{ value | upper }}',
    '{{ value | float(0) }}',
    '{{ value_json.a | round(99) }}',
    '{{ value * 2 }}',
    '{{ value }}{{ value }}',
    '{{ value }} °C',
    '{{ value_json[value] }}',
    '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
    '{{ value_json.a | is_defined }}',
    `{{ value_json${'.a'.repeat(20)} }}`,
    `{{ value${' | float'.repeat(10)} }}`,
    '{{ value',
    'value',
  ])('refuses %s', (template) => {
    expect(parseValueTemplate(template).ok).toBe(false);
  });

  it('a config with a refused template is counted as template-refused and adds nothing; a good entity beside it works', () => {
    const { send, adapter } = setup();
    const bad = send('homeassistant/sensor/evil/config', { name: 'Evil', stat_t: 'evil/state', val_tpl: '{{ value.__class__.__mro__[1].__subclasses__() }}' });
    expect(reasons(bad)).toEqual(['template-refused']);
    expect(adapter.claims('evil/state')).toBe(false);
    send('homeassistant/sensor/livingroom/temperature/config', ESPHOME_TEMPERATURE);
    expect(telemetry(send('livingroom/sensor/temperature/state', '22').messages)).toHaveLength(1);
  });

  it('lookups read own properties only: constructor / toString in a path find nothing', () => {
    const { send } = setup();
    send('homeassistant/sensor/p/c/config', { name: 'C', stat_t: 'p/s', val_tpl: '{{ value_json.constructor }}', dev: { ids: 'p' } });
    send('homeassistant/sensor/p/t/config', { name: 'T', stat_t: 'p/s', val_tpl: '{{ value_json.a.toString }}', dev: { ids: 'p' } });
    expect(send('p/s', { a: 1 })).toEqual({ messages: [], rejections: [] });
  });
});

describe('Home Assistant discovery: hostile input is counted, bounded, never thrown', () => {
  it('garbage configs, deep nesting and huge arrays are counted; good readings beside them land', () => {
    const { send } = setup();
    send('homeassistant/sensor/livingroom/temperature/config', ESPHOME_TEMPERATURE);
    expect(reasons(send('homeassistant/sensor/x/config', '{"stat_t": "a'))).toEqual(['bad-discovery']);
    expect(reasons(send('homeassistant/sensor/x/config', Buffer.from([0xff, 0xfe, 0x00])))).toEqual(['bad-discovery']);
    expect(reasons(send('homeassistant/sensor/x/config', '[1,2,3]'))).toEqual(['bad-discovery']);
    expect(reasons(send('homeassistant/sensor/x/config', { name: 'no state topic' }))).toEqual(['bad-discovery']);
    expect(reasons(send('homeassistant/sensor/x/config', { stat_t: 'a/#' }))).toEqual(['bad-discovery']);
    const deep = `${'['.repeat(8000)}${']'.repeat(8000)}`;
    expect(reasons(send('homeassistant/sensor/x/config', deep))).toEqual(['bad-discovery']);
    expect(reasons(send('homeassistant/sensor/x/config', 'x'.repeat(17 * 1024)))).toEqual(['payload-too-large']);
    // A state payload that is a huge array and a deeply nested object: the lookup walks at most the template's few steps.
    send('homeassistant/sensor/arr/v/config', { name: 'V', stat_t: 'arr/s', val_tpl: '{{ value_json[999999] }}', dev: { ids: 'arr' } });
    const huge = `[${Array.from({ length: 7000 }, () => '1').join(',')}]`;
    expect(send('arr/s', huge)).toEqual({ messages: [], rejections: [] });
    expect(send('arr/s', deep)).toEqual({ messages: [], rejections: [] });
    expect(telemetry(send('livingroom/sensor/temperature/state', '21.5').messages)[0]?.values).toEqual({ temperature: 21.5 });
  });

  it('a non-numeric state is counted as not-a-reading, a failed float filter as bad-value', () => {
    const { send } = setup();
    send('homeassistant/sensor/s/a/config', { name: 'A', stat_t: 's/a', dev: { ids: 's' } });
    send('homeassistant/sensor/s/b/config', { name: 'B', stat_t: 's/b', val_tpl: '{{ value | float }}', dev: { ids: 's' } });
    expect(reasons(send('s/a', 'hello'))).toEqual(['not-a-reading']);
    expect(reasons(send('s/b', 'hello'))).toEqual(['bad-value']);
    expect(reasons(send('s/b', 'unavailable'))).toEqual(['bad-value']);
    expect(send('s/a', 'unavailable')).toEqual({ messages: [], rejections: [] });
  });

  it('entities per booth, entities per device and topics per device are bounded', () => {
    const { send, adapter } = setup({ maxEntities: 10, maxEntitiesPerDevice: 4, maxTopicsPerDevice: 3 });
    const perDevice = Array.from({ length: 6 }, (_, i) =>
      send(`homeassistant/sensor/one/m${i}/config`, { name: `M${i}`, stat_t: 'one/state', dev: { ids: 'one' } }),
    );
    expect(perDevice.map((r) => reasons(r))).toEqual([[], [], [], [], ['adapter-state-full'], ['adapter-state-full']]);
    const topics = Array.from({ length: 4 }, (_, i) =>
      send(`homeassistant/sensor/two/m${i}/config`, { name: `M${i}`, stat_t: `two/s${i}`, dev: { ids: 'two' } }),
    );
    expect(topics.map((r) => reasons(r))).toEqual([[], [], [], ['adapter-state-full']]);
    const booth = Array.from({ length: 10 }, (_, i) => send(`homeassistant/sensor/d${i}/config`, { name: 'X', stat_t: `d${i}/s` }));
    expect(booth.filter((r) => reasons(r).includes('adapter-state-full'))).toHaveLength(7);
    expect(adapter.stats().entities).toBe(10);
  });

  it('two entities wanting the same metric on one device: the second falls back to its object id, a third is refused', () => {
    const { send } = setup();
    send('homeassistant/sensor/d/temp_a/config', { dev_cla: 'temperature', stat_t: 'd/a', dev: { ids: 'd' } });
    send('homeassistant/sensor/d/temp_b/config', { dev_cla: 'temperature', stat_t: 'd/b', dev: { ids: 'd' } });
    const third = send('homeassistant/sensor/d/temp_b2/config', { dev_cla: 'temperature', stat_t: 'd/c', obj_id: 'temp_b', dev: { ids: 'd' } });
    expect(reasons(third)).toEqual(['bad-metric-name']);
    expect(telemetry(send('d/a', '1').messages)[0]?.values).toEqual({ temperature: 1 });
    expect(telemetry(send('d/b', '2').messages)[0]?.values).toEqual({ temp_b: 2 });
  });

  it('HA-prefixed topics that are not configs (HA birth `homeassistant/status`) are ignored', () => {
    const { send } = setup();
    expect(send('homeassistant/status', 'online')).toEqual({ messages: [], rejections: [] });
  });
});

describe('Home Assistant discovery: per booth', () => {
  it("one booth's configs make no state topic of another booth's adapter, and a publish of another booth is refused", () => {
    const a = setup();
    a.send('homeassistant/sensor/livingroom/temperature/config', ESPHOME_TEMPERATURE);
    const b = createHomeAssistantAdapter('other');
    expect(b.claims('livingroom/sensor/temperature/state')).toBe(false);
    const misrouted = a.adapter.decode({
      booth: 'other',
      topic: 'livingroom/sensor/temperature/state',
      payload: Buffer.from('20'),
      receivedAt: AT,
      fromWill: false,
      clientId: 'x',
    });
    expect(reasons(misrouted)).toEqual(['wrong-booth']);
    expect(misrouted.messages).toEqual([]);
  });
});
