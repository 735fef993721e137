/**
 * Without INFLUX_URL the server still serves the live window: health says so, history comes from
 * the live buffers in the same shape, and a connection that goes silent is caught by its keepalive.
 */
import { connect as connectTcp } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';
import type { PublicDeviceList, PublicHealth, PublicHistory } from '../support/publicApi';

describe('in-memory mode (no InfluxDB)', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('says so in /api/health', async () => {
    const { body } = await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`);
    expect(body.status).toBe('ok');
    expect(body.influxdb).toMatchObject({ mode: 'memory', reachable: false });
    expect(body.influxdb.mode === 'memory' && body.influxdb.note).toMatch(/INFLUX_URL is not set/);
  });

  it('answers history from the live buffers, bucketed like InfluxQL', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const start = Math.floor((Date.now() - 120_000) / 10_000) * 10_000;
    for (let i = 0; i < 60; i++) device.publish('booth/booth-a/mem-01/telemetry', JSON.stringify({ v: i, ts: start + i * 2000 }), { qos: 1 });
    await waitFor(
      async () => (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices.find((d) => d.device === 'mem-01')?.accepted === 60,
      { what: '60 readings accepted' },
    );
    device.end(true);
    const { status, body } = await getJson<PublicHistory>(
      `${showfloor.httpUrl}/api/history?booth=booth-a&device=mem-01&metric=v&from=${start}&to=${start + 120_000}&points=12`,
    );
    expect(status).toBe(200);
    expect(body.source).toBe('live');
    expect(body.intervalMs).toBe(10_000);
    // Five readings 2 s apart per 10 s bucket: means 2, 7, 12, …
    expect(body.points).toEqual(Array.from({ length: 12 }, (_, k) => [start + k * 10_000, 5 * k + 2]));
  });

  it('marks a device offline when its connection stops answering keepalives', async () => {
    const socket = connectTcp(showfloor.mqttPort, '127.0.0.1');
    socket.on('error', () => undefined);
    // keepalive 1 s: Aedes gives up after 1.5 s without a packet; this client never pings.
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'booth-a-silent',
        keepalive: 1,
        username: BOOTH_A.id,
        password: Buffer.from(BOOTH_A.password),
      }),
    );
    socket.write(
      mqttPacket.generate({ cmd: 'publish', topic: 'booth/booth-a/silent-01/status', payload: Buffer.from('online'), qos: 0, retain: false, dup: false }),
    );
    const presence = async () =>
      (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body.devices.find((d) => d.device === 'silent-01')?.presence;
    await waitFor(async () => (await presence())?.state === 'online', { what: 'the device online' });
    const offline = await waitFor(
      async () => {
        const p = await presence();
        return p?.state === 'offline' && p;
      },
      { what: 'the keepalive timeout', timeoutMs: 10_000 },
    );
    expect(offline.reason).toBe('keepalive-timeout');
    socket.destroy();
  });
});
