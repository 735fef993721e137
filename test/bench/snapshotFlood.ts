/**
 * By hand, for the figures in issue 9: booth A's live window filled directly (as ~300,000 MQTT
 * messages would fill it, without waiting for them), then one wall connects while booth B publishes
 * QoS 1 readings. Prints what the wall received, how long the event loop was held, B's worst
 * acknowledgement, and whether the server survived. Run on the code before and after the fix:
 *
 *   DEVICES=3 POINTS=100000 npx tsx test/bench/snapshotFlood.ts
 *
 * Before the chunked snapshot, a window this size (19.2 M points, ~600 MB as one JSON string) made
 * socket.io's encoder throw `RangeError: Invalid string length` and the process died.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, wallClient } from '../support/showfloor';

const DEVICES = Number(process.env.DEVICES ?? 3);
const POINTS = Number(process.env.POINTS ?? 100_000);
const METRICS = 64;
const MB = 1024 * 1024;

process.on('uncaughtException', (error) => {
  console.log(`SERVER DIED: uncaughtException ${error.name}: ${error.message}`);
  console.log(error.stack?.split('\n').slice(0, 8).join('\n'));
  process.exit(1);
});

const showfloor = await startTestShowfloor({
  yaml: `live:\n  maxPointsPerSeries: ${POINTS}\nmqtt:\n  messagesPerSecondPerDevice: 1000000\nbudgets:\n  maxSeriesPerBooth: 1000000\n  maxLiveWindowBytesPerBooth: ${64 * 1024 * MB}\n  readingsPerSecondPerBooth: 10000000\n`,
});
const windowMs = 15 * 60_000;
const start = Date.now() - windowMs + 5_000;
const step = windowMs / POINTS;
let filled = 0;
for (let d = 0; d < DEVICES; d++) {
  for (let k = 0; k < POINTS; k++) {
    const values = Object.create(null) as Record<string, number>;
    for (let m = 0; m < METRICS; m++) values[`metric_${m}`] = Math.random() * 1000;
    const ts = Math.floor(start + k * step);
    showfloor.state.directory.recordTelemetry(BOOTH_A.id, `flood-${d}`, ts, values, ts);
    filled += METRICS;
  }
}
console.log(
  `booth A: ${DEVICES} devices × ${METRICS} metrics × ${POINTS} points = ${(filled / 1e6).toFixed(1)} M points; RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB`,
);

const b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
const acks: number[] = [];
const ticker = setInterval(() => {
  const sent = performance.now();
  b.publish(`booth/${BOOTH_B.id}/b-env/telemetry`, JSON.stringify({ temperature: 21, ts: Date.now() }), { qos: 1 }, () => acks.push(performance.now() - sent));
}, 100);

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const wall = wallClient(showfloor.httpUrl);
let bytes = 0;
let chunks = 0;
let largest = 0;
const connected = performance.now();
const done = new Promise<{ truncated: unknown }>((resolve) => {
  wall.on('snapshot', (chunk) => {
    const size = JSON.stringify(chunk).length;
    bytes += size;
    largest = Math.max(largest, size);
    chunks++;
    if (chunk.final !== false) resolve({ truncated: chunk.truncated });
  });
});
wall.connect();
const { truncated } = await done;
const elapsed = performance.now() - connected;
await new Promise((resolve) => setTimeout(resolve, 1000));
clearInterval(ticker);
lag.disable();
console.log(
  `wall: ${chunks} chunk(s), ${(bytes / MB).toFixed(1)} MB, largest ${(largest / 1024).toFixed(0)} KB, complete after ${elapsed.toFixed(0)} ms; truncated ${JSON.stringify(truncated)}`,
);
console.log(
  `event loop: max delay ${(lag.max / 1e6).toFixed(0)} ms; booth B: ${acks.length} acks, worst ${Math.max(...acks).toFixed(0)} ms; RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB; server up`,
);
wall.disconnect();
b.end(true);
await showfloor.close();
