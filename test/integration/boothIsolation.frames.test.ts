/**
 * Issue 9, live frames: booth A floods (hundreds of device ids, as fast as MQTT.js can publish)
 * while a wall showing both booths reads through a link slower than A's flood, like a kiosk on
 * weak Wi-Fi. The wall must stay connected throughout and keep getting B's readings within a
 * bound, because A's frames are bounded per tick and, while the wall's output backs up, A's frames
 * are the ones skipped; what A lost is counted against A, never against B.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../contract/live';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, wallClient, type TestShowfloor, type WallClient } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';

const KB = 1024;
/** The wall's link, server to page. */
const LINK_BYTES_PER_SECOND = 1024 * KB;
const MAX_BUFFERED_BYTES = 1024 * KB;
const FLOOD_MS = 10_000;
const FLOOD_CONNECTIONS = 6;
const DEVICES_PER_CONNECTION = 60;
const METRICS = 16;
/** Long names make A's frames heavy: ~320 KB of JSON a tick once bounded, 1.6 MB/s, more than the link takes. */
const METRIC_PREFIX = 'metric_with_a_rather_long_descriptive_name_number_';
/** Each flooding connection sends a reading for each of its devices this often: 3,600 readings (57,600 values) a second in all. */
const FLOOD_EVERY_MS = 100;
const B_EVERY_MS = 500;
/**
 * What the kernel may hold for one connection before the server sees any backlog: the sender's
 * buffer grows up to tcp_wmem's maximum (4 MB by default on Linux), and the relay's receive buffer
 * adds up to ~1 MB while it reads slowly. B's frames wait behind that and behind the half of the
 * wall's own buffer that A may fill, whatever the fix: one TCP stream per wall delivers in order.
 */
function kernelBufferBytes(): number {
  try {
    const max = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    if (Number.isFinite(max) && max > 0) return max + 1024 * KB;
  } catch {
    // Not Linux: assume Linux's defaults.
  }
  return 5 * 1024 * KB;
}
/**
 * From B's reading to the wall having it (or a newer one): those buffers drained through the slow
 * link, plus 3 s for a loaded 2-core machine. Without the bound per tick and the skipping, B's
 * latency grows with the flood until the wall is dropped (and B with it).
 */
const B_LATENCY_BOUND_MS = ((kernelBufferBytes() + MAX_BUFFERED_BYTES) / LINK_BYTES_PER_SECOND) * 1000 + 3000;

const YAML = `
mqtt:
  messagesPerSecondPerDevice: 1000000
live:
  maxDevicesPerBooth: ${FLOOD_CONNECTIONS * DEVICES_PER_CONNECTION + 10}
  maxFrameReadingsPerBooth: 4000
  maxFrameBytesPerBooth: ${2048 * KB}
wall:
  maxBufferedBytesPerWall: ${MAX_BUFFERED_BYTES}
budgets:
  maxSeriesPerBooth: 1000000
  readingsPerSecondPerBooth: 10000000
  maxLiveWindowBytesPerBooth: ${1024 * 1024 * 1024}
`;

/**
 * A TCP relay that passes the server's bytes to the page at `bytesPerSecond` (the page's bytes to
 * the server go through at once): what the server cannot get out piles up in its own buffers, as
 * with a wall on a slow network.
 */
