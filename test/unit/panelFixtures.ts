/** Models for the panel tests, built through WallModel's own snapshot path so they are realistic. */
import type { DeviceWindow } from '../../contract/live';
import { ChartSeries } from '../../web/shared/ChartSeries';
import { WallModel } from '../../web/wall/WallModel';

export const T0 = 1_700_000_000_000;
export const WINDOW_MS = 5 * 60_000;

export function deviceWindow(device: string, overrides: Partial<DeviceWindow> = {}): DeviceWindow {
  return {
    booth: 'b1',
    device,
    meta: { name: `Sensor ${device}`, intervalMs: 1000 },
    presence: { state: 'online', since: T0 - 60_000, reason: 'status' },
    lastSeen: T0,
    latest: {},
    series: [],
    ...overrides,
  };
}

export function modelOf(devices: DeviceWindow[], serverTime = T0): WallModel {
  const model = new WallModel({ windowMs: WINDOW_MS });
  model.applySnapshot(
    {
      serverTime,
      windowMs: WINDOW_MS,
      booths: [
        { id: 'b1', name: 'Booth One' },
        { id: 'b2', name: 'Booth Two' },
      ],
      devices,
    },
    serverTime,
  );
  return model;
}

export function seriesOf(points: readonly (readonly [number, number])[], capacity = 600): ChartSeries {
  const series = new ChartSeries(capacity);
  for (const [ts, value] of points) series.append(ts, value);
  return series;
}
