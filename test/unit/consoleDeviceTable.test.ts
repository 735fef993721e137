import { describe, expect, it } from 'vitest';
import {
  countCaption,
  DEFAULT_SORT,
  filterAndSort,
  filterChoices,
  matchesFilter,
  NO_ADAPTER,
  NO_FILTER,
  NO_KIND,
  nextSort,
  rejectionSummary,
  sortDevices,
  topRejectionReason,
  type SortKey,
} from '../../web/console/deviceTableModel';
import { formatCount } from '../../web/console/format';
import { deviceHealth, FIXTURE_NOW } from '../support/consoleFixtures';

const devices = [
  deviceHealth({
    booth: 'hall-b',
    device: 'robot-01',
    name: 'Robot arm',
    kind: 'robot-arm',
    state: 'online',
    ratePerSecond: 10,
    rejectedTotal: 3,
    lastSeen: FIXTURE_NOW - 500,
  }),
  deviceHealth({ booth: 'hall-a', device: 'env-02', name: null, kind: 'env-sensor', state: 'offline', ratePerSecond: 0, lastSeen: null }),
  deviceHealth({
    booth: 'hall-a',
    device: 'env-01',
    name: 'Hall A climate',
    kind: 'env-sensor',
    state: 'stale',
    ratePerSecond: 1,
    lastSeen: FIXTURE_NOW - 60_000,
  }),
  deviceHealth({
    booth: 'hall-a',
    device: 'gw-10',
    name: 'Gateway',
    kind: null,
    state: 'online',
    ratePerSecond: 2,
    rejectedTotal: 40,
    lastSeen: FIXTURE_NOW - 2_000,
  }),
];
const ids = (list: readonly { device: string }[]): string[] => list.map((d) => d.device);

describe('device table filter', () => {
  it('filters by the numbers: errors, no readings, time since last seen (on the server clock)', () => {
    const by = (problem: 'errors' | 'no-readings' | 'quiet-1m' | 'quiet-10m') =>
      ids(filterAndSort(devices, { ...NO_FILTER, problem }, { key: 'device', direction: 'asc' }, FIXTURE_NOW)).sort();
    expect(by('errors')).toEqual(['gw-10', 'robot-01']);
    expect(by('no-readings')).toEqual(['env-02']);
    expect(by('quiet-1m')).toEqual(['env-01', 'env-02']); // never seen counts as quiet
    expect(by('quiet-10m')).toEqual(['env-02']);
  });

  it('matches text in the id or the name, ignoring case and surrounding spaces', () => {
    expect(ids(filterAndSort(devices, { ...NO_FILTER, text: '  ROBOT ' }, DEFAULT_SORT))).toEqual(['robot-01']);
    expect(ids(filterAndSort(devices, { ...NO_FILTER, text: 'climate' }, DEFAULT_SORT))).toEqual(['env-01']);
    expect(ids(filterAndSort(devices, { ...NO_FILTER, text: 'env-0' }, DEFAULT_SORT))).toEqual(['env-02', 'env-01']);
  });

  it('filters by booth, kind (including devices without one) and state, all together', () => {
    expect(ids(filterAndSort(devices, { ...NO_FILTER, booth: 'hall-b' }, DEFAULT_SORT))).toEqual(['robot-01']);
    expect(ids(filterAndSort(devices, { ...NO_FILTER, kind: NO_KIND }, DEFAULT_SORT))).toEqual(['gw-10']);
    expect(ids(filterAndSort(devices, { ...NO_FILTER, state: 'online' }, DEFAULT_SORT))).toEqual(['gw-10', 'robot-01']);
    expect(ids(filterAndSort(devices, { text: 'env', booth: 'hall-a', kind: 'env-sensor', state: 'stale' }, DEFAULT_SORT))).toEqual(['env-01']);
    expect(matchesFilter(devices[0]!, { ...NO_FILTER, booth: 'hall-a' })).toBe(false);
  });

  it('does not match a name that is null as the text "null"', () => {
    expect(ids(filterAndSort(devices, { ...NO_FILTER, text: 'null' }, DEFAULT_SORT))).toEqual([]);
  });
});

