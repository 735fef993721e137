/**
 * Issue 11: a stock device's publish lands on the raw mount (`booth/{id}/raw/…`), whose topic names
 * no device, so the broker cannot know which devices a connection speaks for; the adapter can. The
 * sink attributes each device an adapter found back to the connection (DevicePublish.attribute), and
 * the connection's close then reports it (ConnectionClosed.devices), within MAX_DEVICES_PER_CONNECTION.
 * Only for connections without a will: a stock device's will speaks for the devices it covers.
 */
import type { PublishPacket } from 'aedes';
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import { MAX_DEVICES_PER_CONNECTION, handToSink, type ConnectionState, type PublishServices } from '../../broker/publishPipeline';

function handed(topic: string, state: ConnectionState, fromWill = false): DevicePublish {
  const published: DevicePublish[] = [];
  const services = {
    sink: { devicePublish: (message: DevicePublish) => published.push(message), connectionClosed: () => undefined },
  } as unknown as PublishServices;
  const packet = { cmd: 'publish', topic, payload: Buffer.from('1'), qos: 0, retain: false, dup: false } as PublishPacket;
  handToSink({ packet, clientId: 'DVES_A1B2C3', connection: state, fromWill }, services);
  return published[0]!;
}

function connection(): ConnectionState {
  return {
    booth: 'acme',
    clientId: 'DVES_A1B2C3',
    connectionId: 3,
    address: null,
    willTopic: null,
    devices: new Set(),
    keepaliveTimedOut: false,
    closed: false,
  };
}

describe('attributing a raw-mount publish to its devices', () => {
  it('lets the sink add the devices an adapter found to the connection, only for topics that name none', () => {
    const state = connection();
    const raw = handed('booth/acme/raw/shellies/shelly1-a1/relay/0/power', state);
    raw.attribute?.('shelly1-a1');
    raw.attribute?.('shelly1-a1');
    expect([...state.devices]).toEqual(['shelly1-a1']);
    // A native topic names its device itself (recordDevice), and a will comes after the close reported the set.
    expect(handed('booth/acme/env-01/telemetry', state).attribute).toBeUndefined();
    expect(handed('booth/acme/raw/tele/x/LWT', state, true).attribute).toBeUndefined();
  });

  it('leaves a connection with a will to its will, which says offline for its devices with the reason `will`', () => {
    const state = { ...connection(), willTopic: 'booth/acme/raw/tele/tasmota_A1B2C3/LWT' };
    expect(handed('booth/acme/raw/tele/tasmota_A1B2C3/SENSOR', state).attribute).toBeUndefined();
  });

  it('keeps at most MAX_DEVICES_PER_CONNECTION devices, and only valid ids', () => {
    const state = connection();
    const raw = handed('booth/acme/raw/spBv1.0/g/DDATA/edge', state);
    for (let i = 0; i < MAX_DEVICES_PER_CONNECTION + 40; i++) raw.attribute?.(`dev-${i}`);
    raw.attribute?.('dev-0'); // already held: no change
    raw.attribute?.('../other');
    expect(state.devices.size).toBe(MAX_DEVICES_PER_CONNECTION);
    expect(state.devices.has('../other')).toBe(false);
    expect(state.devices.has(`dev-${MAX_DEVICES_PER_CONNECTION}`)).toBe(false);
  });
});
