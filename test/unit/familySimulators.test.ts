/**
 * The stock-family simulators speak their family's wire format: the same topics, key order and shapes
 * as the fixtures taken from each family's documentation (test/support/adapterFixtures.ts), and the
 * same bytes through Showfloor's own adapters (what they decode is asserted end to end in
 * test/integration/stockDevices.test.ts).
 */
import sparkplugPayload from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { planDevices } from '../../simulators/booth';
import { parseSimulatorCli } from '../../simulators/cliOptions';
import type { WirePublisher } from '../../simulators/families/FamilyDevice';
import { EsphomeWire } from '../../simulators/families/esphomeWire';
import { CUSTOM_FULL_TOPIC } from '../../simulators/families/registry';
import { ShellyGen1Wire } from '../../simulators/families/shellyGen1Wire';
import { ShellyWire } from '../../simulators/families/shellyWire';
import { SparkplugWire } from '../../simulators/families/sparkplugWire';
import { TasmotaWire, tasmotaLocalTime } from '../../simulators/families/tasmotaWire';
import { esphome, shelly, tasmota } from '../support/adapterFixtures';
import { feed, routerFor } from '../support/adapterRouter';

const codec = sparkplugPayload.get('spBv1.0')!;
const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);

interface Sent {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

function recorder(): { out: WirePublisher; sent: Sent[] } {
  const sent: Sent[] = [];
  return { sent, out: { publish: (topic, payload, options = {}) => sent.push({ topic, payload, retain: options.retain ?? false }) } };
}

/** Key paths in document order: the shape a fixture and a simulated payload must share. */
function keysOf(json: string): string[] {
  const walk = (value: unknown, path: string): string[] =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value).flatMap(([key, inner]) => [`${path}${key}`, ...walk(inner, `${path}${key}.`)])
      : [];
  return walk(JSON.parse(json), '');
}

