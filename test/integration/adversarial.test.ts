/**
 * Hostile input through a real broker and server: for each input, the expected rejection, the
 * counter that moved, the process still healthy, and the good readings sent alongside stored in
 * InfluxDB exactly once.
 */
import { connect as connectTcp } from 'node:net';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import type { RejectionReason } from '../../server/ingest/TelemetryValidator';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';
import type { PublicHealth } from '../support/publicApi';

const DB = 'adversarial';
const T = 'booth/booth-a/adv-01/telemetry';
const NOW = Date.now();
const nested = (depth: number) => `{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}`;

/** [name, topic, payload, the rejection reason it must be counted under] */
const rejected: [string, string, string | Buffer, RejectionReason][] = [
  ['truncated JSON', T, '{"a":', 'not-json'],
  ['single quotes', T, "{'a': 1}", 'not-json'],
  ['trailing comma', T, '{"a": 1,}', 'not-json'],
  ['JSON with a comment', T, '{"a": 1 /* x */}', 'not-json'],
  ['deep nesting (5,000 levels)', T, nested(5000), 'bad-value'],
  ['deep nesting past the parser (8,000 unclosed)', T, '['.repeat(8000), 'not-json'],
  ['huge array', T, `[${Array.from({ length: 3000 }, (_, i) => i).join(',')}]`, 'not-an-object'],
  ['huge string value', T, JSON.stringify({ a: 'x'.repeat(15_000) }), 'bad-value'],
  ['payload over 16 KiB', T, JSON.stringify({ a: 1, pad: 'x'.repeat(20_000) }), 'payload-too-large'],
  ['__proto__ key', T, '{"__proto__": {"polluted": 1}}', 'bad-metric-name'],
  ['"NaN" as a string', T, '{"a": "NaN"}', 'bad-value'],
  ['"Infinity" as a string', T, '{"a": "Infinity"}', 'bad-value'],
  ['1e400', T, '{"a": 1e400}', 'bad-value'],
  ['-1e400', T, '{"a": -1e400}', 'bad-value'],
  ['invalid UTF-8', T, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0x28, 0x7d]), 'not-utf8'],
  ['overlong UTF-8 encoding of "/"', T, Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]), 'not-utf8'],
  ['zero-length payload', T, '', 'empty-payload'],
  ['null', T, 'null', 'not-an-object'],
  ['a bare number', T, '42', 'not-an-object'],
  ['a bare string', T, '"hello"', 'not-an-object'],
  ['empty object', T, '{}', 'no-readings'],
  ['nested object value', T, '{"a": {"b": 1}}', 'bad-value'],
  ['null value', T, '{"a": null}', 'bad-value'],
  ['metric with a comma', T, '{"a,b": 1}', 'bad-metric-name'],
  ['metric with an equals sign', T, '{"a=b": 1}', 'bad-metric-name'],
  ['metric with a space', T, '{"a b": 1}', 'bad-metric-name'],
  ['metric with a backslash', T, '{"a\\\\": 1}', 'bad-metric-name'],
  ['metric with a newline', T, '{"a\\nb": 1}', 'bad-metric-name'],
  ['65 readings', T, JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]))), 'too-many-fields'],
  ['ts in seconds', T, JSON.stringify({ a: 1, ts: Math.floor(NOW / 1000) }), 'bad-timestamp'],
  ['ts a day ahead', T, JSON.stringify({ a: 1, ts: NOW + 86_400_000 }), 'bad-timestamp'],
  ['ts as free text', T, '{"a": 1, "ts": "yesterday"}', 'bad-timestamp'],
  ['status gibberish', 'booth/booth-a/adv-01/status', '<online>', 'bad-status'],
  ['meta with a script for a name is fine, with a number is not', 'booth/booth-a/adv-01/meta', '{"name": 5}', 'bad-meta'],
  ['device id with a comma', 'booth/booth-a/adv,01/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id with an equals sign', 'booth/booth-a/adv=01/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id with a space', 'booth/booth-a/adv 01/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id with a backslash', 'booth/booth-a/adv\\01/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id with a newline', 'booth/booth-a/adv\n01/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id with NUL', 'booth/booth-a/adv\u000001/telemetry', '{"a": 1}', 'bad-device-id'],
  ['device id of 65 characters', `booth/booth-a/${'d'.repeat(65)}/telemetry`, '{"a": 1}', 'bad-device-id'],
  ['a level too many', 'booth/booth-a/adv-01/telemetry/x', '{"a": 1}', 'topic-outside-contract'],
  ['unknown leaf', 'booth/booth-a/adv-01/command', '{"a": 1}', 'topic-outside-contract'],
];

