/**
 * The Sparkplug B adapter, fed payloads built with Eclipse Tahu's own encoder (sparkplug-payload).
 * Fixtures: the NBIRTH, DBIRTH, NDATA and DDATA examples of the Sparkplug 3.0 spec, Payloads chapter
 * ("Payload Representation on Host Applications": group `Sparkplug B Devices`, edge `Raspberry Pi`,
 * device `Pibrella`), with aliases added as [tck-id-payloads-alias-birth-requirement] allows.
 * Rebirth requests go to a fake BoothCommands that records them (the ingest routing that wires a
 * real broker to adapters is another helper's part of issue 11).
 */
import Long from 'long';
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, METRIC_PATTERN } from '../../contract/device';
import type { BoothCommands, RawPublish } from '../../server/adapters/DeviceAdapter';
import { createSparkplugAdapter, type SparkplugAdapterOptions } from '../../server/adapters/sparkplug';
import { toDeviceId, toMetricName } from '../../server/adapters/sparkplugNames';
import type { DeviceMessage, TelemetryMessage } from '../../server/ingest/TelemetryValidator';

const codec = sparkplugPayload.get('spBv1.0');
if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
const encode = (payload: UPayload): Buffer => Buffer.from(codec.encodePayload(payload));

// The spec examples' clock: 2017-02-03T17:55:02.122Z.
const T = 1486144502122;
const BOOTH = 'acme';
const GROUP = 'Sparkplug B Devices';
const EDGE = 'Raspberry Pi';
const DEVICE = 'Pibrella';

class RecordingCommands implements BoothCommands {
  readonly sent: { booth: string; topic: string; payload: Buffer }[] = [];
  publishToBooth(booth: string, topic: string, payload: Buffer): void {
    this.sent.push({ booth, topic, payload });
  }
}

function setup(options: SparkplugAdapterOptions = {}) {
  const clock = { now: T + 1000 };
  const commands = new RecordingCommands();
  const adapter = createSparkplugAdapter(BOOTH, commands, { now: () => clock.now, ...options });
  const send = (topic: string, payload: Buffer | UPayload, fromWill = false) =>
    adapter.decode({
      booth: BOOTH,
      topic,
      payload: Buffer.isBuffer(payload) ? payload : encode(payload),
      receivedAt: clock.now,
      fromWill,
      clientId: 'edge-rpi',
    } satisfies RawPublish);
  return { adapter, commands, clock, send };
}

const metric = (name: string, type: UMetric['type'], value: UMetric['value'], alias?: number): UMetric => ({
  name,
  type,
  value,
  timestamp: T,
  ...(alias === undefined ? {} : { alias }),
});

/** Spec Payloads chapter, NBIRTH example (aliases added). */
const NBIRTH: UPayload = {
  timestamp: T,
  seq: 0,
  metrics: [
    metric('bdSeq', 'Int64', 0),
    metric('Node Control/Reboot', 'Boolean', false),
    metric('Node Control/Rebirth', 'Boolean', false),
    metric('Node Control/Next Server', 'Boolean', false),
    metric('Node Control/Scan Rate', 'Int64', 3000),
    metric('Properties/Hardware Make', 'String', 'Raspberry Pi'),
    metric('Properties/Hardware Model', 'String', 'Pi 3 Model B'),
    metric('Properties/OS', 'String', 'Raspbian'),
    metric('Properties/OS Version', 'String', 'Jessie with PIXEL/11.01.2017'),
    { ...metric('Supply Voltage', 'Float', 12.1, 1), properties: { engUnit: { type: 'String', value: 'V' } } },
  ],
};

/** Spec Payloads chapter, DBIRTH example (aliases added). */
const DBIRTH: UPayload = {
  timestamp: T,
  seq: 1,
  metrics: [
    metric('Inputs/A', 'Boolean', false, 10),
    metric('Inputs/B', 'Boolean', false, 11),
    metric('Inputs/C', 'Boolean', false, 12),
    metric('Outputs/LEDs/Green', 'Boolean', false, 13),
    metric('Properties/Hardware Make', 'String', 'Pibrella', 14),
  ],
};

const nodeTopic = (verb: string) => `spBv1.0/${GROUP}/${verb}/${EDGE}`;
const deviceTopic = (verb: string) => `spBv1.0/${GROUP}/${verb}/${EDGE}/${DEVICE}`;
const telemetry = (messages: DeviceMessage[]) => messages.filter((m): m is TelemetryMessage => m.kind === 'telemetry');
const reasons = (result: { rejections: { reason: string }[] }) => result.rejections.map((r) => r.reason);