describe('device table sort', () => {
  const sorted = (key: SortKey, direction: 'asc' | 'desc'): string[] => ids(sortDevices([...devices], { key, direction }));

  it('puts problems first by default: offline, stale, then online by booth and id', () => {
    expect(sorted('state', 'asc')).toEqual(['env-02', 'env-01', 'gw-10', 'robot-01']);
  });

  it('sorts numbers as numbers, both ways', () => {
    expect(sorted('rate', 'desc')).toEqual(['robot-01', 'gw-10', 'env-01', 'env-02']);
    expect(sorted('rate', 'asc')).toEqual(['env-02', 'env-01', 'gw-10', 'robot-01']);
    expect(sorted('errors', 'desc')).toEqual(['gw-10', 'robot-01', 'env-01', 'env-02']);
  });

  it('keeps devices without a value last in either direction', () => {
    expect(sorted('lastSeen', 'asc')).toEqual(['robot-01', 'gw-10', 'env-01', 'env-02']);
    expect(sorted('lastSeen', 'desc')).toEqual(['env-01', 'gw-10', 'robot-01', 'env-02']);
    expect(sorted('kind', 'asc').at(-1)).toBe('gw-10');
    expect(sorted('kind', 'desc').at(-1)).toBe('gw-10');
  });

  it('sorts devices by their shown name, falling back to the id', () => {
    expect(sorted('device', 'asc')).toEqual(['env-02', 'gw-10', 'env-01', 'robot-01']);
  });

  it('orders numbered names naturally', () => {
    const list = ['dev-10', 'dev-9', 'dev-100'].map((device) => deviceHealth({ device, name: null }));
    expect(ids(sortDevices(list, { key: 'device', direction: 'asc' }))).toEqual(['dev-9', 'dev-10', 'dev-100']);
  });

  it('flips the sorted column, and starts another in its natural direction', () => {
    expect(nextSort({ key: 'booth', direction: 'asc' }, 'booth')).toEqual({ key: 'booth', direction: 'desc' });
    expect(nextSort({ key: 'booth', direction: 'desc' }, 'errors')).toEqual({ key: 'errors', direction: 'desc' });
    expect(nextSort({ key: 'errors', direction: 'desc' }, 'device')).toEqual({ key: 'device', direction: 'asc' });
  });

  it('does not reorder its input', () => {
    const input = [...devices];
    filterAndSort(input, NO_FILTER, { key: 'rate', direction: 'desc' });
    expect(input).toEqual(devices);
  });

  // Its speed is the bench's to measure (test/bench/consoleTable.ts, in Chromium), never a timed assertion here.
  it('filters and sorts 2,000 devices: every match, in order', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      deviceHealth({
        booth: `b${i % 10}`,
        device: `d-${i}`,
        name: i % 3 === 0 ? null : `Device ${i}`,
        ratePerSecond: (i * 7) % 13,
        state: (['online', 'stale', 'offline'] as const)[i % 3],
      }),
    );
    const shown = filterAndSort(many, { ...NO_FILTER, text: '1' }, { key: 'device', direction: 'asc' });
    const expected = many.filter((d) => d.device.includes('1') || (d.name ?? '').includes('1')).map((d) => d.device);
    expect(shown).toHaveLength(expected.length);
    expect(new Set(shown.map((d) => d.device))).toEqual(new Set(expected));
    // By shown name (the name, else the id), numbers in names compared as numbers.
    const shownNames = shown.map((d) => d.name ?? d.device);
    expect(shownNames).toEqual([...shownNames].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });
});

describe('filter choices and captions', () => {
  it('lists booths and kinds sorted, with "no kind" last when a device has none', () => {
    expect(filterChoices(devices)).toEqual({ booths: ['hall-a', 'hall-b'], kinds: ['env-sensor', 'robot-arm', NO_KIND], adapters: ['native'] });
    expect(filterChoices([devices[0]!]).kinds).toEqual(['robot-arm']);
  });

  it('names the top rejection reason, ties broken by name', () => {
    expect(topRejectionReason({})).toBeNull();
    expect(topRejectionReason({ 'not-json': 2, 'bad-value': 7 })).toBe('bad-value');
    expect(topRejectionReason({ 'not-json': 2, 'bad-value': 2 })).toBe('bad-value');
  });

  it('lists every rejection reason, most frequent first', () => {
    expect(rejectionSummary({ 'not-json': 1200, 'bad-value': 7, 'bad-timestamp': 1200 }, formatCount)).toBe('bad-timestamp 1,200, not-json 1,200, bad-value 7');
    expect(rejectionSummary({}, formatCount)).toBe('');
  });

  it('counts shown of total', () => {
    expect(countCaption(1234, 2000, formatCount)).toBe('1,234 of 2,000 devices');
    expect(countCaption(2000, 2000, formatCount)).toBe('2,000 devices');
    expect(countCaption(1, 1, formatCount)).toBe('1 device');
  });
});

describe('the adapter column and filter (issue 11)', () => {
  const fleet = [
    deviceHealth({ device: 'plug-2', adapter: 'tasmota', ownTopic: 'tele/tasmota_B2/SENSOR' }),
    deviceHealth({ device: 'env-01', adapter: 'native', ownTopic: 'booth/hall-a/env-01/telemetry' }),
    deviceHealth({ device: 'plug-1', adapter: 'tasmota', ownTopic: 'tele/tasmota_A1/SENSOR' }),
    deviceHealth({ device: 'plc-1', adapter: 'sparkplug', ownTopic: 'spBv1.0/g/DDATA/edge/plc' }),
    deviceHealth({ device: 'quiet', adapter: null, ownTopic: null }),
  ];

  it('filters by adapter, with devices not heard from yet as their own choice', () => {
    expect(filterChoices(fleet).adapters).toEqual(['native', 'sparkplug', 'tasmota', NO_ADAPTER]);
    expect(filterAndSort(fleet, { ...NO_FILTER, adapter: 'tasmota' }, DEFAULT_SORT).map((d) => d.device)).toEqual(['plug-1', 'plug-2']);
    expect(filterAndSort(fleet, { ...NO_FILTER, adapter: NO_ADAPTER }, DEFAULT_SORT).map((d) => d.device)).toEqual(['quiet']);
    expect(filterAndSort(fleet, NO_FILTER, DEFAULT_SORT)).toHaveLength(fleet.length);
  });

  it('sorts by family then topic, devices not heard from last', () => {
    expect(sortDevices(fleet, { key: 'adapter', direction: 'asc' }).map((d) => d.device)).toEqual(['env-01', 'plc-1', 'plug-1', 'plug-2', 'quiet']);
  });
});