/** [name, topic, the broker refusal it must be counted under]; each closes its connection. */
const refusedTopics: [string, string, string][] = [
  ['publish to a + wildcard', 'booth/booth-a/adv-01/+', 'invalid-topic'],
  ['publish to a # wildcard', 'booth/booth-a/#', 'invalid-topic'],
  ['publish 200 levels deep', `booth/booth-a/${'x/'.repeat(200)}telemetry`, 'invalid-topic'],
];

/**
 * [name, topic, where it is counted]: names outside `booth/{id}/` no longer close the connection
 * (issue 11). The mount refuses `$…` and other booths' names (a broker refusal); any other name is
 * mounted at `booth/{id}/raw/…` and, with no adapter of the booth reading it, counted as unmapped.
 */
const mountedOrRefusedTopics: [string, string, { broker: string } | { ingest: string }][] = [
  ['publish to $SYS', '$SYS/broker/uptime', { broker: 'publish-denied' }],
  ['publish into another booth', 'booth/booth-b/adv-01/telemetry', { broker: 'publish-denied' }],
  ['publish outside booth/', 'devices/adv-01/telemetry', { ingest: 'unmapped-topic' }],
];

describeWithInfluxd('adversarial input', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let hostile: MqttClient;
  let good: MqttClient;
  let goodSent = 0;
  const goodTs = NOW - 3600_000;

  const health = async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
  const sendGood = () => good.publishAsync('booth/booth-a/good-01/telemetry', JSON.stringify({ seq: goodSent, ts: goodTs + goodSent++ }), { qos: 1 });

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB });
    hostile = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    good = await connectDevice(showfloor.mqttUrl, BOOTH_A);
  });

  afterAll(async () => {
    hostile?.end(true);
    good?.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it.each(rejected)('%s is rejected and counted, and the good reading beside it lands', async (_name, topic, payload, reason) => {
    const before = (await health()).counters.rejected[reason] ?? 0;
    await sendGood();
    await hostile.publishAsync(topic, payload, { qos: 1 });
    await sendGood();
    const after = await waitFor(
      async () => {
        const report = await health();
        return (report.counters.rejected[reason] ?? 0) === before + 1 && report;
      },
      { what: `the ${reason} counter to move` },
    );
    expect(after.status).toBe('ok');
    expect(hostile.connected).toBe(true);
  });

  it.each(refusedTopics)('%s is refused by Aedes and counted, and the connection closed', async (_name, topic, refusal) => {
    const before = (await health()).broker.refusals[refusal] ?? 0;
    // Raw packets: MQTT.js would not send some of these at all.
    const socket = connectTcp(showfloor.mqttPort, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = waitForEvent(socket, 'close', { rejectOnError: false });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const connack = waitForEvent(parser, 'packet');
    socket.on('data', (d) => parser.parse(d));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: `${BOOTH_A.id}-raw`,
        keepalive: 30,
        username: BOOTH_A.id,
        password: Buffer.from(BOOTH_A.password),
      }),
    );
    await connack;
    socket.write(mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from('{"a": 1}'), qos: 0, retain: false, dup: false }));
    await sendGood();
    await closed;
    await waitFor(async () => ((await health()).broker.refusals[refusal] ?? 0) === before + 1, { what: `the ${refusal} refusal counted` });
    expect((await health()).status).toBe('ok');
  });

  it.each(mountedOrRefusedTopics)('%s is counted, and the connection stays up', async (_name, topic, where) => {
    const count = async () => {
      const body = await health();
      return 'broker' in where ? (body.broker.refusals[where.broker] ?? 0) : (body.counters.rejected[where.ingest] ?? 0);
    };
    const before = await count();
    let closed = false;
    const onClose = () => (closed = true);
    hostile.on('close', onClose);
    onTestFinished(() => {
      hostile.off('close', onClose);
    });
    await hostile.publishAsync(topic, '{"a": 1}', { qos: 1 });
    await sendGood();
    await waitFor(async () => (await count()) === before + 1, { what: `${topic} counted` });
    expect(closed).toBe(false);
    expect(hostile.connected).toBe(true);
  });

  it('stores a metric called constructor as data and pollutes no prototype', async () => {
    await hostile.publishAsync(T, '{"constructor": 7, "toString": 8, "ts": ' + (NOW - 1000) + '}', { qos: 1 });
    await waitFor(async () => (await influxd.queryRows(`SELECT "constructor", "toString" FROM "telemetry" WHERE "device" = 'adv-01'`, DB)).length === 1, {
      what: 'the reading stored',
    });
    const [row] = await influxd.queryRows(`SELECT "constructor", "toString" FROM "telemetry" WHERE "device" = 'adv-01'`, DB);
    expect(row).toMatchObject({ constructor: 7, toString: 8 });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('takes the last of duplicate keys, as JSON.parse does, and stores it once', async () => {
    await hostile.publishAsync('booth/booth-a/dup-01/telemetry', `{"a": 1, "a": 2, "ts": ${NOW - 2000}}`, { qos: 1 });
    const rows = await waitFor(
      async () => {
        const found = await influxd.queryRows(`SELECT "a" FROM "telemetry" WHERE "device" = 'dup-01'`, DB);
        return found.length > 0 && found;
      },
      { what: 'the duplicate-key reading' },
    );
    expect(rows.map((r) => r.a)).toEqual([2]);
  });

  it('refuses a publish into another booth and keeps the other booth clean', async () => {
    const intruder = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const before = (await health()).broker.refusals['publish-denied'] ?? 0;
    intruder.on('error', () => undefined);
    await intruder.publishAsync('booth/booth-b/victim-01/telemetry', '{"a": 1}', { qos: 1 });
    await waitFor(async () => ((await health()).broker.refusals['publish-denied'] ?? 0) === before + 1, { what: 'publish-denied counted' });
    // Acknowledged and dropped (issue 11): the connection stays up.
    expect(intruder.connected).toBe(true);
    intruder.end(true);
    expect(await influxd.queryRows(`SELECT * FROM "telemetry" WHERE "booth" = '${BOOTH_B.id}'`, DB)).toEqual([]);
  });

  it('survives a flood from one client and still stores every good reading exactly once', async () => {
    const flooder = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    for (let i = 0; i < 20_000; i++) flooder.publish('booth/booth-a/flood-01/telemetry', `{"n":${i},"ts":${NOW - 600_000 + i}}`);
    await sendGood();
    // Most of the flood is over mqtt.messagesPerSecondPerDevice: dropped and counted, not received.
    await waitFor(
      async () => {
        const { counters, broker } = await health();
        return counters.received + (broker.refusals['rate-limited'] ?? 0) >= 20_000;
      },
      { what: 'the flood to arrive', timeoutMs: 30_000 },
    );
    expect((await health()).broker.refusals['rate-limited']).toBeGreaterThan(0);
    flooder.end(true);
    expect((await health()).status).toBe('ok');

    await waitFor(async () => (await health()).counters.pending === 0, { what: 'everything written', timeoutMs: 30_000 });
    const rows = await influxd.queryRows(`SELECT "seq" FROM "telemetry" WHERE "device" = 'good-01'`, DB);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: goodSent }, (_, i) => i));
    expect(goodSent).toBeGreaterThanOrEqual(rejected.length * 2 + refusedTopics.length);
  });
});