function born(options: SparkplugAdapterOptions = {}) {
  const s = setup(options);
  s.send(nodeTopic('NBIRTH'), NBIRTH);
  s.send(deviceTopic('DBIRTH'), DBIRTH);
  return s;
}

describe('Sparkplug B adapter: the spec examples', () => {
  it('NBIRTH: the node comes online with its numeric metrics, units from engUnit, strings dropped with a counted reason', () => {
    const { send } = setup();
    const result = send(nodeTopic('NBIRTH'), NBIRTH);
    const nodeId = 'Raspberry_Pi';
    expect(ID_PATTERN.test(nodeId)).toBe(true);
    expect(result.messages).toContainEqual({ kind: 'status', booth: BOOTH, device: nodeId, status: 'online' });
    const meta = result.messages.find((m) => m.kind === 'meta');
    expect(meta).toMatchObject({ device: nodeId, meta: { name: 'Raspberry Pi' } });
    expect(meta?.kind === 'meta' && meta.meta.units?.supply_voltage).toBe('V');
    const [reading] = telemetry(result.messages);
    expect(reading).toMatchObject({ device: nodeId, ts: T });
    // Float 12.1 survives float32 as 12.100000381…
    expect(reading?.values.supply_voltage).toBeCloseTo(12.1, 5);
    // bdSeq and Node Control/* are bookkeeping, not readings.
    expect(Object.keys(reading?.values ?? {})).toEqual(['supply_voltage']);
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({ reason: 'not-a-reading', device: nodeId });
    expect(result.rejections[0]?.detail).toContain('and 3 more');
  });

  it('DBIRTH then DDATA by alias: readings land on <edge>_<device> with mapped metric names, Boolean as 1/0', () => {
    const { send } = born();
    const result = send(deviceTopic('DDATA'), {
      timestamp: T + 500,
      // The spec's example DDATA says seq 0, which only fits a fresh session; after NBIRTH 0 and DBIRTH 1 it is 2.
      seq: 2,
      metrics: [
        { alias: 10, type: 'Boolean', value: true, timestamp: T + 400 },
        { alias: 12, type: 'Boolean', value: true, timestamp: T + 400 },
      ],
    });
    expect(result.rejections).toEqual([]);
    expect(telemetry(result.messages)).toEqual([
      { kind: 'telemetry', booth: BOOTH, device: 'Raspberry_Pi_Pibrella', ts: T + 400, values: { inputs_a: 1, inputs_c: 1 } },
    ]);
    for (const name of Object.keys(telemetry(result.messages)[0]?.values ?? {})) expect(METRIC_PATTERN.test(name)).toBe(true);
  });

  it('NDATA by name (no aliases) is read too, with the payload timestamp when a metric has none', () => {
    const { send } = born();
    const result = send(nodeTopic('NDATA'), { timestamp: T + 900, seq: 2, metrics: [{ name: 'Supply Voltage', type: 'Float', value: 12.3 }] });
    expect(result.rejections).toEqual([]);
    const [reading] = telemetry(result.messages);
    expect(reading?.ts).toBe(T + 900);
    expect(reading?.values.supply_voltage).toBeCloseTo(12.3, 5);
  });

  it('seq wraps from 255 to 0 without a gap', () => {
    const { send, commands } = setup();
    send(nodeTopic('NBIRTH'), { ...NBIRTH, seq: 254 });
    const at255 = send(nodeTopic('NDATA'), { timestamp: T, seq: 255, metrics: [{ alias: 1, type: 'Float', value: 1 }] });
    const at0 = send(nodeTopic('NDATA'), { timestamp: T, seq: 0, metrics: [{ alias: 1, type: 'Float', value: 2 }] });
    expect(reasons(at255)).toEqual([]);
    expect(reasons(at0)).toEqual([]);
    expect(commands.sent).toEqual([]);
  });
});

