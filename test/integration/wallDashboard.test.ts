/**
 * The dashboard file against a real server and socket.io walls: sent before the snapshot, edits
 * (in place, atomic, broken, deleted) while walls stay connected, the logo and its headers, and the
 * walls' self-reports in /api/walls, /api/health and /metrics.
 */
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallDashboard } from '../../contract/dashboard';
import type { Snapshot, WallSubscription } from '../../contract/live';
import { DashboardFileError } from '../../server/dashboard/dashboardFile';
import { BOOTH_A, getJson, startTestShowfloor, wallClient, type WallClient } from '../support/showfloor';
import { eventually, waitForEvent } from '../support/waitFor';
import type { PublicHealth, PublicWallList } from '../support/publicApi';

type Showfloor = Awaited<ReturnType<typeof startTestShowfloor>>;

const SVG_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#e4002b"/></svg>\n';

/** A valid dashboard whose one scene is titled `title`, so a test can tell its versions apart. */
function dashboardYaml(title: string, branding = 'branding:\n  name: Expo Hall\n  logo: logo.svg\n  accent: "#e4002b"\n'): string {
  return `${branding}scenes:\n  - id: main\n    title: ${JSON.stringify(title)}\n    panels:\n      - kind: stat\n        device: env-01\n        metric: temperature\n`;
}

