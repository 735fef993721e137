/**
 * Issue 9, the crash: a live window too large to send as one message. Before snapshots were
 * chunked, a wall connecting to a window of this size (19.2 M points, about 600 MB as one JSON
 * string) made socket.io's encoder throw `RangeError: Invalid string length` inside
 * LiveHub.welcome, and the process died with every booth's devices. Here the window is filled
 * directly, as some 300,000 MQTT messages would fill it (the walls suite fills a smaller one over
 * real MQTT), then a wall and an anonymous socket.io client connect while booth B publishes QoS 1.
 * An exception escaping the server would fail this file; the test also asserts the server answers
 * and B is acknowledged afterwards.
 */
import type mqtt from 'mqtt';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../contract/live';
import type { PublicHealth } from '../support/publicApi';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor, wallClient, type TestShowfloor } from '../support/showfloor';

const MB = 1024 * 1024;
const DEVICES = 3;
const POINTS = 100_000;
const METRICS = 64;
const MAX_SNAPSHOT_BYTES = 8 * MB;

/** Resolves with the final chunk and the bytes of all chunks once a client has its whole snapshot. */
function wholeSnapshot(socket: { on(event: 'snapshot', listener: (chunk: Snapshot) => void): unknown }): Promise<{ final: Snapshot; bytes: number }> {
  let bytes = 0;
  return new Promise((resolve) => {
    socket.on('snapshot', (chunk) => {
      bytes += JSON.stringify(chunk).length;
      if (chunk.final !== false) resolve({ final: chunk, bytes });
    });
  });
}

describe('a live window too large for one message', () => {
  let showfloor: TestShowfloor;
  let b: mqtt.MqttClient;

  beforeAll(async () => {
    // Budgets opened wide: at the defaults the per-booth live-window budget alone keeps one booth
    // below this size, but several booths on one all-booths wall would reach it together.
    showfloor = await startTestShowfloor({
      yaml: `live:\n  maxPointsPerSeries: ${POINTS}\nwall:\n  maxSnapshotBytes: ${MAX_SNAPSHOT_BYTES}\nbudgets:\n  maxSeriesPerBooth: 1000000\n  maxLiveWindowBytesPerBooth: ${64 * 1024 * MB}\n`,
    });
    const windowMs = 15 * 60_000;
    const start = Date.now() - windowMs + 5_000;
    const step = windowMs / POINTS;
    for (let d = 0; d < DEVICES; d++) {
      for (let k = 0; k < POINTS; k++) {
        const values = Object.create(null) as Record<string, number>;
        for (let m = 0; m < METRICS; m++) values[`metric_${m}`] = Math.random() * 1000;
        const ts = Math.floor(start + k * step);
        showfloor.state.directory.recordTelemetry(BOOTH_A.id, `flood-${d}`, ts, values, ts);
      }
    }
    b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
  }, 120_000);

  afterAll(async () => {
    await b?.endAsync();
    await showfloor?.close();
  });

  it('sends a wall and an anonymous client a capped snapshot in chunks, and the server stays up for booth B', async () => {
    const wall = wallClient(showfloor.httpUrl);
    const wallSnapshot = wholeSnapshot(wall);
    wall.connect();
    // No wall report, no booths: what any stranger on the network can open.
    const anonymous = connectSocket(showfloor.httpUrl, { transports: ['websocket'], reconnection: false });
    const anonymousSnapshot = wholeSnapshot(anonymous);
    try {
      for (const { final, bytes } of await Promise.all([wallSnapshot, anonymousSnapshot])) {
        expect(bytes).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);
        // 19.2 M points do not fit in 8 MB: most were left out, and the page is told so.
        expect(final.truncated?.points ?? 0).toBeGreaterThan(DEVICES * POINTS * METRICS * 0.9);
      }
      // The process is alive and serving, and booth B's QoS 1 readings are acknowledged.
      expect((await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).status).toBe(200);
      await b.publishAsync(`booth/${BOOTH_B.id}/b-env/telemetry`, JSON.stringify({ temperature: 21 }), { qos: 1 });
      expect(showfloor.state.directory.get(BOOTH_B.id, 'b-env')?.accepted).toBe(1);
    } finally {
      wall.disconnect();
      anonymous.disconnect();
    }
  }, 120_000);
});
