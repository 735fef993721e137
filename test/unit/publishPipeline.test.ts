import type { PublishPacket } from 'aedes';
import { describe, expect, it } from 'vitest';
import type { BoothBudgetRefusal, BrokerRefusal, ConnectionClosed, DevicePublish } from '../../broker/brokerEvents';
import {
  MAX_DEVICES_PER_CONNECTION,
  PUBLISH_PIPELINE,
  boundRetained,
  dropOutsideMount,
  handToSink,
  limitBoothRate,
  limitDeviceRate,
  mountTopic,
  recordDevice,
  runPublishSteps,
  type ConnectionState,
  type InFlightPublish,
  type PublishServices,
} from '../../broker/publishPipeline';
import { RetainedLedger } from '../../broker/RetainedLedger';
import { TokenBucketLimiter } from '../../broker/TokenBucketLimiter';

/** A frozen clock: no bucket refills while a test runs. */
const frozen = () => 0;

interface Recorded {
  services: PublishServices;
  refusals: { refusal: BrokerRefusal; detail: { clientId?: string; booth?: string; topic?: string } }[];
  budgetRefusals: { booth: string; refusal: BoothBudgetRefusal }[];
  published: DevicePublish[];
}

function services(limits: { perDevice?: number; perBooth?: number; retainedTopics?: number; retainedBytes?: number } = {}): Recorded {
  const recorded: Omit<Recorded, 'services'> = { refusals: [], budgetRefusals: [], published: [] };
  const perDevice = limits.perDevice ?? 100;
  const perBooth = limits.perBooth ?? 1000;
  return {
    ...recorded,
    services: {
      deviceMessages: new TokenBucketLimiter({ ratePerSecond: perDevice, burst: perDevice, maxKeys: 100, now: frozen }),
      boothMessages: new TokenBucketLimiter({ ratePerSecond: perBooth, burst: perBooth, maxKeys: 10, now: frozen }),
      retained: new RetainedLedger({ maxTopicsPerBooth: limits.retainedTopics ?? 10, maxBytesPerBooth: limits.retainedBytes ?? 10_000 }),
      sink: {
        devicePublish: (message) => recorded.published.push(message),
        connectionClosed: (_event: ConnectionClosed) => undefined,
      },
      refuse: (refusal, detail) => recorded.refusals.push({ refusal, detail }),
      refuseBudget: (booth, refusal) => recorded.budgetRefusals.push({ booth, refusal }),
      outsideMount: new WeakSet(),
    },
  };
}

function connection(booth = 'booth-a'): ConnectionState {
  return { booth, clientId: 'booth-a-gw', connectionId: 7, address: '10.0.0.5', willTopic: null, devices: new Set(), keepaliveTimedOut: false, closed: false };
}

function publish(topic: string, options: { payload?: string; retain?: boolean; fromWill?: boolean; state?: ConnectionState } = {}): InFlightPublish {
  const packet = {
    cmd: 'publish',
    topic,
    payload: Buffer.from(options.payload ?? '{"t":1}'),
    qos: 1,
    dup: false,
    retain: options.retain ?? false,
  } as PublishPacket;
  return { packet, clientId: 'booth-a-gw', connection: options.state ?? connection(), fromWill: options.fromWill ?? false };
}

