/**
 * Issue 9: on a wall of several booths, a dashboard panel resolves its device only within its own
 * booth, so booth A cannot publish booth B's device id and take over B's panel; and with several
 * booths configured, the dashboard file must say whose device each such panel shows.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceWindow, Snapshot } from '../../contract/live';
import { DashboardFileError, parseDashboardFile } from '../../server/dashboard/dashboardFile';
import { WallModel } from '../../web/wall/WallModel';

const T0 = 1_700_000_000_000;

function deviceWindow(booth: string, device: string, temperature: number): DeviceWindow {
  return {
    booth,
    device,
    meta: {},
    presence: { state: 'online', since: T0, reason: 'status' },
    lastSeen: T0,
    latest: { temperature },
    series: [{ metric: 'temperature', ts: [T0], values: [temperature] }],
  };
}

function snapshot(booths: string[], devices: DeviceWindow[]): Snapshot {
  return { serverTime: T0, windowMs: 60_000, booths: booths.map((id) => ({ id, name: id })), devices };
}

describe('WallModel.find', () => {
  it("on a wall of several booths, finds a device only in the panel's booth: A's copy of B's id does not take B's panel", () => {
    const model = new WallModel({ windowMs: 60_000 });
    // A publishes B's device id first (and so would come first in any "first booth that has it" search).
    model.applySnapshot(snapshot(['booth-a', 'booth-b'], [deviceWindow('booth-a', 'env-01', 99), deviceWindow('booth-b', 'env-01', 21)]), T0);
    expect(model.find('env-01', 'booth-b')?.metrics.get('temperature')?.latest).toBe(21);
    expect(model.find('env-01', 'booth-a')?.booth).toBe('booth-a');
    // A panel without a booth on a wall of several booths shows nothing rather than a guess.
    expect(model.find('env-01')).toBeUndefined();
  });

  it('without a booth, finds the device on a wall of one booth', () => {
    const model = new WallModel({ windowMs: 60_000 });
    model.applySnapshot(snapshot(['booth-b'], [deviceWindow('booth-b', 'env-01', 21)]), T0);
    expect(model.find('env-01')?.booth).toBe('booth-b');
    expect(model.find('env-01', 'booth-a')).toBeUndefined();
  });
});

/** The first panel is on line 4. */
const scene = (panels: string) => `scenes:\n  - title: S\n    panels:\n${panels}`;

function errorOf(yaml: string, booths: string[]): string {
  try {
    parseDashboardFile(yaml, 'd.yaml', booths);
  } catch (error) {
    expect(error).toBeInstanceOf(DashboardFileError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('dashboard file: panel booths', () => {
  const panels = scene(
    [
      '      - kind: stat\n        device: env-01\n        metric: temperature\n',
      '      - kind: devices\n',
      '      - kind: position\n        devices: [car-1]\n        xMetric: x\n        yMetric: y\n',
      '      - kind: timeseries\n        booth: booth-b\n        device: env-01\n        metrics: [temperature]\n',
    ].join(''),
  );

  it('with several booths, requires booth on every panel that names a device, naming path and line', () => {
    expect(errorOf(panels, ['booth-a', 'booth-b'])).toBe(
      [
        'd.yaml (line 4): scenes[0].panels[0].booth: required: this server has several booths (booth-a, booth-b), so a stat panel naming a device must say whose',
        'd.yaml (line 8): scenes[0].panels[2].booth: required: this server has several booths (booth-a, booth-b), so a position panel naming a device must say whose',
      ].join('\n'),
    );
  });

  it('refuses a booth that is not configured', () => {
    expect(errorOf(scene('      - kind: devices\n        booth: booth-z\n'), ['booth-a', 'booth-b'])).toBe(
      'd.yaml (line 5): scenes[0].panels[0].booth: unknown booth "booth-z"; expected one of booth-a, booth-b',
    );
  });

  it('with one booth, or when the booths are not known (a file checked on its own), panels need not name it', () => {
    expect(parseDashboardFile(panels.replace('booth: booth-b', 'booth: booth-a'), 'd.yaml', ['booth-a']).scenes[0]!.panels).toHaveLength(4);
    expect(parseDashboardFile(panels, 'd.yaml').scenes[0]!.panels).toHaveLength(4);
  });
});
