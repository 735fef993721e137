/**
 * Retained messages stay in broker memory for ever, so the broker keeps them only where the
 * contract puts them (status, meta) and only up to a per-booth limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';
import type { PublicHealth } from '../support/publicApi';

describe('retained message limit', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;

  beforeAll(async () => {
    // maxDevicesPerBooth 5 → at most 10 retained topics (status and meta per device).
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'live:\n  maxDevicesPerBooth: 5\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('retains at most the per-booth limit, and nothing outside status and meta', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    for (let i = 0; i < 20; i++) await device.publishAsync(`booth/booth-a/dev-${i}/meta`, JSON.stringify({ name: `Device ${i}` }), { qos: 1, retain: true });
    await device.publishAsync('booth/booth-a/dev-0/telemetry', JSON.stringify({ t: 1 }), { qos: 1, retain: true });
    // Updating an already retained topic is always allowed.
    await device.publishAsync('booth/booth-a/dev-0/meta', JSON.stringify({ name: 'Renamed' }), { qos: 1, retain: true });
    expect(showfloor.broker.retainedTopicCount(BOOTH_A.id)).toBe(10);
    const health = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
    expect(health.broker.refusals['retain-dropped']).toBe(11);

    // A new subscriber sees exactly the ten retained metas, the renamed one included.
    const reader = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const retained = new Map<string, string>();
    reader.on('message', (topic, payload, packet) => {
      if (packet.retain) retained.set(topic, payload.toString());
    });
    await reader.subscribeAsync('booth/booth-a/#', { qos: 1 });
    await waitFor(() => retained.size === 10, { what: 'ten retained messages' });
    expect(retained.get('booth/booth-a/dev-0/meta')).toBe(JSON.stringify({ name: 'Renamed' }));
    expect([...retained.keys()].some((t) => t.endsWith('/telemetry'))).toBe(false);

    // Clearing a retained topic frees its place.
    await device.publishAsync('booth/booth-a/dev-1/meta', '', { qos: 1, retain: true });
    expect(showfloor.broker.retainedTopicCount(BOOTH_A.id)).toBe(9);
    device.end(true);
    reader.end(true);
  });
});