describe('the publish pipeline', () => {
  it('declares its steps in one list, in the order the broker applies them', () => {
    expect(PUBLISH_PIPELINE.map(({ at, step }) => `${at}:${step.name}`)).toEqual([
      'authorize:mountTopic',
      'admit:dropOutsideMount',
      'admit:limitDeviceRate',
      'admit:limitBoothRate',
      'admit:boundRetained',
      'published:recordDevice',
      'published:handToSink',
    ]);
  });

  it("spends a booth's budget only on what its device's own budget let through", () => {
    // Device budget 2, booth budget 3: a device over its own limit must not exhaust the booth's.
    const { services: s, refusals } = services({ perDevice: 2, perBooth: 3 });
    const admitted = Array.from({ length: 5 }, () => runPublishSteps('admit', publish('booth/booth-a/noisy/telemetry'), s));
    expect(admitted).toEqual([true, true, false, false, false]);
    expect(runPublishSteps('admit', publish('booth/booth-a/quiet/telemetry'), s)).toBe(true);
    expect(refusals.map((r) => r.refusal)).toEqual(['rate-limited', 'rate-limited', 'rate-limited']);
  });

  it('runs only the steps of the moment asked for, and stops at the first that says no', () => {
    const ran: string[] = [];
    const step = (name: string, goOn: boolean) => () => (ran.push(name), goOn);
    const pipeline = [
      { at: 'authorize' as const, step: step('a1', true) },
      { at: 'admit' as const, step: step('b1', true) },
      { at: 'admit' as const, step: step('b2', false) },
      { at: 'admit' as const, step: step('b3', true) },
      { at: 'published' as const, step: step('c1', true) },
    ];
    expect(runPublishSteps('admit', publish('booth/booth-a/d/telemetry'), services().services, pipeline)).toBe(false);
    expect(ran).toEqual(['b1', 'b2']);
  });

  it('hands a publish to the sink only at the published moment, after recording its device', () => {
    const { services: s, published } = services();
    const flight = publish('booth/booth-a/dev-1/telemetry');
    runPublishSteps('authorize', flight, s);
    runPublishSteps('admit', flight, s);
    expect(published).toHaveLength(0);
    runPublishSteps('published', flight, s);
    expect(published).toHaveLength(1);
    expect([...flight.connection.devices]).toEqual(['dev-1']);
  });
});

describe('mountTopic and dropOutsideMount', () => {
  it("keeps a topic under the booth's own prefix, mounts any other, and refuses another booth's or a $ topic without closing the connection", () => {
    const { services: s, refusals } = services();
    const native = publish('booth/booth-a/dev-1/telemetry');
    expect(mountTopic(native, s)).toBe(true);
    expect(native.packet.topic).toBe('booth/booth-a/dev-1/telemetry');
    const stock = publish('tele/tasmota_A1B2C3/SENSOR');
    expect(mountTopic(stock, s)).toBe(true);
    expect(stock.packet.topic).toBe('booth/booth-a/raw/tele/tasmota_A1B2C3/SENSOR');
    expect(dropOutsideMount(stock, s)).toBe(true);
    // A booth whose id starts with another's is another booth.
    const refused = ['booth/booth-ab/dev-1/telemetry', 'booth/booth-b/dev-1/telemetry', '$SYS/broker/uptime'].map((topic) => publish(topic));
    for (const flight of refused) {
      // True at authorize: an error there would close the connection; the publish is dropped at admit.
      expect(mountTopic(flight, s)).toBe(true);
      expect(dropOutsideMount(flight, s)).toBe(false);
    }
    expect(refusals).toEqual(
      ['booth/booth-ab/dev-1/telemetry', 'booth/booth-b/dev-1/telemetry', '$SYS/broker/uptime'].map((topic) => ({
        refusal: 'publish-denied',
        detail: { clientId: 'booth-a-gw', booth: 'booth-a', topic },
      })),
    );
  });
});

describe('limitDeviceRate', () => {
  it('gives each device of a gateway its own budget and never limits a will', () => {
    const { services: s, refusals } = services({ perDevice: 1 });
    expect(limitDeviceRate(publish('booth/booth-a/dev-1/telemetry'), s)).toBe(true);
    expect(limitDeviceRate(publish('booth/booth-a/dev-1/telemetry'), s)).toBe(false);
    expect(limitDeviceRate(publish('booth/booth-a/dev-2/telemetry'), s)).toBe(true);
    expect(limitDeviceRate(publish('booth/booth-a/dev-1/status', { fromWill: true }), s)).toBe(true);
    expect(refusals.map((r) => r.refusal)).toEqual(['rate-limited']);
  });

  it('keys a topic without a valid device id by the client id, so such topics share one budget', () => {
    const { services: s } = services({ perDevice: 1 });
    expect(limitDeviceRate(publish('booth/booth-a/not a device/x'), s)).toBe(true);
    expect(limitDeviceRate(publish('booth/booth-a/'), s)).toBe(false);
  });

  it('keeps the same device id of two booths apart', () => {
    const { services: s } = services({ perDevice: 1 });
    expect(limitDeviceRate(publish('booth/booth-a/dev-1/telemetry'), s)).toBe(true);
    expect(limitDeviceRate(publish('booth/booth-b/dev-1/telemetry', { state: connection('booth-b') }), s)).toBe(true);
  });
});

