import { describe, expect, it } from 'vitest';
import type { DeviceMeta } from '../../contract/device';
import { autoSceneId, buildAutoScenes, MAX_AUTO_KIND_SCENES } from '../../web/wall/autoScenes';

function device(kind: string | undefined, metrics: string[]): { meta: DeviceMeta; metrics: Map<string, unknown> } {
  return { meta: kind === undefined ? {} : { kind }, metrics: new Map(metrics.map((m) => [m, {}])) };
}

describe('buildAutoScenes', () => {
  it('shows an overview alone for a single device', () => {
    const scenes = buildAutoScenes([device('env-sensor', ['temperature'])] as never);
    expect(scenes.map((s) => s.id)).toEqual(['overview']);
    expect(scenes[0]?.panels).toEqual([{ kind: 'devices' }]);
  });

  it('adds a scene per kind, sorted, and a status grid', () => {
    const scenes = buildAutoScenes([device('robot-arm', ['torque_nm']), device('ev-charger', ['power_kw']), device(undefined, ['x1'])] as never);
    expect(scenes.map((s) => s.id)).toEqual(['overview', 'kind-ev-charger', 'kind-robot-arm', 'status']);
    expect(scenes[1]?.panels).toEqual([{ kind: 'devices', deviceKind: 'ev-charger' }]);
    expect(scenes[3]?.panels).toEqual([{ kind: 'status-grid' }]);
  });

  it('maps moving things when a kind reports positions', () => {
    const scenes = buildAutoScenes([device('vehicle', ['speed_kmh', 'pos_x', 'pos_y'])] as never);
    expect(scenes[1]?.panels[0]).toEqual({ kind: 'position', xMetric: 'pos_x', yMetric: 'pos_y' });
  });

  it('caps the number of kind scenes', () => {
    const devices = Array.from({ length: 20 }, (_, i) => device(`kind${String(i).padStart(2, '0')}`, ['v']));
    expect(buildAutoScenes(devices as never).length).toBe(1 + MAX_AUTO_KIND_SCENES + 1);
  });

  it('makes URL-safe ids from device-chosen kinds', () => {
    expect(autoSceneId('EV Charger <b>')).toBe('kind-ev-charger-b');
    expect(autoSceneId('充电桩')).toBe('kind-other');
    const ids = buildAutoScenes([device('充电桩', ['a']), device('机器人', ['b'])] as never).map((s) => s.id);
    expect(ids).toEqual(['overview', 'kind-other', 'kind-other-2', 'status']);
  });
});
