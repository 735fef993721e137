/**
 * Home Assistant MQTT discovery through the whole path (issue 11): a device that describes itself the
 * way ESPHome does (abbreviated keys, `dev`, `avty_t`; esphome's mqtt_sensor.cpp) publishes its retained
 * config and its state on its OWN topics, with its own client id, to a real Aedes broker; the booth's
 * mount keeps them inside the booth, the homeassistant adapter reads them, and the readings land in
 * InfluxDB under the names and units the config gave, with presence from its availability topic.
 * A config whose template is not in the allowed grammar is refused and counted, never evaluated, and
 * the good entity beside it keeps working.
 */
import type mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import type { PublicDevice, PublicDeviceList, PublicHealth } from '../support/publicApi';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor, type TestBooth } from '../support/showfloor';
import { eventually, waitFor } from '../support/waitFor';

const DB = 'homeassistant';
const ACME: TestBooth = { ...BOOTH_A, settingsYaml: '    adapters: [homeassistant]\n' };
/** ESPHome's board is named by its topic prefix (its node name), as the esphome adapter names it: homeassistantDiscovery.ts esphomeNames. */
const DEVICE = 'livingroom';
const MAC = 'a4cf12b3c4d5';

/** ESPHome's abbreviated discovery config for a temperature sensor (esphome components/mqtt/mqtt_sensor.cpp). */
const TEMPERATURE_CONFIG = {
  dev_cla: 'temperature',
  unit_of_meas: '°C',
  stat_cla: 'measurement',
  name: 'Temperature',
  stat_t: 'livingroom/sensor/temperature/state',
  avty_t: 'livingroom/status',
  uniq_id: 'ESPsensortemperature',
  dev: { ids: MAC, name: 'livingroom', sw: 'esphome v2024.6.0', mdl: 'nodemcuv2', mf: 'espressif' },
};
/** The same device's second entity, with a template outside the grammar: refused, never run. */
const HOSTILE_CONFIG = {
  name: 'Pressure',
  stat_t: 'livingroom/sensor/pressure/state',
  val_tpl: '{{ value.__class__.__mro__ }}',
  uniq_id: 'ESPsensorpressure',
  dev: { ids: MAC },
};

/** A booth that reads ESPHome boards through both adapters: the esphome one claims states first, the homeassistant one the configs. */
const BOTH: TestBooth = { id: 'booth-c', name: 'Booth C', password: 'password-c-789', settingsYaml: '    adapters: [esphome, homeassistant]\n' };
/** ESPHome 2025's discovery config for one board, two sensors (mqtt_component.cpp send_discovery_; sw as it writes it without a project). */
const boardConfig = (objectId: string, name: string, unit: string, deviceClass: string) => ({
  dev_cla: deviceClass,
  unit_of_meas: unit,
  stat_cla: 'measurement',
  name,
  stat_t: `expo-esp2/sensor/${objectId}/state`,
  avty_t: 'expo-esp2/status',
  uniq_id: `ESPsensor${objectId}`,
  dev: { ids: '246f28a10b02', name: 'Expo ESP 2', sw: '2025.11.2 (config hash 0x1a2b3c4d)', mdl: 'esp32dev', mf: 'Espressif', cns: [['mac', '246f28a10b02']] },
});

