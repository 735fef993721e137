/**
 * Issue 11: what a stock device is called and what kind it is must not depend on the order its
 * publishes arrive in, nor on which of a booth's adapters reads which topic.
 * - A Tasmota's SENSOR usually arrives before (or without) the discovery config that names its
 *   model; its first reading carries the family's kind, and the announced model replaces it for good.
 * - An ESPHome board read by both the esphome adapter (its state topics) and the homeassistant
 *   adapter (its discovery configs) is one device, named by its topic prefix, whichever adapter is listed first.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceMessage } from '../../server/ingest/TelemetryValidator';
import { shelly, tasmota } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);
const kinds = (messages: DeviceMessage[]) => messages.flatMap((m) => (m.kind === 'meta' ? [m.meta.kind] : []));

describe('a device’s kind settles', () => {
  it('tasmota: the first SENSOR gets the family kind, the discovery config’s model replaces it, and later readings keep the model', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const first = feed(router, tasmota.sensor(), NOW).messages;
    expect(first.map((m) => m.kind)).toEqual(['meta', 'telemetry']);
    expect(kinds(first)).toEqual(['tasmota']);
    expect(kinds(feed(router, tasmota.discovery()).messages)).toEqual(['sonoff_th']);
    const later = feed(router, tasmota.energy(), NOW).messages;
    expect(kinds(later).every((kind) => kind === 'sonoff_th')).toBe(true);
    expect(later.find((m) => m.kind === 'meta')).toMatchObject({ meta: { kind: 'sonoff_th' } });
  });

  it('tasmota: a discovery config in the same order as the firmware sends it leaves no default behind', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    feed(router, tasmota.discovery());
    expect(kinds(feed(router, tasmota.sensor(), NOW).messages)).toEqual(['sonoff_th']);
  });

  it('shelly Gen1: the model in the id until the announce names it', () => {
    const router = routerFor('    adapters: [shelly]\n');
    expect(kinds(feed(router, shelly.gen1Power(), NOW).messages)).toEqual(['shelly1pm']);
    expect(kinds(feed(router, shelly.gen1Announce()).messages)).toEqual(['shsw-pm']);
    expect(kinds(feed(router, shelly.gen1Temperature(), NOW).messages).every((kind) => kind === 'shsw-pm')).toBe(true);
  });

  it('presence alone settles nothing: an LWT before any reading makes no meta', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    expect(feed(router, tasmota.lwt(true)).messages.map((m) => m.kind)).toEqual(['status']);
  });
});

/** ESPHome's own discovery config (esphome/components/mqtt/mqtt_component.cpp send_discovery_, abbreviated keys). */
const ESPHOME_CONFIG = {
  dev_cla: 'temperature',
  unit_of_meas: '°C',
  stat_cla: 'measurement',
  name: 'Hall Temperature',
  stat_t: 'expo-esp1/sensor/hall_temperature/state',
  avty_t: 'expo-esp1/status',
  uniq_id: 'ESPsensorhall_temperature',
  dev: { ids: '246f28a10b01', name: 'Expo ESP 1', sw: '2025.11.2 (config hash 0x1a2b3c4d)', mdl: 'esp32dev', mf: 'Espressif' },
};

describe('one ESPHome board under the esphome and homeassistant adapters', () => {
  for (const adapters of ['[esphome, homeassistant]', '[homeassistant, esphome]']) {
    it(`is one device named by its prefix, with the discovery's units and model (adapters: ${adapters})`, () => {
      const router = routerFor(`    adapters: ${adapters}\n`);
      const devices = new Set<string>();
      const take = (messages: DeviceMessage[]) => {
        for (const m of messages) devices.add(m.device);
        return messages;
      };
      take(feed(router, { topic: 'expo-esp1/status', payload: 'online' }).messages);
      take(feed(router, { topic: 'homeassistant/sensor/expo-esp1/hall_temperature/config', payload: JSON.stringify(ESPHOME_CONFIG) }).messages);
      const state = take(feed(router, { topic: 'expo-esp1/sensor/hall_temperature/state', payload: '23.5' }, NOW).messages);
      expect(devices).toEqual(new Set(['expo-esp1']));
      expect(state.find((m) => m.kind === 'telemetry')).toMatchObject({ device: 'expo-esp1', values: { hall_temperature: 23.5 } });
      // The states never take the model the discovery config named back to the family default.
      const metas = [...state, ...take(feed(router, { topic: 'expo-esp1/sensor/hall_temperature/state', payload: '23.6' }, NOW).messages)].filter(
        (m) => m.kind === 'meta',
      );
      expect(metas.every((m) => m.kind === 'meta' && m.meta.kind === 'esp32dev')).toBe(true);
      const config = feed(router, {
        topic: 'homeassistant/sensor/expo-esp1/hall_temperature/config',
        payload: JSON.stringify({ ...ESPHOME_CONFIG, unit_of_meas: '°F' }),
      });
      expect(plain(config.messages)).toContainEqual({
        kind: 'meta',
        booth: BOOTH,
        device: 'expo-esp1',
        meta: { name: 'Expo ESP 1', kind: 'esp32dev', firmware: '2025.11.2 (config hash 0x1a2b3c4d)', units: { hall_temperature: '°F' } },
      });
    });
  }

  it('a board with another topic_prefix is still named as the esphome adapter names it: the prefix’s last level', () => {
    const router = routerFor('    adapters: [homeassistant, esphome]\n');
    const custom = { ...ESPHOME_CONFIG, stat_t: 'hall/boards/esp-a/sensor/hall_temperature/state', avty_t: 'hall/boards/esp-a/status' };
    expect(feed(router, { topic: 'homeassistant/sensor/expo-esp1/hall_temperature/config', payload: JSON.stringify(custom) }).messages[0]).toMatchObject({
      device: 'esp-a',
    });
    expect(feed(router, { topic: 'hall/boards/esp-a/sensor/hall_temperature/state', payload: '21' }, NOW).messages).toContainEqual(
      expect.objectContaining({ kind: 'telemetry', device: 'esp-a' }),
    );
  });

  it('other layouts keep the identifiers rule (Zigbee2MQTT: state topic is not <prefix>/<component>/<object_id>/state)', () => {
    const router = routerFor('    adapters: [homeassistant]\n');
    const z2m = {
      name: 'Temperature',
      unit_of_meas: '°C',
      stat_t: 'zigbee2mqtt/hall_sensor',
      val_tpl: '{{ value_json.temperature }}',
      dev: { ids: ['zigbee2mqtt_0x00158d0001a2b3c4'] },
    };
    const fed = feed(router, { topic: 'homeassistant/sensor/0x00158d0001a2b3c4/temperature/config', payload: JSON.stringify(z2m) });
    expect(fed.messages[0]).toMatchObject({ device: 'zigbee2mqtt_0x00158d0001a2b3c4' });
  });
});