describe('Sparkplug B adapter: 64-bit values and types', () => {
  it('Int64/UInt64 within 2^53 are exact; beyond it they are counted, never stored rounded', () => {
    const { send } = setup();
    const result = send(nodeTopic('NBIRTH'), {
      timestamp: T,
      seq: 0,
      metrics: [
        metric('bdSeq', 'Int64', 0),
        metric('Counts/Safe', 'UInt64', Long.fromNumber(Number.MAX_SAFE_INTEGER, true)),
        metric('Counts/Negative', 'Int64', Long.fromNumber(-42)),
        metric('Counts/Huge', 'UInt64', Long.fromString('18446744073709551615', true)),
        metric('Counts/Just Over', 'Int64', Long.fromString('9007199254740993')),
        metric('Small/Int8', 'Int8', -5),
        metric('Small/UInt32', 'UInt32', 4_000_000_000),
      ],
    });
    const [reading] = telemetry(result.messages);
    expect(reading?.values).toEqual({
      counts_safe: Number.MAX_SAFE_INTEGER,
      counts_negative: -42,
      small_int8: -5,
      small_uint32: 4_000_000_000,
    });
    const unsafe = result.rejections.find((r) => r.reason === 'unsafe-integer');
    expect(unsafe?.detail).toContain('and 1 more');
  });

  it('DataSet, Template and Bytes metrics are dropped with not-a-reading; the number beside them is kept', () => {
    const { send } = setup();
    const result = send(nodeTopic('NBIRTH'), {
      timestamp: T,
      seq: 0,
      metrics: [
        metric('bdSeq', 'Int64', 0),
        metric('Table', 'DataSet', { numOfColumns: 1, columns: ['a'], types: ['Int32'], rows: [[1], [2]] }),
        metric('Blob', 'Bytes', new Uint8Array([1, 2, 3])),
        metric('Tpl', 'Template', { isDefinition: true, metrics: [metric('x', 'Int32', 1)], parameters: [] }),
        metric('Temperature', 'Double', 21.5),
      ],
    });
    expect(telemetry(result.messages)[0]?.values).toEqual({ temperature: 21.5 });
    expect(reasons(result)).toEqual(['not-a-reading']);
    expect(result.rejections[0]?.detail).toContain('and 2 more');
  });
});

