/**
 * Decode cost per Sparkplug B DDATA payload, next to the native validator on the same readings as
 * flat JSON, in one process on this machine: `npx tsx test/bench/sparkplugDecode.ts`. Figures are
 * reported, never asserted. `measureSparkplugDecode` is exported so `npm run bench` can take it as
 * its adapter step. The payloads are what Tahu's encoder makes for an edge node that learnt its
 * aliases at DBIRTH ([tck-id-payloads-alias-data-cmd-requirement]: DATA carries aliases only).
 */
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload';
import { createSparkplugAdapter } from '../../server/adapters/sparkplug';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';

export interface DecodeFigure {
  metrics: number;
  payloadBytes: number;
  sparkplugMicros: number;
  nativeJsonMicros: number;
  sparkplugPerSecond: number;
}

const BOOTH = 'bench';
const EDGE = 'edge1';
const DEVICE = 'plc1';

function timePerCall(iterations: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 2_000); i++) run(i); // warm-up: JIT and caches
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i);
  return Number(process.hrtime.bigint() - started) / 1_000 / iterations;
}

export function measureSparkplugDecode(metricCounts: readonly number[] = [1, 10, 64], iterations = 20_000): DecodeFigure[] {
  const codec = sparkplugPayload.get('spBv1.0');
  if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
  const figures: DecodeFigure[] = [];
  for (const count of metricCounts) {
    const now = Date.now();
    // seq is checked, so the clock and seq advance with each call; the adapter never sees a gap.
    let seq = 0;
    const adapter = createSparkplugAdapter(BOOTH, { publishToBooth: () => undefined }, { now: () => now });
    const birthMetrics: UMetric[] = [{ name: 'bdSeq', type: 'Int64', value: 0 }];
    const dbirth: UMetric[] = Array.from({ length: count }, (_, i) => ({ name: `Inputs/Sensor ${i}`, alias: i + 1, type: 'Double', value: i }));
    const publish = (topic: string, payload: Uint8Array) =>
      adapter.decode({ booth: BOOTH, topic, payload: Buffer.from(payload), receivedAt: now, fromWill: false, clientId: EDGE });
    publish(`spBv1.0/g/NBIRTH/${EDGE}`, codec.encodePayload({ timestamp: now, seq: seq++, metrics: birthMetrics }));
    publish(`spBv1.0/g/DBIRTH/${EDGE}/${DEVICE}`, codec.encodePayload({ timestamp: now, seq: seq++, metrics: dbirth }));
    // 256 distinct DDATA payloads so seq runs round its wrap as the edge node's would.
    const payloads = Array.from({ length: 256 }, (_, s) =>
      Buffer.from(
        codec.encodePayload({
          timestamp: now,
          seq: s,
          metrics: Array.from({ length: count }, (_, i) => ({ alias: i + 1, type: 'Double', value: 20 + i + s / 100, timestamp: now })),
        }),
      ),
    );
    let produced = 0;
    let refused = 0;
    const topic = `spBv1.0/g/DDATA/${EDGE}/${DEVICE}`;
    const sparkplugMicros = timePerCall(iterations, () => {
      const payload = payloads[seq % 256] ?? payloads[0];
      seq = (seq + 1) % 256;
      const result = adapter.decode({ booth: BOOTH, topic, payload: payload as Buffer, receivedAt: now, fromWill: false, clientId: EDGE });
      produced += result.messages.length;
      refused += result.rejections.length;
    });
    if (produced === 0 || refused > 0)
      throw new Error(`the adapter produced ${produced} messages and ${refused} rejections: the bench would measure the wrong path`);

    const validator = new TelemetryValidator();
    const json = Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`inputs_sensor_${i}`, 20 + i + 0.25]))));
    const nativeJsonMicros = timePerCall(iterations, () => {
      validator.validate(`booth/${BOOTH}/${EDGE}_${DEVICE}/telemetry`, json, BOOTH, now);
    });
    figures.push({
      metrics: count,
      payloadBytes: payloads[0]?.length ?? 0,
      sparkplugMicros,
      nativeJsonMicros,
      sparkplugPerSecond: Math.round(1_000_000 / sparkplugMicros),
    });
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = measureSparkplugDecode();
  for (const f of figures) {
    console.log(
      `DDATA with ${f.metrics} metric(s), ${f.payloadBytes} B: ${f.sparkplugMicros.toFixed(2)} µs per payload ` +
        `(${f.sparkplugPerSecond.toLocaleString('en')} /s on one core); native JSON validator on the same readings ${f.nativeJsonMicros.toFixed(2)} µs ` +
        `(ratio ${(f.sparkplugMicros / f.nativeJsonMicros).toFixed(2)}×)`,
    );
  }
}
