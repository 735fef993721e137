/**
 * Issue 11 item 4 against a real server (in-memory mode, no influxd needed): a stock-Tasmota-like
 * client (its own client id, its own topics, which the broker mounts at booth/{id}/raw/…) and a
 * native device in the same booth; the console API names, per device, the adapter and the topic as
 * the device sent it, and the adapter beside each rejection's reason.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_API, type DeviceDetail, type DeviceHealthList } from '../../contract/console';
import { tasmota } from '../support/adapterFixtures';
import { ConsoleClient, consoleYaml } from '../support/console';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, type TestBooth, type TestShowfloor } from '../support/showfloor';
import { eventually } from '../support/waitFor';

const ACME: TestBooth = { ...BOOTH_A, settingsYaml: '    adapters: [tasmota]\n' };

describe('console API: the adapter and raw topic each device came through', () => {
  let showfloor: TestShowfloor;
  let console_: ConsoleClient;
  const clients: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: consoleYaml(), booths: [ACME, BOOTH_B] });
    console_ = new ConsoleClient(showfloor.httpUrl);
    expect((await console_.login()).status).toBe(204);
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await showfloor?.close();
  });

  const device = async (id: string) =>
    (await console_.get<DeviceHealthList>(CONSOLE_API.devices)).body.devices.find((d) => d.booth === ACME.id && d.device === id);

  it('shows a Tasmota plug with its family and its own topic, and a native device as native', async () => {
    // Stock Tasmota: its own client id, its topics as configured on the device; the broker mounts them.
    const plug = await connectDevice(showfloor.mqttUrl, ACME, { clientId: 'DVES_A1B2C3' });
    const gateway = await connectDevice(showfloor.mqttUrl, ACME, { clientId: `${ACME.id}-gw` });
    clients.push(plug, gateway);
    const sensor = tasmota.sensor();
    await plug.publishAsync(sensor.topic, sensor.payload, { qos: 1 });
    await gateway.publishAsync(`booth/${ACME.id}/env-1/telemetry`, '{"temperature":21.5}', { qos: 1 });

    await eventually(async () => {
      expect(await device('tasmota_a1b2c3')).toMatchObject({ adapter: 'tasmota', ownTopic: 'tele/tasmota_A1B2C3/SENSOR' });
      expect(await device('env-1')).toMatchObject({ adapter: 'native', ownTopic: `booth/${ACME.id}/env-1/telemetry` });
    });
  });

  it("keeps the adapter beside each rejection's reason in the device detail", async () => {
    const plug = clients[0]!;
    // ENERGY's TotalStartTime is text, no reading: the Tasmota adapter drops it with a reason.
    const energy = tasmota.energy();
    await plug.publishAsync(energy.topic, energy.payload, { qos: 1 });
    const detail = await eventually(async () => {
      const answer = await console_.get<DeviceDetail>(`${CONSOLE_API.deviceDetail}/${ACME.id}/tasmota_a1b2c3`);
      expect(answer.status).toBe(200);
      expect(answer.body.ownTopic).toBe('tele/tasmota_A1B2C3/SENSOR');
      expect(answer.body.rejections.length).toBeGreaterThan(0);
      return answer.body;
    });
    for (const rejection of detail.rejections) expect(rejection).toMatchObject({ adapter: 'tasmota', reason: 'not-a-reading' });
    expect(detail.lastRejection).toMatchObject({ adapter: 'tasmota' });
    expect(detail.adapter).toBe('tasmota');
  });
});