describe('Sparkplug B adapter: sessions, rebirths and deaths', () => {
  it('DATA before BIRTH is counted and answered with one NCMD Node Control/Rebirth = true inside the booth', () => {
    const { send, commands } = setup();
    const result = send(deviceTopic('DDATA'), { timestamp: T, seq: 5, metrics: [{ alias: 10, type: 'Boolean', value: true }] });
    expect(reasons(result)).toEqual(['data-before-birth']);
    expect(telemetry(result.messages)).toEqual([]);
    expect(commands.sent).toHaveLength(1);
    const [request] = commands.sent;
    expect(request?.booth).toBe(BOOTH);
    expect(request?.topic).toBe(`spBv1.0/${GROUP}/NCMD/${EDGE}`);
    const decoded = codec.decodePayload(request?.payload ?? new Uint8Array());
    expect(decoded.metrics).toEqual([expect.objectContaining({ name: 'Node Control/Rebirth', type: 'Boolean', value: true })]);
    expect(decoded.timestamp).toBeDefined();
  });

  it('a seq gap is counted and answered with a rebirth; the readings of that message are still kept', () => {
    const { send, commands } = born();
    const result = send(nodeTopic('NDATA'), { timestamp: T, seq: 7, metrics: [{ alias: 1, type: 'Float', value: 11.5 }] });
    expect(reasons(result)).toEqual(['sequence-gap']);
    expect(telemetry(result.messages)[0]?.values.supply_voltage).toBe(11.5);
    expect(commands.sent.map((c) => c.topic)).toEqual([`spBv1.0/${GROUP}/NCMD/${EDGE}`]);
  });

  it('an unknown alias is counted and answered with a rebirth; the known alias beside it is kept', () => {
    const { send, commands } = born();
    const result = send(deviceTopic('DDATA'), {
      timestamp: T,
      seq: 2,
      metrics: [
        { alias: 10, type: 'Boolean', value: true },
        { alias: 999, type: 'Boolean', value: true },
        // Alias 1 is the node's Supply Voltage: not one of this device's metrics.
        { alias: 1, type: 'Float', value: 3 },
      ],
    });
    expect(reasons(result)).toEqual(['unknown-alias']);
    expect(result.rejections[0]?.detail).toContain('and 1 more');
    expect(telemetry(result.messages)[0]?.values).toEqual({ inputs_a: 1 });
    expect(commands.sent).toHaveLength(1);
  });

  it('rebirth requests are rate-limited per edge node, and booth-wide across many node names', () => {
    const { send, commands, clock, adapter } = setup({ rebirthIntervalMs: 10_000, maxRebirthsPerMinute: 5 });
    for (let i = 0; i < 100; i++) send(nodeTopic('NDATA'), { timestamp: T, seq: i % 256, metrics: [] });
    expect(commands.sent).toHaveLength(1);
    clock.now += 10_000;
    send(nodeTopic('NDATA'), { timestamp: T, seq: 0, metrics: [] });
    expect(commands.sent).toHaveLength(2);
    for (let i = 0; i < 100; i++) send(`spBv1.0/${GROUP}/NDATA/node-${i}`, { timestamp: T, seq: 0, metrics: [] });
    expect(commands.sent).toHaveLength(5);
    expect(adapter.stats().rebirthsSuppressed).toBe(99 + 97);
    // Edge node state stayed bounded by maxEdgeNodes (default 64) although 101 node names were seen.
    expect(adapter.stats().edgeNodes).toBeLessThanOrEqual(64);
  });

  it('NDEATH with the NBIRTH bdSeq takes the node and its devices offline; a stale NDEATH (old bdSeq) is ignored', () => {
    const { send } = setup();
    // Session 1 (bdSeq 0), then the node reconnects: session 2 (bdSeq 1).
    send(nodeTopic('NBIRTH'), NBIRTH);
    send(nodeTopic('NBIRTH'), { ...NBIRTH, metrics: [metric('bdSeq', 'Int64', 1), ...(NBIRTH.metrics ?? []).slice(1)] });
    send(deviceTopic('DBIRTH'), DBIRTH);
    // Session 1's will arrives late (Operational Behavior: "timing with Will Messages may result in NDEATH messages arriving after a new/next NBIRTH").
    const stale = send(nodeTopic('NDEATH'), { timestamp: T, metrics: [metric('bdSeq', 'Int64', 0)] }, true);
    expect(stale.messages).toEqual([]);
    expect(reasons(stale)).toEqual(['stale-death']);
    // Still alive: data flows.
    const alive = send(deviceTopic('DDATA'), { timestamp: T, seq: 2, metrics: [{ alias: 10, type: 'Boolean', value: true }] });
    expect(telemetry(alive.messages)).toHaveLength(1);
    const death = send(nodeTopic('NDEATH'), { timestamp: T, metrics: [metric('bdSeq', 'Int64', 1)] }, true);
    expect(death.rejections).toEqual([]);
    expect(death.messages).toEqual([
      { kind: 'status', booth: BOOTH, device: 'Raspberry_Pi_Pibrella', status: 'offline' },
      { kind: 'status', booth: BOOTH, device: 'Raspberry_Pi', status: 'offline' },
    ]);
    // After the death, DATA needs a new BIRTH.
    expect(reasons(send(nodeTopic('NDATA'), { timestamp: T, seq: 3, metrics: [{ alias: 1, type: 'Float', value: 1 }] }))).toEqual(['data-before-birth']);
  });

  it('DDEATH takes only that device offline; its DDATA afterwards asks for a rebirth', () => {
    const { send, commands } = born();
    const death = send(deviceTopic('DDEATH'), { timestamp: T, seq: 2 });
    expect(death.messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'Raspberry_Pi_Pibrella', status: 'offline' }]);
    expect(reasons(send(deviceTopic('DDATA'), { timestamp: T, seq: 3, metrics: [{ alias: 10, type: 'Boolean', value: true }] }))).toEqual([
      'data-before-birth',
    ]);
    expect(commands.sent).toHaveLength(1);
  });

  it('STATE, NCMD and DCMD are ignored (our own rebirth requests come back through the mount)', () => {
    const { send, commands } = setup();
    for (const topic of ['spBv1.0/STATE/host1', `spBv1.0/${GROUP}/NCMD/${EDGE}`, `spBv1.0/${GROUP}/DCMD/${EDGE}/${DEVICE}`]) {
      expect(send(topic, Buffer.from('{"online":true}'))).toEqual({ messages: [], rejections: [] });
    }
    expect(commands.sent).toEqual([]);
  });
});