describeWithInfluxd('Home Assistant discovery through the broker mount → InfluxDB and /api/devices', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let board: mqtt.MqttClient;

  const apiDevice = async (): Promise<PublicDevice | undefined> =>
    (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices.find((d) => d.booth === ACME.id && d.device === DEVICE);

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, booths: [ACME, BOOTH_B, BOTH] });
  });

  afterAll(async () => {
    board?.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('stores the state under the config’s name and unit, takes presence from availability, and refuses a template it will not run', async () => {
    board = await connectDevice(showfloor.mqttUrl, ACME, {
      clientId: 'livingroom-a4cf12b3c4d5',
      will: { topic: 'livingroom/status', payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    // What ESPHome sends on connect: its birth, its retained discovery configs, then states.
    await board.publishAsync('livingroom/status', 'online', { qos: 1, retain: true });
    await board.publishAsync('homeassistant/sensor/livingroom/temperature/config', JSON.stringify(TEMPERATURE_CONFIG), { qos: 1, retain: true });
    await board.publishAsync('homeassistant/sensor/livingroom/pressure/config', JSON.stringify(HOSTILE_CONFIG), { qos: 1, retain: true });
    await board.publishAsync('livingroom/sensor/temperature/state', '23.5', { qos: 1 });
    await board.publishAsync('livingroom/sensor/temperature/state', 'nan', { qos: 1 });
    await board.publishAsync('livingroom/sensor/temperature/state', '23.75', { qos: 1 });

    const rows = await waitFor(
      async () => {
        const found = await influxd.queryRows(`SELECT "temperature" FROM "telemetry" WHERE "device" = '${DEVICE}'`, DB);
        return found.length === 2 && found;
      },
      { what: 'two temperature readings in InfluxDB', timeoutMs: 15_000 },
    );
    expect(rows.map((row) => row.temperature)).toEqual([23.5, 23.75]);

    const listed = await eventually(async () => {
      const device = await apiDevice();
      expect(device?.meta).toMatchObject({ name: 'livingroom', firmware: 'esphome v2024.6.0', units: { temperature: '°C' } });
      return device!;
    });
    // The refused entity is counted per adapter and reason (it names no device until a config is accepted).
    await eventually(async () => expect((await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.counters.rejected['template-refused']).toBe(1));
    expect(await (await fetch(`${showfloor.httpUrl}/metrics`)).text()).toMatch(
      /showfloor_adapter_rejections_total\{adapter="homeassistant",reason="template-refused"\} 1/,
    );
    expect(listed.presence.state).toBe('online');
    // `nan` is a missing reading, not a bad message.
    expect(listed.rejected['bad-value']).toBeUndefined();

    // The connection drops without DISCONNECT: the broker publishes its will on its own availability topic.
    board.stream.destroy();
    await eventually(async () => expect((await apiDevice())?.presence.state).toBe('offline'));
    // Booth B, which lists no adapters and sent nothing, has no such device.
    const devices = (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices;
    expect(devices.some((d) => d.booth === BOOTH_B.id)).toBe(false);
  });

  it('an ESPHome board read by the esphome and homeassistant adapters together is ONE device, named by its prefix, with the discovery’s units and model', async () => {
    const esp = await connectDevice(showfloor.mqttUrl, BOTH, {
      clientId: 'expo-esp2-246f28a10b02',
      clean: false,
      will: { topic: 'expo-esp2/status', payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    try {
      await esp.publishAsync('expo-esp2/status', 'online', { qos: 1, retain: true });
      await esp.publishAsync(
        'homeassistant/sensor/expo-esp2/temperature/config',
        JSON.stringify(boardConfig('temperature', 'Temperature', '°C', 'temperature')),
        {
          qos: 1,
          retain: true,
        },
      );
      await esp.publishAsync('homeassistant/sensor/expo-esp2/humidity/config', JSON.stringify(boardConfig('humidity', 'Humidity', '%', 'humidity')), {
        qos: 1,
        retain: true,
      });
      await esp.publishAsync('expo-esp2/sensor/temperature/state', '22.5', { qos: 1, retain: true });
      await esp.publishAsync('expo-esp2/sensor/humidity/state', '41.0', { qos: 1, retain: true });

      await waitFor(
        async () => {
          const rows = await influxd.queryRows(`SELECT "temperature", "humidity" FROM "telemetry" WHERE "device" = 'expo-esp2'`, DB);
          return rows.some((row) => row.temperature === 22.5) && rows.some((row) => row.humidity === 41);
        },
        { what: 'both readings stored under expo-esp2', timeoutMs: 15_000 },
      );
      const boothDevices = await eventually(async () => {
        const listed = (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices.filter((d) => d.booth === BOTH.id);
        expect(listed.map((d) => d.device)).toEqual(['expo-esp2']);
        expect(listed[0]?.meta).toMatchObject({ name: 'Expo ESP 2', kind: 'esp32dev', units: { temperature: '°C', humidity: '%' } });
        return listed;
      });
      expect(boothDevices[0]?.presence.state).toBe('online');
      // Nothing stored under the MAC the configs carry in dev.ids.
      expect(await influxd.queryRows(`SELECT * FROM "telemetry" WHERE "device" = '246f28a10b02'`, DB)).toEqual([]);
    } finally {
      esp.end(true);
    }
  });
});