describe('stock-family simulators', () => {
  it('tasmota: DVES_%06X, LWT will, retained discovery, then STATE and SENSOR shaped as the docs show', () => {
    const wire = new TasmotaWire({ chipId: 'a1b2c3', name: 'Hall Climate', seed: 's' });
    expect(wire.clientId).toBe('DVES_A1B2C3');
    expect(wire.will()).toEqual({ topic: 'tele/tasmota_A1B2C3/LWT', payload: Buffer.from('Offline'), retain: true, qos: 1 });
    const { out, sent } = recorder();
    wire.onConnect(out, NOW);
    expect(sent.map((s) => [s.topic, s.retain])).toEqual([
      ['tele/tasmota_A1B2C3/LWT', true],
      ['tasmota/discovery/84F3EBA1B2C3/config', true],
      ['tasmota/discovery/84F3EBA1B2C3/sensors', true],
      ['tele/tasmota_A1B2C3/STATE', false],
      ['tele/tasmota_A1B2C3/SENSOR', false],
    ]);
    expect(sent[0]?.payload).toBe('Online');
    expect(keysOf(String(sent[1]?.payload))).toEqual(keysOf(tasmota.discovery().payload));
    expect(keysOf(String(sent[3]?.payload))).toEqual(keysOf(tasmota.state().payload));
    const sensor = JSON.parse(String(sent[4]?.payload)) as Record<string, unknown>;
    expect(Object.keys(sensor)).toEqual(['Time', 'ENERGY', 'BME280', 'PressureUnit', 'TempUnit']);
    expect(Object.keys(sensor.BME280 as object)).toEqual(Object.keys((JSON.parse(tasmota.sensor().payload) as { BME280: object }).BME280));
    expect(Object.keys(sensor.ENERGY as object)).toEqual(Object.keys((JSON.parse(tasmota.energy().payload) as { ENERGY: object }).ENERGY));
    // Local time without a zone (SetOption52 0).
    expect(sensor.Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(tasmotaLocalTime(NOW)).toBe(sensor.Time);
  });

  it('shelly: shellyplus1pm-<mac> id and prefix, online true/false, status/switch:0 and NotifyStatus with ts in seconds', () => {
    const wire = new ShellyWire({ mac: 'A8032AB12345', seed: 's', statusEvery: 2 });
    expect(wire.clientId).toBe(shelly.device);
    expect(wire.will()).toMatchObject({ topic: shelly.online(false).topic, payload: Buffer.from('false'), retain: true });
    const { out, sent } = recorder();
    wire.onConnect(out, NOW);
    wire.onPeriod(out, NOW + 2000);
    wire.onPeriod(out, NOW + 4000);
    expect(sent.map((s) => s.topic)).toEqual([
      shelly.online(true).topic,
      shelly.switchStatus().topic,
      shelly.notifyStatus(NOW).topic,
      shelly.switchStatus().topic,
    ]);
    expect(sent[0]?.payload).toBe('true');
    expect(keysOf(String(sent[1]?.payload))).toEqual(keysOf(shelly.switchStatus().payload));
    expect(keysOf(String(sent[2]?.payload))).toEqual(keysOf(shelly.notifyStatus(NOW).payload));
    expect(String(sent[2]?.payload)).toContain(`"ts":${((NOW + 2000) / 1000).toFixed(2)},`);
  });

  it('esphome: <node>-<mac> client id, status birth and will, one plain value per state topic, nan first for CO2', () => {
    const wire = new EsphomeWire({ node: 'expo-esp1', mac: '246F28A1B2C3', seed: 's' });
    expect(wire.clientId).toBe('expo-esp1-246f28a1b2c3');
    expect(wire.will()).toMatchObject({ topic: esphome.status(false).topic, payload: Buffer.from('offline'), retain: true });
    const { out, sent } = recorder();
    wire.onConnect(out);
    wire.onPeriod(out);
    expect(sent[0]).toEqual({ topic: 'expo-esp1/status', payload: 'online', retain: true });
    expect(sent.find((s) => s.topic === esphome.co2Nan().topic)?.payload).toBe('nan');
    const temperatures = sent.filter((s) => s.topic === 'expo-esp1/sensor/temperature/state').map((s) => String(s.payload));
    expect(temperatures).toHaveLength(2);
    for (const value of temperatures) expect(value).toMatch(/^\d+\.\d$/);
    expect(sent.filter((s) => s.topic === esphome.co2Nan().topic).map((s) => s.payload)[1]).toMatch(/^\d+$/);
    expect(sent.some((s) => s.topic === esphome.door().topic && (s.payload === 'ON' || s.payload === 'OFF'))).toBe(true);
  });

  it('sparkplug: NDEATH will with bdSeq, NBIRTH/DBIRTH with names and aliases, DATA by alias with seq + 1, rebirth on NCMD', () => {
    const wire = new SparkplugWire({ group: 'Showfloor', edge: 'edge-1', device: 'Robot', seed: 's' });
    const will = wire.will();
    expect(will.topic).toBe('spBv1.0/Showfloor/NDEATH/edge-1');
    expect(codec.decodePayload(will.payload).metrics?.map((m) => [m.name, Number(m.value)])).toEqual([['bdSeq', 0]]);
    const { out, sent } = recorder();
    wire.onConnect(out, NOW);
    wire.onPeriod(out, NOW + 1000);
    const decoded = sent.map((s) => ({ topic: s.topic, payload: codec.decodePayload(s.payload as Buffer) }));
    expect(decoded.map((d) => [d.topic, Number(d.payload.seq)])).toEqual([
      ['spBv1.0/Showfloor/NBIRTH/edge-1', 0],
      ['spBv1.0/Showfloor/DBIRTH/edge-1/Robot', 1],
      ['spBv1.0/Showfloor/NDATA/edge-1', 2],
      ['spBv1.0/Showfloor/DDATA/edge-1/Robot', 3],
    ]);
    expect(decoded[0]?.payload.metrics?.find((m) => m.name === 'bdSeq')?.value).toEqual(expect.anything());
    expect(Number(decoded[0]?.payload.metrics?.find((m) => m.name === 'bdSeq')?.value)).toBe(0);
    expect(decoded[1]?.payload.metrics?.every((m) => typeof m.name === 'string' && m.alias !== undefined)).toBe(true);
    expect(decoded[3]?.payload.metrics?.every((m) => m.name === undefined || m.name === null || m.name === '')).toBe(true);

    const rebirth = Buffer.from(codec.encodePayload({ timestamp: NOW, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }));
    wire.onMessage(out, 'spBv1.0/Showfloor/NCMD/edge-1', rebirth, NOW + 2000);
    expect(sent.slice(4).map((s) => s.topic)).toEqual(['spBv1.0/Showfloor/NBIRTH/edge-1', 'spBv1.0/Showfloor/DBIRTH/edge-1/Robot']);
    expect(Number(codec.decodePayload(sent[4]!.payload as Buffer).seq)).toBe(0);
    expect(wire.rebirthsRequested).toBe(1);
    // A reconnect's will carries the next bdSeq, and so does the NBIRTH after it.
    expect(Number(codec.decodePayload(wire.will().payload).metrics?.[0]?.value)).toBe(1);
  });

  it('shelly-gen1: shelly1pm-<id> client id, online will, announce on connect and on request, one plain value per topic', () => {
    const wire = new ShellyGen1Wire({ mac: 'a4cf12b929cc', seed: 's' });
    expect(wire.clientId).toBe(shelly.gen1Device);
    expect(wire.will()).toEqual({ topic: shelly.gen1Online(false).topic, payload: Buffer.from('false'), retain: true, qos: 0 });
    expect(new ShellyGen1Wire({ mac: 'a4cf12b929cc', seed: 's', lwt: false }).will()).toBeUndefined();
    const { out, sent } = recorder();
    wire.onConnect(out);
    expect(sent.slice(0, 3).map((s) => [s.topic, s.retain])).toEqual([
      [shelly.gen1Online(true).topic, true],
      ['shellies/announce', false],
      ['shellies/shelly1pm-B929CC/announce', false],
    ]);
    expect(sent[0]?.payload).toBe('true');
    expect(keysOf(String(sent[1]?.payload))).toEqual(keysOf(shelly.gen1Announce().payload));
    const value = (topic: string) => sent.find((s) => s.topic === `shellies/shelly1pm-B929CC/${topic}`)?.payload;
    expect(value('relay/0')).toBe('on');
    expect(value('relay/0/power')).toMatch(/^\d+\.\d\d$/);
    expect(value('relay/0/energy')).toMatch(/^\d+$/);
    expect(value('temperature')).toMatch(/^\d+(\.\d{1,2})?$/);
    expect(value('temperature_status')).toBe('Normal');
    wire.onMessage(out, 'shellies/command', Buffer.from('announce'));
    expect(wire.announces).toBe(2);

    // Every byte it sends is read by the shelly adapter: nothing unmapped, only the text status left out.
    const router = routerFor('    adapters: [shelly]\n');
    const fed = sent.map((s) => feed(router, { topic: s.topic, payload: s.payload }, NOW));
    expect(fed.every((f) => f.adapter === 'shelly')).toBe(true);
    expect(fed.flatMap((f) => f.rejections.map((r) => r.reason))).toEqual(['not-a-reading']);
  });

  it('tasmota-fulltopic: every tele/stat topic and the will on devices/%topic%/%prefix%/, ft says so, discovery after the first SENSOR', () => {
    const wire = new TasmotaWire({ chipId: 'a1b2c3', name: 'Hall Climate', seed: 's', fullTopic: CUSTOM_FULL_TOPIC });
    expect(wire.will().topic).toBe('devices/tasmota_A1B2C3/tele/LWT');
    expect(wire.subscriptions()).toEqual(['devices/tasmota_A1B2C3/cmnd/#']);
    const { out, sent } = recorder();
    wire.onConnect(out, NOW);
    wire.onPeriod(out, NOW + 2000);
    expect(sent.map((s) => s.topic)).toEqual([
      'devices/tasmota_A1B2C3/tele/LWT',
      'devices/tasmota_A1B2C3/tele/STATE',
      'devices/tasmota_A1B2C3/tele/SENSOR',
      'tasmota/discovery/84F3EBA1B2C3/config',
      'tasmota/discovery/84F3EBA1B2C3/sensors',
      'devices/tasmota_A1B2C3/tele/STATE',
      'devices/tasmota_A1B2C3/tele/SENSOR',
    ]);
    const config = JSON.parse(String(sent[3]?.payload)) as { ft: string };
    expect(config.ft).toBe(CUSTOM_FULL_TOPIC);
    expect(keysOf(String(sent[3]?.payload))).toEqual(keysOf(tasmota.discovery().payload));
    expect(() => new TasmotaWire({ chipId: 'a1b2c3', name: 'x', seed: 's', fullTopic: 'devices/%topic%/' })).toThrow(RangeError);

    // The tasmota adapter reads it all under one id, the readings before the config included.
    const router = routerFor('    adapters: [tasmota]\n');
    const fed = sent.map((s) => feed(router, { topic: s.topic, payload: s.payload }, NOW));
    expect(fed.every((f) => f.adapter === 'tasmota')).toBe(true);
    expect(new Set(fed.flatMap((f) => f.messages.map((m) => m.device)))).toEqual(new Set(['tasmota_a1b2c3']));
  });

  it('the CLI and the booth plan take the families beside the native profiles', () => {
    const both = parseSimulatorCli(['--booth', 'demo', '--password', 'x', '--profiles', 'shelly-gen1,tasmota-fulltopic']);
    expect(both.ok && both.options.profiles).toEqual(['shelly-gen1', 'tasmota-fulltopic']);
    // Different client ids from the plain kinds' first devices, so neither takes the other's session over.
    expect(planDevices(4, ['tasmota', 'tasmota-fulltopic', 'shelly', 'shelly-gen1']).map((d) => d.deviceId)).toEqual([
      'tasmota_a1b2c1',
      'tasmota_f0c0c1',
      'shellyplus1pm-a8032ab12341',
      'shelly1pm-b92901',
    ]);
    const parsed = parseSimulatorCli(['--booth', 'demo', '--password', 'x', '--profiles', 'tasmota,shelly,esphome,sparkplug', '--period', '5']);
    expect(parsed.ok && parsed.options).toMatchObject({ profiles: ['tasmota', 'shelly', 'esphome', 'sparkplug'], familyPeriodMs: 5000 });
    expect(parseSimulatorCli(['--booth', 'demo', '--password', 'x', '--period', '0']).ok).toBe(false);
    expect(planDevices(5, ['tasmota', 'shelly', 'esphome', 'sparkplug']).map((d) => d.deviceId)).toEqual([
      'tasmota_a1b2c1',
      'shellyplus1pm-a8032ab12341',
      'expo-esp1',
      'edge-1_Robot',
      'tasmota_a1b2c2',
    ]);
  });
});
