import { describe, expect, it, vi } from 'vitest';
import { CONSOLE_API } from '../../contract/console';
import { ApiError, ConsoleApi, describeError, UnauthorizedError } from '../../web/console/ConsoleApi';
import { buildConsoleChart, chartLines, countPoints, groupLinesByUnit, withGaps } from '../../web/console/consoleChartOptions';
import { LiveSeries } from '../../web/console/LiveSeries';

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe('console chart options', () => {
  const lines = chartLines(['co2', 'temp_in', 'temp_out', 'door'], (m) => (m === 'door' ? 'boolean' : 'number'), { co2: 'ppm', temp_in: '°C', temp_out: '°C' });
  const groups = groupLinesByUnit(lines);

  it('shares a row between metrics of one unit, and gives every metric a stable colour', () => {
    expect(groups.map((g) => g.lines.map((l) => l.metric))).toEqual([['co2'], ['temp_in', 'temp_out'], ['door']]);
    expect(chartLines(['co2'], () => 'number', {})[0]?.color).toBe(lines[0]?.color);
  });

  it('places rows in pixels, leaves room for time labels under the last row only, and never animates', () => {
    const option = buildConsoleChart(groups, { min: 0, max: 60_000 }, [[], [], [], []], 440, 'sans-serif');
    const grids = asArray(option.grid);
    expect(grids.map((g) => [g.top, g.height])).toEqual([
      [15, 122],
      [151, 122],
      [287, 122],
    ]);
    const labels = asArray(option.xAxis).map((axis) => (axis as { axisLabel?: { show?: boolean } }).axisLabel?.show);
    expect(labels).toEqual([false, false, true]);
    expect(option.animation).toBe(false);
    expect(option.tooltip).toMatchObject({ trigger: 'axis', renderMode: 'richText' });
  });

  it('breaks lines where buckets are missing and counts only drawn points', () => {
    const line = withGaps(
      [
        [0, 1],
        [10, 2],
        [20, 3],
        [60, 4],
      ],
      25,
    );
    expect(line).toEqual([
      [0, 1],
      [10, 2],
      [20, 3],
      [40, null],
      [60, 4],
    ]);
    expect(countPoints([line, [[1, 2]]])).toBe(5);
  });
});

describe('live series', () => {
  it('keeps one point per poll time, booleans as 0/1, sorted metric names', () => {
    const live = new LiveSeries();
    live.add(1000, { temperature: 21.5, door: true });
    live.add(1000, { temperature: 99 });
    live.add(3000, { temperature: 22, door: false });
    expect(live.metrics()).toEqual(['door', 'temperature']);
    expect(live.kind('door')).toBe('boolean');
    expect(live.points('temperature', 0, 10_000)).toEqual([
      [1000, 21.5],
      [3000, 22],
    ]);
    expect(live.points('door', 0, 10_000)).toEqual([
      [1000, 1],
      [3000, 0],
    ]);
  });

  it('drops points older than the window and breaks the line over long silences', () => {
    const live = new LiveSeries();
    for (const ts of [0, 2000, 4000, 60_000]) live.add(ts, { v: ts });
    expect(live.points('v', 2000, 10_000)).toEqual([
      [2000, 2000],
      [4000, 4000],
      [32_000, null],
      [60_000, 60_000],
    ]);
  });

  it('stays bounded in metrics and points', () => {
    const live = new LiveSeries();
    for (let i = 0; i < 100; i++) live.add(i, { [`m${i}`]: i });
    expect(live.metrics()).toHaveLength(64);
    for (let ts = 0; ts < 5000; ts++) live.add(1000 + ts, { m0: ts });
    expect(live.points('m0', 0, 1e9).length).toBeLessThanOrEqual(600);
  });
});

describe('console API client', () => {
  const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('sends the login as JSON and tells a refusal from an error, without calling it a lost session', async () => {
    const onUnauthorized = vi.fn();
    const fetchFn = vi.fn(() => Promise.resolve(json(401, { error: 'wrong password' })));
    const api = new ConsoleApi(onUnauthorized, fetchFn);
    expect(await api.login({ name: 'Ana', password: 'nope' })).toBe('refused');
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(fetchFn).toHaveBeenCalledWith(
      CONSOLE_API.login,
      expect.objectContaining({ method: 'POST', body: JSON.stringify({ name: 'Ana', password: 'nope' }), credentials: 'same-origin' }),
    );
    const init = (fetchFn.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toMatchObject({ 'Content-Type': 'application/json' });
  });

  it('reports a 401 from any other call as a lost session', async () => {
    const onUnauthorized = vi.fn();
    const api = new ConsoleApi(onUnauthorized, () => Promise.resolve(json(401, { error: 'login required' })));
    await expect(api.getJson(CONSOLE_API.devices)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('reads no session as null, and errors with the server message', async () => {
    expect(
      await new ConsoleApi(
        () => {},
        () => Promise.resolve(json(401, {})),
      ).session(),
    ).toBeNull();
    const error = await new ConsoleApi(
      () => {},
      () => Promise.resolve(json(404, { error: 'no such device' })),
    )
      .getJson('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(describeError(error)).toBe('no such device (HTTP 404)');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Cannot reach the server');
  });
});