describe('limitBoothRate', () => {
  it("cuts a booth's flood spread over many devices, counts it against that booth, and lets wills through", () => {
    const { services: s, refusals, budgetRefusals } = services({ perBooth: 2 });
    const admitted = [1, 2, 3].map((i) => limitBoothRate(publish(`booth/booth-a/dev-${i}/telemetry`), s));
    expect(admitted).toEqual([true, true, false]);
    expect(limitBoothRate(publish('booth/booth-a/dev-1/status', { fromWill: true }), s)).toBe(true);
    // Another booth has its own budget.
    expect(limitBoothRate(publish('booth/booth-b/dev-1/telemetry', { state: connection('booth-b') }), s)).toBe(true);
    expect(refusals.map((r) => r.refusal)).toEqual(['booth-rate-limited']);
    expect(budgetRefusals).toEqual([{ booth: 'booth-a', refusal: 'booth-rate-limited' }]);
  });
});

describe('boundRetained', () => {
  it('keeps the retain flag of status and meta within the limits, and drops it (delivering the message) past them', () => {
    const { services: s, refusals, budgetRefusals } = services({ retainedTopics: 1 });
    const kept = publish('booth/booth-a/dev-1/meta', { retain: true });
    expect(boundRetained(kept, s)).toBe(true);
    expect(kept.packet.retain).toBe(true);

    const telemetry = publish('booth/booth-a/dev-1/telemetry', { retain: true });
    expect(boundRetained(telemetry, s)).toBe(true);
    expect(telemetry.packet.retain).toBe(false);

    const overTopics = publish('booth/booth-a/dev-2/meta', { retain: true });
    expect(boundRetained(overTopics, s)).toBe(true);
    expect(overTopics.packet.retain).toBe(false);

    expect(refusals.map((r) => r.refusal)).toEqual(['retain-dropped', 'retain-dropped']);
    // Neither a topic outside the contract nor the topic count is the booth's byte budget.
    expect(budgetRefusals).toEqual([]);
  });

  it("counts a message past the booth's retained bytes against that booth", () => {
    const { services: s, budgetRefusals } = services({ retainedBytes: 40 });
    const big = publish('booth/booth-a/dev-1/meta', { retain: true, payload: 'x'.repeat(40) });
    expect(boundRetained(big, s)).toBe(true);
    expect(big.packet.retain).toBe(false);
    expect(budgetRefusals).toEqual([{ booth: 'booth-a', refusal: 'retained-bytes-budget' }]);
  });

  it('leaves a message without the retain flag alone', () => {
    const { services: s, refusals } = services({ retainedTopics: 1 });
    expect(boundRetained(publish('booth/booth-a/dev-1/telemetry'), s)).toBe(true);
    expect(refusals).toEqual([]);
  });
});

describe('recordDevice', () => {
  it('remembers the devices a connection spoke for, up to its bound', () => {
    const { services: s } = services();
    const state = connection();
    for (let i = 0; i < MAX_DEVICES_PER_CONNECTION + 50; i++) recordDevice(publish(`booth/booth-a/dev-${i}/telemetry`, { state }), s);
    recordDevice(publish('booth/booth-a/dev-0/telemetry', { state }), s);
    expect(state.devices.size).toBe(MAX_DEVICES_PER_CONNECTION);
  });
});

describe('handToSink', () => {
  it('hands the sink the publish with the connection it came from', () => {
    const { services: s, published } = services();
    const state = { ...connection(), keepaliveTimedOut: true };
    handToSink(publish('booth/booth-a/dev-1/status', { payload: 'offline', fromWill: true, state }), s);
    expect(published).toEqual([
      {
        booth: 'booth-a',
        topic: 'booth/booth-a/dev-1/status',
        payload: Buffer.from('offline'),
        clientId: 'booth-a-gw',
        connectionId: 7,
        fromWill: true,
        keepaliveTimedOut: true,
      },
    ]);
  });
});