describe('Sparkplug B adapter: hostile input is counted, never thrown, never unbounded', () => {
  it('truncated protobuf, garbage and a malformed topic are counted; the next good message is read', () => {
    const { send } = born();
    const good = encode({ timestamp: T, seq: 2, metrics: [{ alias: 1, type: 'Float', value: 12.5 }] });
    expect(reasons(send(nodeTopic('NDATA'), good.subarray(0, good.length - 3)))).toContain('bad-protobuf');
    expect(reasons(send(nodeTopic('NDATA'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))).toContain('bad-protobuf');
    expect(reasons(send(`spBv1.0/${GROUP}/NDATA`, good))).toEqual(['topic-outside-contract']);
    expect(reasons(send(`spBv1.0/${GROUP}/DDATA/${EDGE}`, good))).toEqual(['topic-outside-contract']);
    const after = send(nodeTopic('NDATA'), { timestamp: T, seq: 3, metrics: [{ alias: 1, type: 'Float', value: 12.5 }] });
    expect(telemetry(after.messages)[0]?.values.supply_voltage).toBe(12.5);
  });

  it('deeply nested Templates are refused or dropped, never thrown: within the size limit and far past the stack', () => {
    const shallow = born();
    const within = shallow.send(nodeTopic('NDATA'), nestedTemplates(2500));
    expect(within.messages.filter((m) => m.kind === 'telemetry')).toEqual([]);
    expect(within.rejections.length).toBeGreaterThan(0);
    const deep = born({ limits: { maxPayloadBytes: 4 << 20, maxFutureSkewMs: 300_000, minTimestamp: 0, maxAgeMs: 1e12 } });
    const result = deep.send(nodeTopic('NDATA'), nestedTemplates(200_000));
    expect(reasons(result)).toContain('bad-protobuf');
    // The node is still readable afterwards.
    const after = deep.send(nodeTopic('NDATA'), { timestamp: T, seq: 3, metrics: [{ alias: 1, type: 'Float', value: 12.5 }] });
    expect(telemetry(after.messages)[0]?.values.supply_voltage).toBe(12.5);
  });

  it('a huge metric array: only maxMetricsPerPayload are read, the rest counted; readings split into messages of 64', () => {
    const { send } = setup({ maxMetricsPerPayload: 200, limits: { maxPayloadBytes: 1 << 20, maxFutureSkewMs: 300_000, minTimestamp: 0, maxAgeMs: 1e12 } });
    const metrics = Array.from({ length: 5000 }, (_, i) => metric(`m${i}`, 'Int32', i, i + 100));
    const result = send(nodeTopic('NBIRTH'), { timestamp: T, seq: 0, metrics: [metric('bdSeq', 'Int64', 0), ...metrics] });
    expect(reasons(result)).toContain('too-many-fields');
    const readings = telemetry(result.messages);
    const total = readings.reduce((sum, m) => sum + Object.keys(m.values).length, 0);
    expect(total).toBe(199);
    expect(Math.max(...readings.map((m) => Object.keys(m.values).length))).toBeLessThanOrEqual(64);
  });

  it('payloads over the size limit are refused before decoding', () => {
    const { send } = setup();
    expect(reasons(send(nodeTopic('NBIRTH'), Buffer.alloc(17 * 1024, 0x08)))).toEqual(['payload-too-large']);
  });

  it('devices per edge node and definitions per edge node are bounded', () => {
    const { send } = setup({ maxDevicesPerNode: 3, maxDefinitionsPerNode: 40 });
    send(nodeTopic('NBIRTH'), NBIRTH);
    const results = Array.from({ length: 6 }, (_, i) =>
      send(`spBv1.0/${GROUP}/DBIRTH/${EDGE}/dev${i}`, { timestamp: T, seq: i + 1, metrics: [metric(`Inputs/X${i}`, 'Int32', i, 50 + i)] }),
    );
    expect(results.slice(0, 3).every((r) => r.rejections.length === 0)).toBe(true);
    expect(results.slice(3).map((r) => reasons(r))).toEqual([['adapter-state-full'], ['adapter-state-full'], ['adapter-state-full']]);
    const many = send(`spBv1.0/${GROUP}/DBIRTH/${EDGE}/dev0`, {
      timestamp: T,
      seq: 7,
      metrics: Array.from({ length: 50 }, (_, i) => metric(`Big/${i}`, 'Int32', i, 500 + i)),
    });
    expect(reasons(many)).toContain('adapter-state-full');
  });

  it('a timestamp beyond 2^53 or far in the future drops that metric only', () => {
    const { send } = born();
    const result = send(nodeTopic('NDATA'), {
      timestamp: T,
      seq: 2,
      metrics: [
        { alias: 1, type: 'Float', value: 1, timestamp: Long.MAX_UNSIGNED_VALUE },
        { name: 'Supply Voltage', type: 'Float', value: 2, timestamp: T + 86_400_000 },
        { name: 'Supply Voltage', type: 'Float', value: 3, timestamp: T + 200 },
      ],
    });
    expect(reasons(result)).toEqual(['bad-timestamp']);
    expect(telemetry(result.messages)).toEqual([expect.objectContaining({ ts: T + 200, values: { supply_voltage: 3 } })]);
  });

  it('names that map to the same metric keep the first and count the second', () => {
    const { send } = setup();
    const result = send(nodeTopic('NBIRTH'), {
      timestamp: T,
      seq: 0,
      metrics: [metric('bdSeq', 'Int64', 0), metric('Inputs/A', 'Int32', 1), metric('inputs_a', 'Int32', 2), metric('Time', 'Int32', 3)],
    });
    expect(telemetry(result.messages)[0]?.values).toEqual({ inputs_a: 1, time_: 3 });
    expect(reasons(result)).toEqual(['bad-metric-name']);
  });
});

/**
 * A Payload (seq 2) whose one metric holds a Template holding a metric holding a Template…, `depth`
 * levels, hand-encoded from the inside out in O(depth): Payload.metrics = field 2, Metric.template_value
 * = field 18, Template.metrics = field 2 (sparkplug_b.proto).
 */
function nestedTemplates(depth: number): Buffer {
  const prefixes: Buffer[] = [];
  let length = 0;
  for (let i = 0; i < depth; i++) {
    const templatePrefix = Buffer.concat([Buffer.from([0x12]), varint(length)]);
    const templateLength = templatePrefix.length + length;
    const metricPrefix = Buffer.concat([Buffer.from([0x92, 0x01]), varint(templateLength)]);
    prefixes.push(templatePrefix, metricPrefix);
    length = metricPrefix.length + templateLength;
  }
  prefixes.reverse();
  return Buffer.concat([Buffer.from([0x12]), varint(length), ...prefixes, Buffer.from([0x18, 0x02])]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

describe('Sparkplug B adapter: per booth', () => {
  it("one booth's BIRTHs teach another booth's adapter nothing, and a publish of another booth is refused", () => {
    const a = born();
    const commandsB = new RecordingCommands();
    const adapterB = createSparkplugAdapter('other', commandsB, { now: () => T + 1000 });
    const ddata = encode({ timestamp: T, seq: 2, metrics: [{ alias: 10, type: 'Boolean', value: true }] });
    const inB = adapterB.decode({ booth: 'other', topic: deviceTopic('DDATA'), payload: ddata, receivedAt: T + 1000, fromWill: false, clientId: 'x' });
    expect(reasons(inB)).toEqual(['data-before-birth']);
    expect(commandsB.sent.map((c) => c.booth)).toEqual(['other']);
    expect(a.commands.sent).toEqual([]);
    const misrouted = a.adapter.decode({ booth: 'other', topic: deviceTopic('DDATA'), payload: ddata, receivedAt: T + 1000, fromWill: false, clientId: 'x' });
    expect(reasons(misrouted)).toEqual(['wrong-booth']);
    expect(misrouted.messages).toEqual([]);
  });
});

describe('names from devices', () => {
  it('map to the id and metric patterns, deterministically, with long names kept apart by a hash', () => {
    expect(toDeviceId('Edge Node 1')).toBe('Edge_Node_1');
    expect(toDeviceId('_hidden')).toBe('x_hidden');
    expect(toDeviceId('Zähler')).toBe('Z_hler');
    expect(toMetricName('Properties/OS Version')).toBe('properties_os_version');
    expect(toMetricName('1st Stage/Pressure')).toBe('m_1st_stage_pressure');
    expect(toMetricName('Device')).toBe('device_');
    const long1 = toDeviceId(`${'a'.repeat(70)}1`);
    const long2 = toDeviceId(`${'a'.repeat(70)}2`);
    expect(long1).not.toBe(long2);
    for (const id of [long1, long2]) expect(ID_PATTERN.test(id)).toBe(true);
    expect(toMetricName('x'.repeat(200)).length).toBeLessThanOrEqual(64);
    expect(toDeviceId('Edge Node 1')).toBe(toDeviceId('Edge Node 1'));
  });
});
