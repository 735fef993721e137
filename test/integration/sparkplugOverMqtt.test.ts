/**
 * The Sparkplug adapter against a real Aedes and real MQTT.js clients on loopback: an edge node that
 * was publishing before we listened (the case the spec's Commands section gives for a Rebirth
 * Request) gets our NCMD `Node Control/Rebirth` over the wire, answers with NBIRTH + DBIRTH as an
 * edge node must ([tck-id-operational-behavior-data-commands-rebirth-action-2]), and its DDATA then
 * becomes readings; when its connection dies, the broker's will (NDEATH with the NBIRTH's bdSeq)
 * takes the node and its device offline.
 *
 * The ingest routing that connects Showfloor's broker to adapters is another helper's part of
 * issue 11, so here a host client subscribed to `spBv1.0/#` feeds the adapter and publishes its
 * commands; in Showfloor the broker mounts those under `booth/{id}/raw/`.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterResult } from '../../server/adapters/DeviceAdapter';
import { createSparkplugAdapter } from '../../server/adapters/sparkplug';
import { waitFor } from '../support/waitFor';

const codec = sparkplugPayload.get('spBv1.0');
if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
const encode = (payload: UPayload) => Buffer.from(codec.encodePayload(payload));

const BOOTH = 'acme';
const GROUP = 'Line 1';
const EDGE = 'gateway-7';
const DEVICE = 'PLC';

describe('Sparkplug B over a real broker', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });

  it('DATA before BIRTH → rebirth request over MQTT → NBIRTH/DBIRTH → readings; a dropped connection → NDEATH → offline', async () => {
    const results: AdapterResult[] = [];
    const host = await mqtt.connectAsync(url, { clientId: 'showfloor-host', protocolVersion: 4 });
    clients.push(host);
    const adapter = createSparkplugAdapter(BOOTH, {
      publishToBooth: (_booth, topic, payload) => void host.publish(topic, payload, { qos: 0, retain: false }),
    });
    host.on('message', (topic, payload) => {
      if (!adapter.claims(topic)) return;
      results.push(adapter.decode({ booth: BOOTH, topic, payload, receivedAt: Date.now(), fromWill: false, clientId: 'edge' }));
    });
    await host.subscribeAsync('spBv1.0/#', { qos: 1 });

    // The edge node: MQTT 3.1.1, clean session, NDEATH as its will carrying bdSeq 0 (Topics chapter, NDEATH; Message Flow, will payload).
    const bdSeq = 0;
    const edge = await mqtt.connectAsync(url, {
      clientId: `${EDGE}-client`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      will: {
        topic: `spBv1.0/${GROUP}/NDEATH/${EDGE}`,
        payload: encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'Int64', value: bdSeq }] }),
        qos: 1,
        retain: false,
      },
    });
    clients.push(edge);
    let seq = 17;
    const next = () => {
      const current = seq;
      seq = (seq + 1) % 256;
      return current;
    };
    const rebirths: unknown[] = [];
    edge.on('message', (topic, payload) => {
      const command = codec.decodePayload(payload);
      const rebirth = command.metrics?.find((metric) => metric.name === 'Node Control/Rebirth' && metric.value === true);
      if (topic !== `spBv1.0/${GROUP}/NCMD/${EDGE}` || !rebirth) return;
      rebirths.push(command);
      seq = 0;
      const now = Date.now();
      edge.publish(
        `spBv1.0/${GROUP}/NBIRTH/${EDGE}`,
        encode({
          timestamp: now,
          seq: next(),
          metrics: [
            { name: 'bdSeq', type: 'Int64', value: bdSeq, timestamp: now },
            { name: 'Node Control/Rebirth', type: 'Boolean', value: false, timestamp: now },
            { name: 'CPU Load', type: 'Float', value: 0.25, alias: 1, timestamp: now },
          ],
        }),
      );
      edge.publish(
        `spBv1.0/${GROUP}/DBIRTH/${EDGE}/${DEVICE}`,
        encode({
          timestamp: now,
          seq: next(),
          metrics: [
            { name: 'Inputs/Temperature', type: 'Double', value: 20.5, alias: 2, timestamp: now, properties: { engUnit: { type: 'String', value: '°C' } } },
          ],
        }),
      );
    });
    await edge.subscribeAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, { qos: 0 });

    // Publishing before we ever saw its BIRTH: aliases only, so nothing can be read yet.
    edge.publish(
      `spBv1.0/${GROUP}/DDATA/${EDGE}/${DEVICE}`,
      encode({ timestamp: Date.now(), seq: next(), metrics: [{ alias: 2, type: 'Double', value: 21 }] }),
    );

    await waitFor(() => rebirths.length === 1, { what: 'the edge node received our rebirth request' });
    await waitFor(() => results.some((r) => r.messages.some((m) => m.kind === 'meta' && m.device === 'gateway-7_PLC')), { what: 'DBIRTH read' });
    expect(results[0]?.rejections.map((r) => r.reason)).toEqual(['data-before-birth']);

    edge.publish(
      `spBv1.0/${GROUP}/DDATA/${EDGE}/${DEVICE}`,
      encode({ timestamp: Date.now(), seq: next(), metrics: [{ alias: 2, type: 'Double', value: 22.75, timestamp: Date.now() }] }),
    );
    const reading = await waitFor(() =>
      results.flatMap((r) => r.messages).find((m) => m.kind === 'telemetry' && m.device === 'gateway-7_PLC' && m.values.inputs_temperature === 22.75),
    );
    expect(reading).toMatchObject({ booth: BOOTH });
    const meta = results.flatMap((r) => r.messages).find((m) => m.kind === 'meta' && m.device === 'gateway-7_PLC');
    expect(meta?.kind === 'meta' && meta.meta.units?.inputs_temperature).toBe('°C');
    expect(results.flatMap((r) => r.rejections).map((r) => r.reason)).toEqual(['data-before-birth']);
    expect(adapter.stats().rebirthsRequested).toBe(1);

    // The connection dies without DISCONNECT: the broker publishes the will.
    edge.stream.destroy();
    const offline = await waitFor(() => results.find((r) => r.messages.some((m) => m.kind === 'status' && m.status === 'offline')));
    expect(offline.messages).toEqual([
      { kind: 'status', booth: BOOTH, device: 'gateway-7_PLC', status: 'offline' },
      { kind: 'status', booth: BOOTH, device: 'gateway-7', status: 'offline' },
    ]);
  });
});
