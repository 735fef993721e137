/**
 * The dashboard file's panels for exhibitors (qr, image, text, kpi, a floor plan) and the light
 * theme: what is accepted, what each mistake says (bad URL, oversize image, wrong magic bytes,
 * `image: logo` without a logo), and that walls are sent served URLs, never file names.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImagePanelSpec, PositionPanelSpec } from '../../contract/dashboard';
import { DashboardFileError, parseDashboardFile } from '../../server/dashboard/dashboardFile';
import { MAX_IMAGE_BYTES } from '../../server/dashboard/dashboardLogo';
import { DashboardSource } from '../../server/dashboard/DashboardSource';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

const parse = (yaml: string) => parseDashboardFile(yaml, 'd.yaml');
const scene = (panels: string) => `scenes:\n  - title: S\n    panels:\n${panels}`;

function errorOf(yaml: string): string {
  try {
    parse(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(DashboardFileError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('exhibitor panels in the dashboard file', () => {
  it('accepts every new panel and the light theme', () => {
    const parsed = parse(`branding:
  logo: logo.png
  theme: light
${scene(`      - kind: qr
        url: https://example.com/datasheet?id=42
        caption: { en: Scan for the datasheet, zh: 扫码获取资料 }
      - kind: image
        image: ./pics/robot.jpg
        fit: cover
      - kind: image
        image: logo
      - kind: text
        text: { en: "Live from the hall", zh: 展厅实况 }
      - kind: kpi
        title: kWh charged today
        metric: energy_kwh
        aggregate: increase
        period: today
        timeZone: Asia/Shanghai
        decimals: 1
        thresholds: [{ from: 0, color: info }, { from: 100, color: ok }]
      - kind: position
        xMetric: x
        yMetric: y
        floorPlan: { image: hall.png, xMin: 0, xMax: 40, yMin: 0, yMax: 20 }
`)}`);
    expect(parsed.branding.theme).toBe('light');
    expect(parsed.scenes[0]?.panels.map((p) => p.kind)).toEqual(['qr', 'image', 'image', 'text', 'kpi', 'position']);
    expect((parsed.scenes[0]?.panels[1] as ImagePanelSpec).image).toBe('pics/robot.jpg');
    // Each file once, with the place and line of its first use; the logo is not a panel file.
    expect(parsed.images).toEqual([
      { file: 'pics/robot.jpg', at: 'scenes[0].panels[1].image', line: 11 },
      { file: 'hall.png', at: 'scenes[0].panels[5].floorPlan.image', line: 28 },
    ]);
  });

  it.each([
    ['not a URL', 'url: hello', 'd.yaml (line 5): scenes[0].panels[0].url: is not a valid URL; write it whole, e.g. "https://example.com/product"'],
    ['another scheme', 'url: "javascript:alert(1)"', 'd.yaml (line 5): scenes[0].panels[0].url: must be an http:// or https:// URL'],
    ['credentials', 'url: https://u:p@example.com/', 'd.yaml (line 5): scenes[0].panels[0].url: must not contain a user name or password'],
    [
      'too long to scan',
      `url: https://example.com/${'a'.repeat(300)}`,
      'd.yaml (line 5): scenes[0].panels[0].url: must be at most 300 characters: a longer code has modules too small to scan across a booth',
    ],
  ])('refuses a QR URL that is %s', (_case, line, message) => {
    expect(errorOf(scene(`      - kind: qr\n        ${line}\n`))).toBe(message);
  });

  it.each([
    ['a URL', 'image: https://example.com/a.png', 'must be an image file next to the dashboard file (.png, .jpg, .jpeg, .webp or .svg), not a URL'],
    ['outside the folder', 'image: ../secret.png', "must stay in the dashboard file's folder (no ../)"],
    ['not an image type', 'image: notes.txt', 'must be a .png, .jpg, .jpeg, .webp or .svg file'],
  ])('refuses an image that is %s', (_case, line, message) => {
    expect(errorOf(scene(`      - kind: image\n        ${line}\n`))).toBe(`d.yaml (line 5): scenes[0].panels[0].image: ${message}`);
  });

  it('refuses image: logo when the branding has no logo', () => {
    expect(errorOf(scene('      - kind: image\n        image: logo\n'))).toBe(
      'd.yaml (line 5): scenes[0].panels[0].image: is "logo", but branding.logo is not set; set it or name an image file',
    );
  });

  it('refuses a floor plan whose bounds are empty, and KPI settings that cannot be computed', () => {
    expect(
      errorOf(
        scene('      - kind: position\n        xMetric: x\n        yMetric: y\n        floorPlan: { image: a.png, xMin: 5, xMax: 5, yMin: 0, yMax: 1 }\n'),
      ),
    ).toBe('d.yaml (line 7): scenes[0].panels[0].floorPlan.xMax: must be greater than xMin');
    const kpi = (extra: string) => scene(`      - kind: kpi\n        metric: energy\n        aggregate: increase\n        period: today\n${extra}`);
    expect(errorOf(kpi('        timeZone: Mars/Olympus\n'))).toBe(
      'd.yaml (line 8): scenes[0].panels[0].timeZone: must be an IANA time zone, e.g. "Asia/Shanghai" or "Europe/Berlin"',
    );
    expect(errorOf(kpi('        thresholds: [{ from: 10, color: ok }, { from: 5, color: bad }]\n'))).toBe(
      'd.yaml (line 8): scenes[0].panels[0].thresholds[1].from: must be greater than the one before (10)',
    );
    expect(errorOf(kpi('        thresholds: [{ from: 10, color: "#e4002b" }]\n'))).toBe(
      'd.yaml (line 8): scenes[0].panels[0].thresholds[0].color: must be ok, warn, bad or info',
    );
    expect(errorOf(scene('      - kind: kpi\n        metric: energy\n        aggregate: median\n        period: week\n'))).toBe(
      [
        'd.yaml (line 6): scenes[0].panels[0].aggregate: must be increase, sum, mean, max, min or last',
        'd.yaml (line 7): scenes[0].panels[0].period: must be today, last-hour or last-24h',
      ].join('\n'),
    );
  });

  it('refuses a theme it does not have', () => {
    expect(errorOf('branding:\n  theme: sepia\n')).toBe('d.yaml (line 2): branding.theme: must be dark or light');
  });

  it('requires the booth of a KPI panel that names devices on a server of several booths', () => {
    const yaml = scene('      - kind: kpi\n        metric: energy\n        aggregate: sum\n        period: today\n        devices: [c1]\n');
    expect(() => parseDashboardFile(yaml, 'd.yaml', ['a', 'b'])).toThrow(/a kpi panel naming a device must say whose/);
  });
});

describe('image files of a dashboard', () => {
  let folder: string;
  let source: DashboardSource | undefined;
  const log = pino({ level: 'silent' });
  const open = async (yaml: string) => {
    await writeFile(join(folder, 'dashboard.yaml'), yaml);
    source = await DashboardSource.open(join(folder, 'dashboard.yaml'), log);
    return source;
  };
  const openError = async (yaml: string) => {
    try {
      await open(yaml);
    } catch (error) {
      expect(error).toBeInstanceOf(DashboardFileError);
      return (error as Error).message;
    }
    throw new Error('expected the dashboard to be refused');
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'showfloor-images-'));
    await writeFile(join(folder, 'robot.jpg'), JPEG);
    await writeFile(join(folder, 'hall.png'), PNG);
    await writeFile(join(folder, 'logo.png'), PNG);
    await writeFile(join(folder, 'page.png'), '<!doctype html><script>alert(1)</script>');
    await writeFile(join(folder, 'huge.png'), Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES)]));
  });
  afterEach(() => source?.close());
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('sends walls the served URL of each image, and serves the bytes by that URL', async () => {
    const dashboard = await open(
      `branding:\n  logo: logo.png\n${scene(`      - kind: image
        image: robot.jpg
      - kind: image
        image: logo
      - kind: position
        xMetric: x
        yMetric: y
        floorPlan: { image: hall.png, xMin: 0, xMax: 40, yMin: 0, yMax: 20 }
`)}`,
    );
    const [robot, logo, position] = dashboard.current.scenes[0]?.panels ?? [];
    const robotUrl = (robot as ImagePanelSpec).image;
    expect(robotUrl).toMatch(/^\/wall\/image\/[0-9a-f]{16}$/);
    expect((logo as ImagePanelSpec).image).toBe(dashboard.current.branding.logoUrl);
    const planUrl = (position as PositionPanelSpec).floorPlan?.image ?? '';
    expect(planUrl).toMatch(/^\/wall\/image\/[0-9a-f]{16}$/);
    expect(dashboard.image(robotUrl.split('/').at(-1) ?? '')).toMatchObject({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(dashboard.image(planUrl.split('/').at(-1) ?? '')).toMatchObject({ bytes: PNG, contentType: 'image/png' });
    expect(dashboard.image('0000000000000000')).toBeNull();
  });

  it('refuses an image whose bytes are not what its name says, naming the place', async () => {
    expect(await openError(scene('      - kind: image\n        image: page.png\n'))).toBe(
      `${join(folder, 'dashboard.yaml')} (line 5): scenes[0].panels[0].image: page.png is not an image/png file`,
    );
  });

  it('refuses an image over the size limit', async () => {
    expect(
      await openError(
        scene('      - kind: position\n        xMetric: x\n        yMetric: y\n        floorPlan: { image: huge.png, xMin: 0, xMax: 1, yMin: 0, yMax: 1 }\n'),
      ),
    ).toBe(
      `${join(folder, 'dashboard.yaml')} (line 7): scenes[0].panels[0].floorPlan.image: huge.png is ${PNG.length + MAX_IMAGE_BYTES} bytes; an image may be at most ${MAX_IMAGE_BYTES} (2 MiB)`,
    );
  });

  // Written as './swap-dot.png', the watcher still reports the file as 'swap-dot.png'.
  it.each([
    ['swap.png', 'swap.png'],
    ['./swap-dot.png', 'swap-dot.png'],
  ])('sends walls a new URL when an image beside the file (written %s) is replaced, without a save of the file', async (written, name) => {
    await writeFile(join(folder, name), PNG);
    const dashboard = await open(scene(`      - kind: image\n        image: ${written}\n`));
    const before = (dashboard.current.scenes[0]?.panels[0] as ImagePanelSpec).image;
    const changed = new Promise<string>((resolve) => dashboard.watch((next) => resolve((next.scenes[0]?.panels[0] as ImagePanelSpec).image)));
    await writeFile(join(folder, name), Buffer.concat([PNG, Buffer.from([1, 2, 3])]));
    const after = await changed;
    expect(after).toMatch(/^\/wall\/image\/[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
    expect(dashboard.image(before.split('/').at(-1) ?? '')).toBeNull();
  });

  it('refuses an image that does not exist', async () => {
    expect(await openError(scene('      - kind: image\n        image: gone.webp\n'))).toBe(
      `${join(folder, 'dashboard.yaml')} (line 5): scenes[0].panels[0].image: gone.webp does not exist`,
    );
  });
});