describe('wall dashboard from a file', () => {
  let folder: string;
  let file: string;
  let showfloor: Showfloor;
  /** Connected for the whole file: every dashboard the server pushes, in order. */
  let observer: WallClient;
  const pushed: WallDashboard[] = [];
  const walls: WallClient[] = [];

  const health = async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;

  async function connectedWall(subscription: WallSubscription = {}): Promise<{ wall: WallClient; events: string[]; dashboard: WallDashboard }> {
    const wall = wallClient(showfloor.httpUrl, { booths: [BOOTH_A.id], ...subscription });
    walls.push(wall);
    const events: string[] = [];
    wall.onAny((event: string) => events.push(event));
    const dashboard = waitForEvent<[WallDashboard]>(wall, 'dashboard');
    const snapshot = waitForEvent<[Snapshot]>(wall, 'snapshot');
    wall.connect();
    await snapshot;
    return { wall, events, dashboard: (await dashboard)[0] };
  }

  /** Resolves with the next dashboard the observer is pushed whose scene is titled `title`. */
  function pushedWithTitle(title: string): Promise<[WallDashboard]> {
    return waitForEvent<[WallDashboard]>(observer, 'dashboard', { filter: (d) => d.scenes[0]?.title === title });
  }

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'showfloor-dashboard-'));
    file = join(folder, 'dashboard.yaml');
    await writeFile(join(folder, 'logo.svg'), SVG_LOGO);
    await writeFile(file, dashboardYaml('First'));
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile: file });
    observer = wallClient(showfloor.httpUrl);
    observer.on('dashboard', (dashboard) => pushed.push(dashboard));
    const first = waitForEvent(observer, 'snapshot');
    observer.connect();
    await first;
  });

  afterAll(async () => {
    observer?.disconnect();
    for (const wall of walls) wall.disconnect();
    await showfloor?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('sends a connecting wall the dashboard before the snapshot', async () => {
    const { events, dashboard } = await connectedWall();
    expect(events.slice(0, 2)).toEqual(['dashboard', 'snapshot']);
    expect(dashboard).toEqual({
      source: 'file',
      version: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      branding: { name: 'Expo Hall', accent: '#e4002b', logoUrl: expect.stringMatching(/^\/wall\/logo\?v=[0-9a-f]{16}$/) as unknown },
      scenes: [{ id: 'main', title: 'First', durationSeconds: 20, panels: [{ kind: 'stat', device: 'env-01', metric: 'temperature' }] }],
    });
    expect((await health()).dashboard).toEqual({
      source: 'file',
      file,
      version: dashboard.version,
      loadedAt: expect.any(Number) as unknown,
      checkedAt: expect.any(Number) as unknown,
      error: null,
    });
  });

  it('pushes an edited file to connected walls without their reconnecting', async () => {
    const { wall, dashboard: before } = await connectedWall();
    let reconnects = 0;
    wall.io.on('reconnect', () => reconnects++);
    const socketId = wall.id;

    const next = waitForEvent<[WallDashboard]>(wall, 'dashboard');
    await writeFile(file, dashboardYaml('Second'));
    const [after] = await next;

    expect(after.scenes[0]!.title).toBe('Second');
    expect(after.version).not.toBe(before.version);
    expect(wall.id).toBe(socketId);
    expect(reconnects).toBe(0);
    expect((await health()).dashboard.version).toBe(after.version);
  });

  it('sends nothing when a save leaves the content as it was', async () => {
    const { dashboard } = await health();
    const count = pushed.length;
    await writeFile(file, dashboardYaml('Second'));
    await eventually(async () => expect((await health()).dashboard.checkedAt).toBeGreaterThan(dashboard.checkedAt!));
    expect((await health()).dashboard).toMatchObject({ version: dashboard.version, loadedAt: dashboard.loadedAt, error: null });
    expect(pushed).toHaveLength(count);
  });

  it('keeps the last good dashboard when the file turns invalid, and says why in /api/health', async () => {
    const good = pushed.at(-1)!;
    const count = pushed.length;
    await writeFile(file, dashboardYaml('Broken').replace('metric: temperature', 'metric: "2hot"'));

    const error = await eventually(async () => {
      const { dashboard } = await health();
      expect(dashboard.error).toMatch(/scenes\[0\]\.panels\[0\]\.metric: must be a metric name/);
      return dashboard.error as string;
    });
    expect(error).toBe(
      `${file} (line 11): scenes[0].panels[0].metric: must be a metric name: a letter, then letters, digits or _, at most 64 in all, and not time, booth, device or kind`,
    );
    expect((await health()).dashboard.version).toBe(good.version);
    expect(pushed).toHaveLength(count);
    // A wall connecting meanwhile gets the last good one.
    expect((await connectedWall()).dashboard.version).toBe(good.version);

    const fixed = pushedWithTitle('Fixed');
    await writeFile(file, dashboardYaml('Fixed'));
    await fixed;
    expect((await health()).dashboard.error).toBeNull();
  });

  it('picks up a file replaced atomically (written aside, then renamed over it), time after time', async () => {
    // Twice: a watch on the file itself would see the first rename and then watch a deleted file.
    for (const title of ['Renamed', 'Renamed again']) {
      const next = pushedWithTitle(title);
      const aside = join(folder, '.dashboard.yaml.tmp');
      await writeFile(aside, dashboardYaml(title));
      await rename(aside, file);
      const [dashboard] = await next;
      expect((await health()).dashboard).toMatchObject({ version: dashboard.version, error: null });
    }
  });

  it('keeps the last good dashboard while the file is deleted, and takes it back when it returns', async () => {
    const good = pushed.at(-1)!;
    await unlink(file);
    await eventually(async () =>
      expect((await health()).dashboard).toMatchObject({ version: good.version, error: `${file}: the dashboard file does not exist` }),
    );

    const back = pushedWithTitle('Back');
    await writeFile(file, dashboardYaml('Back'));
    await back;
    expect((await health()).dashboard.error).toBeNull();
  });

  it('serves a logo file with its type, nosniff and a sandboxing policy, and a new logo under a new URL', async () => {
    const logoUrl = pushed.at(-1)!.branding.logoUrl!;
    const response = await fetch(`${showfloor.httpUrl}${logoUrl}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('sandbox');
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(await response.text()).toBe(SVG_LOGO);

    // Replacing the image alone is a change: walls get a new version and a new logo URL.
    const next = waitForEvent<[WallDashboard]>(observer, 'dashboard');
    await writeFile(join(folder, 'logo.svg'), SVG_LOGO.replace('#e4002b', '#0050b3'));
    const [changed] = await next;
    expect(changed.branding.logoUrl).not.toBe(logoUrl);
    expect(await (await fetch(`${showfloor.httpUrl}${changed.branding.logoUrl}`)).text()).toContain('#0050b3');
  });

  it('serves nothing but the logo under /wall, whatever the path or query asks for', async () => {
    const logo = await (await fetch(`${showfloor.httpUrl}/wall/logo`)).text();
    expect(await (await fetch(`${showfloor.httpUrl}/wall/logo?v=../../package.json&path=../../package.json`)).text()).toBe(logo);
    for (const path of [
      '/wall/logo/..%2F..%2Fpackage.json',
      '/wall/..%2F..%2Fpackage.json',
      '/wall/%2e%2e/%2e%2e/package.json',
      '/wall/logo/../../package.json',
      '/wall/../../package.json',
    ]) {
      const { status, body } = await rawGet(showfloor.httpPort, path);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(body, path).not.toContain('"showfloor"');
    }
  });

  it('lets the page load an external logo from that one origin, and no other', async () => {
    const before = await fetch(`${showfloor.httpUrl}/api/health`);
    expect(before.headers.get('content-security-policy')).toContain("img-src 'self';");

    const next = pushedWithTitle('External');
    await writeFile(file, dashboardYaml('External', 'branding:\n  logo: https://cdn.example.com/brand/logo.png\n'));
    const [dashboard] = await next;
    expect(dashboard.branding).toEqual({ logoUrl: 'https://cdn.example.com/brand/logo.png' });

    const after = await fetch(`${showfloor.httpUrl}/`);
    expect(after.headers.get('content-security-policy')).toContain("img-src 'self' https://cdn.example.com;");
    expect((await fetch(`${showfloor.httpUrl}/wall/logo`)).status).toBe(404);
  });

  it('records a wall that reports itself, counts its reload, and remembers it after it leaves', async () => {
    const reloads = async () => (await health()).walls.reloads.frozen ?? 0;
    const metricLine = async () =>
      (await (await fetch(`${showfloor.httpUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith('showfloor_wall_reloads_total{reason="frozen"}'));
    const frozenBefore = await reloads();

    const { wall } = await connectedWall({ wall: { id: 'kiosk-hall-a-01', reloads: 7, lastReloadReason: 'frozen' } });
    expect(await reloads()).toBe(frozenBefore + 1);
    expect(await metricLine()).toBe(`showfloor_wall_reloads_total{reason="frozen"} ${frozenBefore + 1}`);

    const { body } = await getJson<PublicWallList>(`${showfloor.httpUrl}/api/walls`);
    expect(body.connected).toContainEqual({
      id: 'kiosk-hall-a-01',
      address: expect.stringMatching(/127\.0\.0\.1/) as unknown,
      connectedAt: expect.any(Number) as unknown,
      disconnectedAt: null,
      booths: [BOOTH_A.id],
      reloads: 7,
      lastReloadReason: 'frozen',
    });
    expect((await health()).walls.connected).toBe(body.connected.length);

    // The next connect of the same kiosk, without a reload, counts nothing more.
    const { wall: again } = await connectedWall({ wall: { id: 'kiosk-hall-a-01', reloads: 7 } });
    expect(await reloads()).toBe(frozenBefore + 1);

    wall.disconnect();
    again.disconnect();
    await eventually(async () => {
      const { body: list } = await getJson<PublicWallList>(`${showfloor.httpUrl}/api/walls`);
      expect(list.connected.some((w) => w.id === 'kiosk-hall-a-01')).toBe(false);
      expect(list.disconnected).toContainEqual(expect.objectContaining({ id: 'kiosk-hall-a-01', disconnectedAt: expect.any(Number) as unknown }));
    });
  });

  it.each([
    [{ id: 'short', reloads: 0 }, 'wall.id must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -'],
    [{ id: 'kiosk <script>', reloads: 0 }, 'wall.id must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -'],
    [{ id: 'kiosk-0001', reloads: -1 }, 'wall.reloads must be a whole number from 0 to 1000000000'],
    [{ id: 'kiosk-0001', reloads: 1.5 }, 'wall.reloads must be a whole number from 0 to 1000000000'],
    [{ id: 'kiosk-0001', reloads: 2e9 }, 'wall.reloads must be a whole number from 0 to 1000000000'],
    [{ id: 'kiosk-0001' }, 'wall.reloads must be a whole number from 0 to 1000000000'],
    [{ id: 'kiosk-0001', reloads: 1, lastReloadReason: 'bored' }, 'wall.lastReloadReason must be one of error, preload-error, heap-ceiling, frozen'],
    ['kiosk-0001', 'wall must be an object: { id, reloads, lastReloadReason? }'],
  ])('refuses the connection of a wall reporting %j', async (report, message) => {
    const wall = wallClient(showfloor.httpUrl, { wall: report as never });
    walls.push(wall);
    const refused = waitForEvent<[Error]>(wall, 'connect_error', { rejectOnError: false });
    wall.connect();
    const [error] = await refused;
    expect(error.message).toBe(message);
    wall.disconnect();
  });
});

describe('wall dashboard without a file', () => {
  let showfloor: Showfloor | undefined;
  afterAll(async () => {
    await showfloor?.close();
  });

  it('sends the automatic dashboard and says so in /api/health', async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
    const wall = wallClient(showfloor.httpUrl);
    const dashboard = waitForEvent<[WallDashboard]>(wall, 'dashboard');
    wall.connect();
    expect((await dashboard)[0]).toEqual({ source: 'auto', version: 'auto', branding: {}, scenes: [] });
    wall.disconnect();
    expect((await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.dashboard).toEqual({
      source: 'auto',
      file: null,
      version: 'auto',
      loadedAt: null,
      checkedAt: null,
      error: null,
    });
  });
});

describe('wall dashboard file at start-up', () => {
  it('stops start-up with the error, its path and line, when the file is invalid', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'showfloor-dashboard-'));
    try {
      const file = join(folder, 'dashboard.yaml');
      await writeFile(file, 'scenes:\n  - title: S\n    panels:\n      - kind: gauge\n        device: d\n        metric: m\n        min: 5\n        max: 1\n');
      const started = startTestShowfloor({ booths: [BOOTH_A], dashboardFile: file });
      await expect(started).rejects.toThrow(DashboardFileError);
      await expect(started).rejects.toThrow(`${file} (line 8): scenes[0].panels[0].max: must be greater than min`);

      await expect(startTestShowfloor({ booths: [BOOTH_A], dashboardFile: join(folder, 'missing.yaml') })).rejects.toThrow(
        `${join(folder, 'missing.yaml')}: the dashboard file does not exist`,
      );
      await writeFile(file, 'branding:\n  logo: missing.png\n');
      await expect(startTestShowfloor({ booths: [BOOTH_A], dashboardFile: file })).rejects.toThrow(
        `${file} (line 2): branding.logo: missing.png does not exist`,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

/** A GET whose path is sent exactly as written: fetch() would resolve the `..` segments first. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
