import { describe, expect, it } from 'vitest';
import { statusAgeText, statusEntries, statusSummary, statusWord } from '../../web/wall/panels/statusGrid';
import { WallText } from '../../web/wall/wallText';
import { deviceWindow, modelOf, T0 } from './panelFixtures';

const offline = { state: 'offline' as const, since: T0 - 120_000, reason: 'will' as const };

function wall() {
  return modelOf([
    deviceWindow('d10', { meta: { name: 'Sensor 10', kind: 'env' } }),
    deviceWindow('d2', { meta: { name: 'Sensor 2', kind: 'env' } }),
    deviceWindow('car', { meta: { name: 'Connected car', kind: 'vehicle', intervalMs: 1000 }, lastSeen: T0 - 120_000 }),
    deviceWindow('arm', { meta: { name: 'Robot arm', kind: 'robot' }, presence: offline, lastSeen: T0 - 300_000 }),
    deviceWindow('new', { booth: 'b2', meta: { name: '  ', kind: 'env' }, lastSeen: null }),
  ]);
}

describe('status grid entries', () => {
  it('puts problems first (offline, stale, no data), then sorts by name as people count', () => {
    const entries = statusEntries(wall().devices(), T0);
    expect(entries.map((e) => [e.name, e.state])).toEqual([
      ['Robot arm', 'offline'],
      ['Connected car', 'stale'],
      ['new', 'no-data'],
      ['Sensor 2', 'online'],
      ['Sensor 10', 'online'],
    ]);
  });

  it('filters by booth and by device kind', () => {
    expect(statusEntries(wall().devices(), T0, { booth: 'b2' }).map((e) => e.device)).toEqual(['new']);
    expect(statusEntries(wall().devices(), T0, { deviceKind: 'env' }).map((e) => e.device)).toEqual(['new', 'd2', 'd10']);
  });

  it('counts what is online for the summary line', () => {
    const entries = statusEntries(wall().devices(), T0);
    expect(statusSummary(entries)).toEqual({ online: 2, total: 5 });
    expect(new WallText('en').t('devicesOnline', statusSummary(entries))).toBe('2 of 5 online');
  });

  it('names every state in words and spells out the age only of values that are not current', () => {
    const en = new WallText('en');
    const entries = statusEntries(wall().devices(), T0);
    expect(entries.map((e) => statusWord(e.state, en))).toEqual(['Offline', 'Stale', 'No data', 'Online', 'Online']);
    expect(entries.map((e) => statusAgeText(e, en))).toEqual(['last update 5 min ago', 'last update 2 min ago', '', '', '']);
    expect(statusWord('no-data', new WallText('zh'))).toBe('无数据');
  });
});
