/**
 * Baseline A: raw Aedes pass-through. A plain Aedes broker in its own process, the same gateway
 * fleet flooding it, and one subscriber on `#` counting what comes out the other side.
 */
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { freePorts } from '../../server/net/freePorts';
import { CpuMeter, type CpuReport } from './cpuMeter';
import { GatewayFleet, type GatewayLogin } from './gatewayFleet';
import { TsxChild } from './tsxChild';

export interface AedesBaselinePlan {
  gateways: readonly GatewayLogin[];
  devicesPerGateway: number;
  durationMs: number;
  /** The first part of the flood is left out of the rate: connections and JIT are still warming up. */
  warmupMs: number;
  /** Readings published but not yet counted by the subscriber, at most. */
  maxInFlight: number;
  signal?: AbortSignal;
}

export interface AedesBaselineResult {
  maxInFlight: number;
  published: number;
  received: number;
  /** Subscriber receipts per second over the steady part of the flood. */
  receivedPerSecond: number;
  publishedPerSecond: number;
  measuredOverMs: number;
  cpu: CpuReport;
}

export async function measureAedesBaseline(plan: AedesBaselinePlan): Promise<AedesBaselineResult> {
  const [port] = (await freePorts(1)) as [number];
  const broker = await TsxChild.start({ name: 'plain Aedes broker', script: 'test/bench/plainAedesBroker.ts', args: [String(port)] });
  let fleet: GatewayFleet | undefined;
  let subscriber: MqttClient | undefined;
  try {
    await waitForLine(broker, `listening ${port}`, 15_000);
    const url = `mqtt://127.0.0.1:${port}`;
    let received = 0;
    subscriber = await mqtt.connectAsync(url, { clientId: `bench-sub-${process.pid}`, reconnectPeriod: 0, protocolVersion: 4 });
    subscriber.on('message', () => received++);
    await subscriber.subscribeAsync('#', { qos: 0 });
    fleet = await GatewayFleet.connect(url, plan.gateways, plan.devicesPerGateway);

    const meter = new CpuMeter(() => [
      { label: 'bench (load generator + subscriber)', pid: process.pid },
      { label: 'plain Aedes broker', pid: broker.scriptPid },
    ]);
    let steadyStart: { atMs: number; received: number } | undefined;
    const warmupOver = delay(plan.warmupMs, undefined, { signal: plan.signal }).then(
      () => {
        steadyStart = { atMs: Date.now(), received };
        meter.begin();
      },
      () => undefined,
    );
    const run = await fleet.run({
      devicePrefix: 'aedes',
      ratePerSecond: Number.POSITIVE_INFINITY,
      durationMs: plan.durationMs,
      inFlightLimit: { max: plan.maxInFlight, delivered: () => received },
      signal: plan.signal,
    });
    await warmupOver;
    const steadyEnd = { atMs: Date.now(), received };
    const cpu = meter.end();
    if (!steadyStart) throw new Error('the Aedes flood ended before its warm-up');
    // Let what is still in flight arrive, so received vs published shows loss rather than lag.
    for (let waited = 0; waited < 10_000 && received < run.published && !plan.signal?.aborted; waited += 50) await delay(50);
    const measuredOverMs = steadyEnd.atMs - steadyStart.atMs;
    return {
      maxInFlight: plan.maxInFlight,
      published: run.published,
      received,
      receivedPerSecond: Math.round(((steadyEnd.received - steadyStart.received) * 1000) / measuredOverMs),
      publishedPerSecond: run.achievedPerSecond,
      measuredOverMs,
      cpu,
    };
  } finally {
    await fleet?.close();
    await subscriber?.endAsync(true).catch(() => undefined);
    await broker.stop(5_000);
  }
}

async function waitForLine(child: TsxChild, line: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.outputLines().includes(line)) {
    if (child.hasExited) throw new Error(`${child.name} exited (${child.exitDescription}):\n${child.outputLines().join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${child.name} did not print "${line}" within ${timeoutMs} ms`);
    await delay(50);
  }
}
