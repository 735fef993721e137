/**
 * Scenes for a wall without a dashboard file, built from the devices it sees: an overview of every
 * device, one scene per device kind (with a position map for kinds that report positions), and a
 * status grid. An exhibitor who plugs in a device gets a sensible wall without writing anything.
 */
import type { PanelSpec, SceneSpec } from '../../contract/dashboard';
import type { DeviceState } from './WallModel';
import { deviceKindLabel } from '../shared/metricDisplay';

export const AUTO_OVERVIEW_SECONDS = 20;
export const AUTO_KIND_SECONDS = 15;
/** A wall rotating through more kinds than this would take minutes to come back to the overview. */
export const MAX_AUTO_KIND_SCENES = 8;

/** Pairs of metric names that mean a position, x first. */
const POSITION_METRICS: readonly [string, string][] = [
  ['pos_x', 'pos_y'],
  ['x', 'y'],
  ['lon', 'lat'],
  ['longitude', 'latitude'],
];

type DeviceFacts = Pick<DeviceState, 'meta' | 'metrics'> & { readonly booth?: string };

export function buildAutoScenes(devices: Iterable<DeviceFacts>): SceneSpec[] {
  const byKind = new Map<string, DeviceFacts[]>();
  let count = 0;
  for (const device of devices) {
    count++;
    const kind = device.meta.kind?.trim();
    if (!kind) continue;
    const list = byKind.get(kind) ?? [];
    list.push(device);
    byKind.set(kind, list);
  }

  const scenes: SceneSpec[] = [
    { id: 'overview', title: { en: 'Overview', zh: '总览' }, durationSeconds: AUTO_OVERVIEW_SECONDS, panels: [{ kind: 'devices' }] },
  ];
  // One kind only would repeat the overview as a second scene.
  if (byKind.size > 1 || [...byKind.values()].some((list) => positionMetrics(list) !== null)) {
    const kinds = kindsSharedByBooth(byKind, MAX_AUTO_KIND_SCENES);
    for (const kind of kinds) {
      const scene = kindScene(kind, byKind.get(kind) ?? []);
      // Kinds that differ only in characters a URL id drops would otherwise share an id.
      const taken = new Set(scenes.map((s) => s.id));
      for (let n = 2; taken.has(scene.id); n++) scene.id = `${autoSceneId(kind)}-${n}`;
      scenes.push(scene);
    }
  }
  if (count > 1) {
    scenes.push({
      id: 'status',
      title: { en: 'Device status', zh: '设备状态' },
      durationSeconds: AUTO_KIND_SECONDS,
      panels: [{ kind: 'status-grid' }],
    });
  }
  return scenes;
}

/**
 * At most `limit` kinds, sorted. Past the limit, booths take turns (each its next kind by name), so a
 * booth whose devices invent many kinds cannot take every kind scene of an all-booths wall.
 */
function kindsSharedByBooth(byKind: ReadonlyMap<string, readonly DeviceFacts[]>, limit: number): string[] {
  const all = [...byKind.keys()].sort();
  if (all.length <= limit) return all;
  const kindsPerBooth = new Map<string, string[]>();
  for (const kind of all) {
    for (const device of byKind.get(kind) ?? []) {
      const booth = device.booth ?? '';
      const list = kindsPerBooth.get(booth) ?? [];
      if (list[list.length - 1] !== kind) list.push(kind);
      kindsPerBooth.set(booth, list);
    }
  }
  const chosen = new Set<string>();
  const queues = [...kindsPerBooth.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, kinds]) => kinds);
  while (chosen.size < limit && queues.some((queue) => queue.length > 0)) {
    for (const queue of queues) {
      if (chosen.size >= limit) break;
      let kind = queue.shift();
      while (kind !== undefined && chosen.has(kind)) kind = queue.shift();
      if (kind !== undefined) chosen.add(kind);
    }
  }
  return [...chosen].sort();
}

function kindScene(kind: string, devices: readonly DeviceFacts[]): SceneSpec {
  const panels: PanelSpec[] = [];
  const position = positionMetrics(devices);
  if (position) panels.push({ kind: 'position', xMetric: position[0], yMetric: position[1] });
  panels.push({ kind: 'devices', deviceKind: kind });
  // Titled by the kind's name in the wall's languages (metricDisplay.ts), not the kind id.
  return { id: autoSceneId(kind), title: deviceKindLabel(kind), durationSeconds: AUTO_KIND_SECONDS, panels };
}

/** Kinds are device-chosen text; the id must still be usable in `?scene=`. */
export function autoSceneId(kind: string): string {
  const slug = kind
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `kind-${slug || 'other'}`;
}

function positionMetrics(devices: readonly DeviceFacts[]): [string, string] | null {
  for (const [x, y] of POSITION_METRICS) {
    if (devices.some((device) => device.metrics.has(x) && device.metrics.has(y))) return [x, y];
  }
  return null;
}
