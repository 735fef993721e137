/**
 * Stock devices through the whole path (issue 11): each family's documented publishes sent by an
 * MQTT.js client to a real Aedes broker on the booth's mount (`booth/{id}/raw/<the device's topic>`),
 * decoded by the booth's adapters, and asserted where an operator would look: InfluxDB (mapped
 * metric names), /api/devices (meta, units, presence, rejections) and /metrics (rejections per adapter).
 * Until the broker mount merges, the clients publish on the mounted topic themselves.
 * Also: a Tasmota's kind before its discovery config (never `unknown`), and a will-less device's
 * presence when its connection closes (the adapter attributes it to the connection).
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_STALE_AFTER_MS } from '../../contract/presence';
import { TOPIC_MAP_YAML, esphome, shelly, tasmota, topicMap, type DeviceFixture } from '../support/adapterFixtures';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import type { PublicDevice, PublicDeviceList } from '../support/publicApi';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor, type TestBooth } from '../support/showfloor';
import { eventually, waitFor } from '../support/waitFor';

const DB = 'adapters';
const ACME: TestBooth = { ...BOOTH_A, settingsYaml: `    adapters: [tasmota, shelly, esphome]\n${TOPIC_MAP_YAML}` };

describeWithInfluxd('stock devices through their adapters → InfluxDB, /api/devices and /metrics', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  const clients: mqtt.MqttClient[] = [];

  const mounted = (booth: TestBooth, topic: string) => `booth/${booth.id}/raw/${topic}`;
  const connect = async (name: string, options: mqtt.IClientOptions = {}, booth: TestBooth = ACME) => {
    const client = await connectDevice(showfloor.mqttUrl, booth, { clientId: `${booth.id}-${name}`, ...options });
    clients.push(client);
    return client;
  };
  const publish = async (client: mqtt.MqttClient, fixture: DeviceFixture, booth: TestBooth = ACME) => {
    await client.publishAsync(mounted(booth, fixture.topic), fixture.payload, { qos: 1, retain: fixture.retain ?? false });
  };
  /** Stored rows of a device, without the columns other devices' fields add. */
  const stored = async (device: string) =>
    (await influxd.queryRows(`SELECT * FROM "telemetry" WHERE "device" = '${device}'`, DB)).map((row) =>
      Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)),
    );
  const storedRow = (device: string, has: string) =>
    waitFor(async () => (await stored(device)).find((row) => has in row), { what: `${device}.${has} in InfluxDB`, timeoutMs: 15_000 });
  const deviceInApi = async (device: string): Promise<PublicDevice | undefined> =>
    (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices.find((d) => d.booth === ACME.id && d.device === device);
  const metrics = async () => (await fetch(`${showfloor.httpUrl}/metrics`)).text();

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, booths: [ACME, BOOTH_B] });
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('tasmota: discovery as meta, LWT as presence (also as the will), SENSOR and STATE stored under mapped names with units', async () => {
    const plug = await connect('DVES_A1B2C3', {
      will: { topic: mounted(ACME, 'tele/tasmota_A1B2C3/LWT'), payload: Buffer.from('Offline'), retain: true, qos: 1 },
    });
    // What stock Tasmota sends right after connecting: its discovery config, then Online on its LWT topic.
    await publish(plug, tasmota.discovery());
    await publish(plug, tasmota.lwt(true));
    await publish(plug, tasmota.sensor());
    await publish(plug, tasmota.state());

    const sensor = await storedRow('tasmota_a1b2c3', 'bme280_temperature');
    expect(sensor).toMatchObject({
      booth: ACME.id,
      kind: 'sonoff_th',
      bme280_temperature: 21.3,
      bme280_humidity: 45.1,
      bme280_pressure: 1013.2,
      bme280_dewpoint: 8.9,
    });
    const state = await storedRow('tasmota_a1b2c3', 'power');
    expect(state).toMatchObject({ power: 1, wifi_rssi: 78, wifi_signal: -61 });
    expect(state).not.toHaveProperty('wifi_ssid');
    expect(state).not.toHaveProperty('uptimesec');

    const api = await eventually(async () => {
      const device = await deviceInApi('tasmota_a1b2c3');
      expect(device?.meta).toMatchObject({ name: 'Hall Climate', kind: 'sonoff_th', firmware: 'Tasmota 13.2.0' });
      expect(device?.meta.units).toMatchObject({ bme280_temperature: '°C', bme280_pressure: 'hPa', bme280_humidity: '%', wifi_signal: 'dBm' });
      return device!;
    });
    expect(api.presence.state).toBe('online');
    // STATE's housekeeping (Uptime, SleepMode, SSId, …) is left out without a refusal; nothing else this device sent was text.
    expect(api.rejected['not-a-reading']).toBeUndefined();

    // Cut without DISCONNECT: the broker publishes Tasmota's will, and the adapter reads it as presence.
    plug.stream.destroy();
    await eventually(async () => expect((await deviceInApi('tasmota_a1b2c3'))?.presence.state).toBe('offline'));
    // The mount's own segment is no device: closing the connection must not invent one called `raw`.
    expect(await deviceInApi('raw')).toBeUndefined();
  });

  it('shelly: Gen2 status and NotifyStatus (ts in seconds) and online; Gen1 announce and plain values', async () => {
    const plus = await connect('shellyplus1pm-a8032ab12345');
    await publish(plus, shelly.online(true));
    await publish(plus, shelly.switchStatus());
    // On a 10 ms step, as the fixture writes ts with two decimals of a second.
    const sent = Math.round((Date.now() - 1500) / 10) * 10;
    await publish(plus, shelly.notifyStatus(sent));
    const status = await storedRow(shelly.device, 'switch_0_voltage');
    expect(status).toMatchObject({
      kind: 'shellyplus1pm',
      switch_0_voltage: 236.5,
      switch_0_aenergy_total: 12.345,
      switch_0_output: 0,
      switch_0_temperature_tc: 41.5,
    });
    const delta = await waitFor(async () => (await stored(shelly.device)).find((row) => row.time === sent), {
      what: 'the NotifyStatus delta at its own ts',
    });
    expect(delta).toMatchObject({ switch_0_apower: 8.9, switch_0_current: 0.038 });
    expect(delta).not.toHaveProperty('switch_0_voltage');

    const gen1 = await connect('shelly1pm-B929CC');
    await publish(gen1, shelly.gen1Announce());
    await publish(gen1, shelly.gen1Online(true));
    await publish(gen1, shelly.gen1Power());
    expect(await storedRow('shelly1pm-b929cc', 'relay_0_power')).toMatchObject({ relay_0_power: 12.5, kind: 'shsw-pm' });
    await eventually(async () => {
      const plusApi = await deviceInApi(shelly.device);
      expect(plusApi?.presence.state).toBe('online');
      expect(plusApi?.meta.units).toMatchObject({ switch_0_apower: 'W', switch_0_voltage: 'V' });
      const gen1Api = await deviceInApi('shelly1pm-b929cc');
      expect(gen1Api?.meta).toMatchObject({
        name: 'shelly1pm-B929CC',
        kind: 'shsw-pm',
        firmware: '20230913-112003/v1.14.0-gcb84623',
        units: { relay_0_power: 'W' },
      });
      expect(gen1Api?.presence.state).toBe('online');
    });
  });

  it('esphome: plain states stored, nan counted as a missing reading while the next value lands, status as presence', async () => {
    const esp = await connect('expo-esp1', { will: { topic: mounted(ACME, 'expo-esp1/status'), payload: Buffer.from('offline'), retain: true, qos: 1 } });
    await publish(esp, esphome.status(true));
    await publish(esp, esphome.co2Nan());
    await publish(esp, esphome.temperature());
    await publish(esp, esphome.door());
    expect(await storedRow('expo-esp1', 'hall_temperature')).toMatchObject({ hall_temperature: 23.5, kind: 'esphome' });
    expect(await storedRow('expo-esp1', 'door')).toMatchObject({ door: 1 });
    await eventually(async () => {
      const api = await deviceInApi('expo-esp1');
      expect(api?.presence.state).toBe('online');
      expect(api?.rejected).toMatchObject({ 'missing-reading': 1 });
    });
    esp.stream.destroy();
    await eventually(async () => expect((await deviceInApi('expo-esp1'))?.presence.state).toBe('offline'));
  });

  it('topic maps: +device, dotted fields with units, the device timestamp in seconds', async () => {
    const rig = await connect('rig7');
    const sent = Date.now() - 4000;
    await publish(rig, topicMap.reading(sent));
    const row = await storedRow('rig7', 'temperature');
    expect(row).toMatchObject({ time: Math.round(sent / 1000) * 1000, temperature: 22.4, humidity: 40 });
    await eventually(async () => expect((await deviceInApi('rig7'))?.meta.units).toEqual({ temperature: '°C', humidity: '%' }));
  });

  it('tasmota: a SENSOR that arrives before the discovery config is stored with the family kind, never `unknown`; the model then takes over', async () => {
    const plug = await connect('DVES_C0FFEE');
    await publish(plug, tasmota.sensor('tele/tasmota_C0FFEE/SENSOR'));
    expect(await storedRow('tasmota_c0ffee', 'bme280_temperature')).toMatchObject({ kind: 'tasmota' });
    await publish(plug, tasmota.discovery('%prefix%/%topic%/', 'tasmota_C0FFEE', '84F3EBC0FFEE'));
    await publish(plug, tasmota.energy('tele/tasmota_C0FFEE/SENSOR'));
    expect(await storedRow('tasmota_c0ffee', 'energy_power')).toMatchObject({ kind: 'sonoff_th' });
    expect((await stored('tasmota_c0ffee')).map((row) => row.kind)).not.toContain('unknown');
    await eventually(async () => expect((await deviceInApi('tasmota_c0ffee'))?.meta.kind).toBe('sonoff_th'));
  });

  it('a stock device without a will goes offline, not stale, when its connection closes (Shelly Gen1 without LWT, a topic-map device)', async () => {
    // Neither sets a will, and neither topic names a device to the broker (booth/{id}/raw/…): only the adapter knows.
    const gen1 = await connect('shelly1-98cdac1f2e3d');
    await publish(gen1, { topic: 'shellies/shelly1-98cdac1f2e3d/relay/0/power', payload: '7.5' });
    const rig = await connect('rig9-gateway');
    await publish(rig, topicMap.reading(Date.now(), 'rig9'));
    const devices = ['shelly1-98cdac1f2e3d', 'rig9'];
    await eventually(async () => {
      for (const device of devices) expect((await deviceInApi(device))?.presence.state).toBe('online');
    });
    gen1.stream.destroy();
    rig.stream.destroy();
    // Well inside the presence rule's stale limit (DEFAULT_STALE_AFTER_MS for a device that has no interval yet): a device
    // only the stale rule caught would still be online here.
    const shown = await eventually(
      async () => {
        const found = await Promise.all(devices.map(async (device) => (await deviceInApi(device))?.presence));
        expect(found.map((presence) => presence?.state)).toEqual(['offline', 'offline']);
        return found;
      },
      { timeoutMs: DEFAULT_STALE_AFTER_MS / 3 },
    );
    expect(shown.map((presence) => presence?.reason)).toEqual(['connection-lost', 'connection-lost']);
  });

  it('bad input is counted per adapter and reason, never stalls ingest, and good readings beside it land', async () => {
    const bad = await connect('bad-inputs');
    await publish(bad, { topic: 'tele/noisy/SENSOR', payload: '{"BME280":{"Temperature":21' }); // truncated
    await publish(bad, {
      topic: 'tele/noisy/SENSOR',
      payload: JSON.stringify({
        list: Array.from({ length: 2000 }, (_, i) => i),
        deep: JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`) as unknown,
        Good: 7,
      }),
    });
    await publish(bad, { topic: 'some/unknown/topic', payload: '42' });
    expect(await storedRow('noisy', 'good')).toMatchObject({ good: 7 });
    await eventually(async () => {
      const text = await metrics();
      expect(text).toMatch(/showfloor_adapter_rejections_total\{adapter="tasmota",reason="not-json"\} 1/);
      expect(text).toMatch(/showfloor_adapter_rejections_total\{adapter="tasmota",reason="too-many-fields"\} 1/);
      expect(text).toMatch(/showfloor_adapter_rejections_total\{adapter="tasmota",reason="too-deep"\} 1/);
      expect(text).toMatch(/showfloor_adapter_rejections_total\{adapter="esphome",reason="missing-reading"\} 1/);
      expect(text).toMatch(/showfloor_adapter_rejections_total\{adapter="none",reason="unmapped-topic"\} 1/);
    });
    // The same path still takes a good reading afterwards.
    await publish(bad, { topic: 'tele/noisy/SENSOR', payload: '{"Good":8}' });
    await waitFor(async () => (await stored('noisy')).some((row) => row.good === 8), { what: 'the next good reading' });
  });

  it('a booth without adapters gets its mounted topics counted as unmapped, and nothing stored', async () => {
    const other = await connect('DVES_B00000', {}, BOOTH_B);
    await publish(other, tasmota.sensor('tele/tasmota_B00000/SENSOR'), BOOTH_B);
    await eventually(async () => {
      const list = (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body;
      expect(list.booths.find((b) => b.id === BOOTH_B.id)?.unattributedRejections).toMatchObject({ 'unmapped-topic': 1 });
    });
    expect(await stored('tasmota_b00000')).toEqual([]);
  });
});
