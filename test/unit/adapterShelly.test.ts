import { describe, expect, it } from 'vitest';
import { shelly } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);
const DEVICE = 'shellyplus1pm-a8032ab12345';

describe('shelly adapter', () => {
  it('reads a Gen2 component status: numbers and booleans as readings named by component, units by field, labels left out', () => {
    const fed = feed(routerFor('    adapters: [shelly]\n'), shelly.switchStatus(), NOW);
    expect(fed.rejections).toEqual([]);
    expect(plain(fed.messages)).toEqual([
      {
        kind: 'meta',
        booth: BOOTH,
        device: DEVICE,
        meta: {
          kind: 'shellyplus1pm',
          units: {
            switch_0_apower: 'W',
            switch_0_voltage: 'V',
            switch_0_current: 'A',
            switch_0_aenergy_total: 'Wh',
            switch_0_aenergy_by_minute_1: 'mWh',
            switch_0_aenergy_by_minute_2: 'mWh',
            switch_0_aenergy_by_minute_3: 'mWh',
            switch_0_temperature_tc: '°C',
            switch_0_temperature_tf: '°F',
          },
        },
      },
      {
        kind: 'telemetry',
        booth: BOOTH,
        device: DEVICE,
        ts: NOW,
        values: {
          switch_0_output: false,
          switch_0_apower: 0,
          switch_0_voltage: 236.5,
          switch_0_current: 0,
          switch_0_aenergy_total: 12.345,
          switch_0_aenergy_by_minute_1: 0,
          switch_0_aenergy_by_minute_2: 0,
          switch_0_aenergy_by_minute_3: 0,
          switch_0_temperature_tc: 41.5,
          switch_0_temperature_tf: 106.7,
        },
      },
    ]);
  });

  it('reads a NotifyStatus delta with ts in seconds, storing only the fields it carries', () => {
    const router = routerFor('    adapters: [shelly]\n');
    feed(router, shelly.switchStatus(), NOW);
    const sent = NOW - 2000;
    const fed = feed(router, shelly.notifyStatus(sent), NOW);
    expect(fed.rejections).toEqual([]);
    expect(plain(fed.messages)).toEqual([
      { kind: 'telemetry', booth: BOOTH, device: DEVICE, ts: sent, values: { switch_0_apower: 8.9, switch_0_current: 0.038 } },
    ]);
  });

  it('reads <prefix>/online true/false as presence, also under a custom prefix', () => {
    const router = routerFor('    adapters: [shelly]\n');
    expect(feed(router, shelly.online(true)).messages).toEqual([{ kind: 'status', booth: BOOTH, device: DEVICE, status: 'online' }]);
    expect(feed(router, shelly.online(false, 'hall/plugs/Kettle')).messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'kettle', status: 'offline' }]);
    expect(feed(router, { topic: 'hall/plugs/Kettle/online', payload: 'maybe' }).rejections.map((r) => r.reason)).toEqual(['bad-status']);
  });

  it('reads Gen1 plain values, relay on/off, online and the announce', () => {
    const router = routerFor('    adapters: [shelly]\n');
    expect(plain(feed(router, shelly.gen1Announce()).messages)).toEqual([
      {
        kind: 'meta',
        booth: BOOTH,
        device: 'shelly1pm-b929cc',
        meta: { name: 'shelly1pm-B929CC', kind: 'shsw-pm', firmware: '20230913-112003/v1.14.0-gcb84623' },
      },
    ]);
    const power = feed(router, shelly.gen1Power(), NOW);
    expect(plain(power.messages)).toEqual([
      {
        kind: 'meta',
        booth: BOOTH,
        device: 'shelly1pm-b929cc',
        meta: { name: 'shelly1pm-B929CC', kind: 'shsw-pm', firmware: '20230913-112003/v1.14.0-gcb84623', units: { relay_0_power: 'W' } },
      },
      { kind: 'telemetry', booth: BOOTH, device: 'shelly1pm-b929cc', ts: NOW, values: { relay_0_power: 12.5 } },
    ]);
    expect(feed(router, shelly.gen1Relay(), NOW).messages).toEqual([
      { kind: 'telemetry', booth: BOOTH, device: 'shelly1pm-b929cc', ts: NOW, values: { relay_0: 1 } },
    ]);
    expect(feed(router, shelly.gen1Online(true)).messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'shelly1pm-b929cc', status: 'online' }]);
  });

  it('counts bad input and never throws; good fields beside bad ones land', () => {
    const router = routerFor('    adapters: [shelly]\n');
    expect(feed(router, { topic: `${DEVICE}/events/rpc`, payload: '{"method":"NotifyStatus","params":{"ts":1' }).rejections.map((r) => r.reason)).toEqual([
      'not-json',
    ]);
    expect(feed(router, { topic: `${DEVICE}/events/rpc`, payload: '{"method":"NotifyStatus"}' }).rejections.map((r) => r.reason)).toEqual(['not-an-object']);
    const mixed = feed(
      router,
      {
        topic: `${DEVICE}/status/switch:0`,
        payload: JSON.stringify({
          apower: 3,
          errors: Array.from({ length: 1000 }, () => 'x'),
          note: 'hot',
          deep: JSON.parse(`${'{"a":'.repeat(50)}1${'}'.repeat(50)}`) as unknown,
        }),
      },
      NOW,
    );
    expect(mixed.rejections.map((r) => r.reason)).toEqual(['too-many-fields', 'not-a-reading', 'too-deep']);
    expect(mixed.messages.find((m) => m.kind === 'telemetry')).toMatchObject({ values: { switch_0_apower: 3 } });
    expect(feed(router, { topic: 'shellies/shelly1-X/relay/0/power', payload: 'warm' }).rejections.map((r) => r.reason)).toEqual(['not-a-reading']);
    // A NotifyEvent (a button push) carries no readings and is no error.
    expect(feed(router, { topic: `${DEVICE}/events/rpc`, payload: '{"method":"NotifyEvent","params":{"ts":1,"events":[]}}' })).toEqual({
      adapter: 'shelly',
      messages: [],
      rejections: [],
    });
  });
});