async function startSlowLink(targetPort: number, bytesPerSecond: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((page) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [page, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    page.pipe(upstream);
    let nextFreeAt = performance.now();
    upstream.on('data', (chunk: Buffer) => {
      page.write(chunk);
      nextFreeAt = Math.max(nextFreeAt, performance.now()) + (chunk.length / bytesPerSecond) * 1000;
      const wait = nextFreeAt - performance.now();
      if (wait > 0) {
        upstream.pause();
        setTimeout(() => upstream.resume(), wait);
      }
    });
    page.on('close', () => upstream.destroy());
    upstream.on('close', () => page.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function publishQos0(client: mqtt.MqttClient, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 0 }, (error) => (error ? reject(error) : resolve())));
}

/**
 * One flooding connection: every FLOOD_EVERY_MS, a reading for each of its device ids, until
 * `until`. Paced, not flat out: the server, the devices and the wall share this test's one event
 * loop, and a flood that starved it would measure the loop, not the wall.
 */
async function flood(client: mqtt.MqttClient, connection: number, until: number): Promise<number> {
  let sent = 0;
  let next = performance.now();
  while (performance.now() < until) {
    const batch: Promise<void>[] = [];
    for (let d = 0; d < DEVICES_PER_CONNECTION; d++) {
      const values: Record<string, number> = { ts: Date.now() };
      for (let m = 0; m < METRICS; m++) values[`${METRIC_PREFIX}${m}`] = Math.random() * 1000;
      batch.push(publishQos0(client, `booth/${BOOTH_A.id}/flood-${connection}-${d}/telemetry`, JSON.stringify(values)));
    }
    await Promise.all(batch);
    sent += batch.length;
    next += FLOOD_EVERY_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return sent;
}

describe('a booth flooding its frames, and a wall of both booths on a slow link', () => {
  let showfloor: TestShowfloor;
  let link: Awaited<ReturnType<typeof startSlowLink>>;
  const clients: mqtt.MqttClient[] = [];
  let wall: WallClient | undefined;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: YAML });
    link = await startSlowLink(showfloor.httpPort, LINK_BYTES_PER_SECOND);
  });

  afterAll(async () => {
    wall?.disconnect();
    for (const client of clients) client.end(true);
    await link?.close();
    await showfloor?.close();
  });

  it("keeps the wall connected and B's readings on it within the bound, skipping and counting A's excess", async () => {
    const b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
    const floods: mqtt.MqttClient[] = [];
    for (let c = 0; c < FLOOD_CONNECTIONS; c++) floods.push(await connectDevice(showfloor.mqttUrl, BOOTH_A));
    clients.push(b, ...floods);

    wall = wallClient(link.url, { booths: [BOOTH_A.id, BOOTH_B.id] });
    let disconnects = 0;
    wall.on('disconnect', () => disconnects++);
    const arrivals: { ts: number; at: number }[] = [];
    let framesOfA = 0;
    wall.on('frame', (frame: Frame) => {
      const at = Date.now();
      if (frame.booth === BOOTH_A.id) framesOfA++;
      for (const reading of frame.readings) if (reading.booth === BOOTH_B.id && reading.device === 'b-env') arrivals.push({ ts: reading.ts, at });
    });
    const ready = waitForEvent(wall, 'snapshot', { filter: (s: { final?: boolean }) => s.final !== false });
    wall.connect();
    await ready;
    const slowReadersBefore = showfloor.state.walls.refusals().get('slow-reader') ?? 0;

    // B publishes a reading every B_EVERY_MS for the whole flood, each with its own time.
    const published: number[] = [];
    const steady = setInterval(() => {
      const ts = Date.now();
      published.push(ts);
      b.publish(`booth/${BOOTH_B.id}/b-env/telemetry`, JSON.stringify({ temperature: 21 + Math.random(), ts }), { qos: 0 });
    }, B_EVERY_MS);
    const until = performance.now() + FLOOD_MS;
    const sent = await Promise.all(floods.map((client, c) => flood(client, c, until)))
      .then((counts) => counts.reduce((n, k) => n + k, 0))
      .finally(() => clearInterval(steady));
    const lastPublished = published.at(-1)!;
    // A wall that was dropped (the failure this guards against) has its answer at once.
    await waitFor(() => disconnects > 0 || arrivals.some((a) => a.ts >= lastPublished), {
      what: "B's last reading on the wall",
      timeoutMs: 3 * B_LATENCY_BOUND_MS,
    });
    expect(disconnects).toBe(0);

    // Latency: from each B reading to the wall holding it or a newer one (frames keep only the newest per tick).
    const latencies = published.map((ts) => Math.min(...arrivals.filter((a) => a.ts >= ts).map((a) => a.at)) - ts);
    const worst = Math.max(...latencies);
    const refusalsA = showfloor.state.budgetRefusals.forBooth(BOOTH_A.id);
    const refusalsB = showfloor.state.budgetRefusals.forBooth(BOOTH_B.id);
    console.info(
      `A published ${sent} readings in ${FLOOD_MS} ms; A frames on the wall ${framesOfA}; ` +
        `A live-frame-budget ${refusalsA.get('live-frame-budget') ?? 0}, wall-frame-skipped ${refusalsA.get('wall-frame-skipped') ?? 0}; ` +
        `B ${published.length} readings, worst latency ${worst} ms (bound ${B_LATENCY_BOUND_MS.toFixed(0)} ms); hub frames sent ${showfloor.state.hub.framesSent}, skipped ${showfloor.state.hub.framesSkipped}`,
    );

    expect(disconnects).toBe(0);
    expect(wall.connected).toBe(true);
    expect(showfloor.state.walls.refusals().get('slow-reader') ?? 0).toBe(slowReadersBefore);
    expect(worst).toBeLessThan(B_LATENCY_BOUND_MS);
    // A's excess was cut per tick and, while the wall backed up, skipped for it: both counted against A only.
    expect(refusalsA.get('live-frame-budget') ?? 0).toBeGreaterThan(0);
    expect(refusalsA.get('wall-frame-skipped') ?? 0).toBeGreaterThan(0);
    expect(refusalsB.get('live-frame-budget') ?? 0).toBe(0);
    expect(refusalsB.get('wall-frame-skipped') ?? 0).toBe(0);
    // A is not shut out either: it gets what the link leaves.
    expect(framesOfA).toBeGreaterThan(0);
  }, 90_000);
});
