import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_LIMITS, type PanelKind } from '../../contract/dashboard';
import { DashboardFileError, MAX_TEXT_LENGTH, parseDashboardFile } from '../../server/dashboard/dashboardFile';

const parse = (yaml: string) => parseDashboardFile(yaml, 'd.yaml');

/** The whole error message, for exact comparison. */
function errorOf(yaml: string): string {
  try {
    parse(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(DashboardFileError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

/** A one-scene file around `panels`, written as YAML list items at 6 spaces; the first panel is on line 4. */
const scene = (panels: string) => `scenes:\n  - title: S\n    panels:\n${panels}`;

describe('dashboard file: valid', () => {
  it('reads branding and scenes, with default ids and durations', () => {
    const parsed = parse(`
branding:
  name: { en: Expo Hall, zh: 展厅 }
  logo: logo.png
  accent: "#E4002B"
scenes:
  - title: Overview
    panels:
      - kind: devices
  - id: energy
    title: { en: Energy }
    durationSeconds: 7.5
    panels:
      - kind: stat
        title: "  Power  "
        booth: hall-a
        device: ev-01
        metric: power_kw
`);
    expect(parsed.branding).toEqual({
      name: { en: 'Expo Hall', zh: '展厅' },
      logo: { kind: 'file', path: 'logo.png', contentType: 'image/png' },
      accent: '#E4002B',
    });
    expect(parsed.logoLine).toBe(4);
    expect(parsed.scenes).toEqual([
      { id: 'scene-1', title: 'Overview', durationSeconds: 20, panels: [{ kind: 'devices' }] },
      {
        id: 'energy',
        title: { en: 'Energy' },
        durationSeconds: 7.5,
        panels: [{ kind: 'stat', title: 'Power', booth: 'hall-a', device: 'ev-01', metric: 'power_kw' }],
      },
    ]);
  });

  it('reads every panel kind with all its settings', () => {
    const parsed = parse(
      scene(`      - { kind: devices, title: All, booth: b1, deviceKind: env-sensor }
      - { kind: timeseries, device: env-01, metrics: [temperature, co2] }
      - { kind: stat, device: env-01, metric: temperature }
      - { kind: gauge, device: ev-01, metric: power_kw, min: -5, max: 50 }
      - { kind: status-grid, deviceKind: robot.arm_v2 }
      - { kind: position, devices: [vehicle-01, vehicle-02], xMetric: pos_x, yMetric: pos_y }
`),
    );
    expect(parsed.scenes[0]!.panels).toEqual([
      { kind: 'devices', title: 'All', booth: 'b1', deviceKind: 'env-sensor' },
      { kind: 'timeseries', device: 'env-01', metrics: ['temperature', 'co2'] },
      { kind: 'stat', device: 'env-01', metric: 'temperature' },
      { kind: 'gauge', device: 'ev-01', metric: 'power_kw', min: -5, max: 50 },
      { kind: 'status-grid', deviceKind: 'robot.arm_v2' },
      { kind: 'position', devices: ['vehicle-01', 'vehicle-02'], xMetric: 'pos_x', yMetric: 'pos_y' },
    ]);
    const kinds: PanelKind[] = ['devices', 'timeseries', 'stat', 'gauge', 'status-grid', 'position'];
    expect(parsed.scenes[0]!.panels.map((p) => p.kind)).toEqual(kinds);
  });

  it('takes branding alone, leaving the scenes to the page', () => {
    expect(parse('branding:\n  name: ACME\n')).toEqual({ branding: { name: 'ACME' }, scenes: [], logoLine: undefined, images: [] });
  });

  it.each([
    ['https://cdn.example.com/acme/logo.svg?x=1', { kind: 'url', url: 'https://cdn.example.com/acme/logo.svg?x=1', origin: 'https://cdn.example.com' }],
    ['http://10.0.0.5:8000/logo.png', { kind: 'url', url: 'http://10.0.0.5:8000/logo.png', origin: 'http://10.0.0.5:8000' }],
    ['logos/./acme.JPEG', { kind: 'file', path: 'logos/acme.JPEG', contentType: 'image/jpeg' }],
    ['a/../acme.webp', { kind: 'file', path: 'acme.webp', contentType: 'image/webp' }],
    ['acme.svg', { kind: 'file', path: 'acme.svg', contentType: 'image/svg+xml' }],
  ])('reads the logo %s', (logo, expected) => {
    expect(parse(`branding:\n  logo: "${logo}"\n`).branding.logo).toEqual(expected);
  });

  it('reads the example in examples/dashboard.yaml, which docs/wall.md shows', () => {
    const parsed = parseDashboardFile(readFileSync('examples/dashboard.yaml', 'utf8'), 'examples/dashboard.yaml');
    expect(parsed.scenes.map((s) => s.id)).toEqual(['overview', 'climate', 'charging', 'robots', 'vehicles', 'status']);
    const kinds = new Set(parsed.scenes.flatMap((s) => s.panels.map((p) => p.kind)));
    expect([...kinds].sort()).toEqual(['devices', 'gauge', 'position', 'stat', 'status-grid', 'timeseries']);

    const wallDoc = readFileSync('docs/wall.md', 'utf8');
    const section = wallDoc.slice(wallDoc.indexOf('## Dashboard file'));
    const shown = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(shown).toBeDefined();
    const { branding, scenes } = parseDashboardFile(shown!, 'docs/wall.md');
    expect({ branding, scenes }).toEqual({ branding: parsed.branding, scenes: parsed.scenes });
  });
});

describe('dashboard file: errors name the path and the line', () => {
  it.each([
    // Panel settings.
    [
      scene('      - kind: stat\n        device: env-01\n        metric: time\n'),
      'd.yaml (line 6): scenes[0].panels[0].metric: must be a metric name: a letter, then letters, digits or _, at most 64 in all, and not time, booth, device or kind',
    ],
    [scene('      - kind: stat\n        device: env-01\n'), 'd.yaml (line 4): scenes[0].panels[0].metric: required'],
    [
      scene('      - kind: stat\n        device: env 01\n        metric: t\n'),
      'd.yaml (line 5): scenes[0].panels[0].device: must be a device id: a letter or digit, then letters, digits, _ or -, at most 64 in all',
    ],
    [scene('      - kind: stat\n        device: 42\n        metric: t\n'), 'd.yaml (line 5): scenes[0].panels[0].device: must be text, not the number 42'],
    [
      scene('      - kind: devices\n        booth: "-a"\n'),
      'd.yaml (line 5): scenes[0].panels[0].booth: must be a booth id: a letter or digit, then letters, digits, _ or -, at most 64 in all',
    ],
    [
      scene('      - kind: devices\n        deviceKind: "env sensor"\n'),
      'd.yaml (line 5): scenes[0].panels[0].deviceKind: must be a device kind as devices send it in meta.kind: a letter or digit, then letters, digits, _, . or -',
    ],
    [
      scene('      - kind: chart\n'),
      'd.yaml (line 4): scenes[0].panels[0].kind: must be one of devices, timeseries, stat, gauge, status-grid, position, qr, image, text, kpi',
    ],
    [
      scene('      - device: env-01\n'),
      'd.yaml (line 4): scenes[0].panels[0].kind: must be one of devices, timeseries, stat, gauge, status-grid, position, qr, image, text, kpi',
    ],
    [
      scene('      - stat\n'),
      'd.yaml (line 4): scenes[0].panels[0]: must be a panel: a mapping with kind (devices, timeseries, stat, gauge, status-grid, position, qr, image, text, kpi) and its settings',
    ],
    [
      scene('      - kind: gauge\n        device: d\n        metric: m\n        min: 10\n        max: 10\n'),
      'd.yaml (line 8): scenes[0].panels[0].max: must be greater than min',
    ],
    [
      scene('      - kind: gauge\n        device: d\n        metric: m\n        max: .inf\n'),
      'd.yaml (line 7): scenes[0].panels[0].max: must be a number, not the number Infinity',
    ],
    [scene('      - kind: timeseries\n        device: d\n        metrics: []\n'), 'd.yaml (line 6): scenes[0].panels[0].metrics: needs at least 1 metrics'],
    [
      scene('      - kind: timeseries\n        device: d\n        metrics: [a, b, a]\n'),
      'd.yaml (line 6): scenes[0].panels[0].metrics[2]: "a" is listed twice',
    ],
    [
      scene('      - kind: timeseries\n        device: d\n        metrics:\n          - a\n          - 1b\n'),
      'd.yaml (line 8): scenes[0].panels[0].metrics[1]: must be a metric name: a letter, then letters, digits or _, at most 64 in all, and not time, booth, device or kind',
    ],
    [
      scene('      - kind: position\n        xMetric: x\n        yMetric: y\n        devices: [v1, v1]\n'),
      'd.yaml (line 7): scenes[0].panels[0].devices[1]: "v1" is listed twice',
    ],
    // Unknown keys, named at the key, with what may stand there.
    [
      scene('      - kind: stat\n        device: env-01\n        metrc: co2\n        metric: co2\n'),
      'd.yaml (line 6): scenes[0].panels[0].metrc: unknown key; expected one of kind, title, booth, device, metric',
    ],
    [
      'scenes:\n  - title: S\n    duration: 5\n    panels: [{ kind: devices }]\n',
      'd.yaml (line 3): scenes[0].duration: unknown key; expected one of id, title, durationSeconds, panels',
    ],
    ['branding:\n  colour: "#fff"\n', 'd.yaml (line 2): branding.colour: unknown key; expected one of name, logo, accent, theme'],
    ['branding:\n  name: { en: A, de: B }\n', 'd.yaml (line 2): branding.name.de: unknown key; expected one of en, zh'],
    ['brandin: {}\n', 'd.yaml (line 1): brandin: unknown key; expected one of branding, scenes, metricDisplay'],
    // Scenes.
    ['scenes:\n  - panels: [{ kind: devices }]\n', 'd.yaml (line 2): scenes[0].title: required'],
    ['scenes:\n  - title: ""\n    panels: [{ kind: devices }]\n', 'd.yaml (line 2): scenes[0].title: must not be empty'],
    ['scenes:\n  - title: { en: A, zh: 5 }\n    panels: [{ kind: devices }]\n', 'd.yaml (line 2): scenes[0].title.zh: must be text, not the number 5'],
    ['scenes:\n  - title: {}\n    panels: [{ kind: devices }]\n', 'd.yaml (line 2): scenes[0].title: needs en, zh or both'],
    ['scenes:\n  - title: [A]\n    panels: [{ kind: devices }]\n', 'd.yaml (line 2): scenes[0].title: must be text, or a mapping with en and/or zh'],
    ['scenes:\n  - title: S\n    panels: []\n', 'd.yaml (line 3): scenes[0].panels: needs at least one panel'],
    [
      'scenes:\n  - title: S\n    durationSeconds: "20"\n    panels: [{ kind: devices }]\n',
      'd.yaml (line 3): scenes[0].durationSeconds: must be a number, not text',
    ],
    [
      'scenes:\n  - id: my scene\n    title: S\n    panels: [{ kind: devices }]\n',
      'd.yaml (line 2): scenes[0].id: must be a scene id: a letter or digit, then letters, digits, _ or -, at most 64 in all',
    ],
    [
      'scenes:\n  - { id: a, title: A, panels: [{ kind: devices }] }\n  - { id: a, title: B, panels: [{ kind: devices }] }\n',
      'd.yaml (line 3): scenes[1].id: "a" is already the id of scenes[0]; give each scene its own id',
    ],
    [
      'scenes:\n  - { id: scene-2, title: A, panels: [{ kind: devices }] }\n  - { title: B, panels: [{ kind: devices }] }\n',
      'd.yaml (line 3): scenes[1].id: this scene\'s default id "scene-2" is already the id of scenes[0]; give each scene its own id',
    ],
    ['scenes: {}\n', 'd.yaml (line 1): scenes: must be a list, not a mapping'],
    // Branding.
    ['branding:\n  accent: #e4002b\n', 'd.yaml (line 2): branding.accent: must be a colour like "#e4002b", in quotes: in YAML an unquoted # starts a comment'],
    ['branding:\n  accent: "#e4002"\n', 'd.yaml (line 2): branding.accent: must be a colour written #rgb or #rrggbb, e.g. "#e4002b"'],
    ['branding:\n  accent: red\n', 'd.yaml (line 2): branding.accent: must be a colour written #rgb or #rrggbb, e.g. "#e4002b"'],
    ['branding:\n  logo: ../secret.png\n', "d.yaml (line 2): branding.logo: must stay in the dashboard file's folder (no ../)"],
    ['branding:\n  logo: a/../../secret.png\n', "d.yaml (line 2): branding.logo: must stay in the dashboard file's folder (no ../)"],
    ['branding:\n  logo: /etc/logo.png\n', 'd.yaml (line 2): branding.logo: must be a path relative to the dashboard file, or an http(s) URL'],
    ['branding:\n  logo: logo.gif\n', 'd.yaml (line 2): branding.logo: must be a .png, .jpg, .jpeg, .webp or .svg file'],
    ['branding:\n  logo: logo.html\n', 'd.yaml (line 2): branding.logo: must be a .png, .jpg, .jpeg, .webp or .svg file'],
    ['branding:\n  logo: "data:image/png;base64,AAAA"\n', 'd.yaml (line 2): branding.logo: must be an http:// or https:// URL, or a file path'],
    ['branding:\n  logo: "javascript:alert(1)"\n', 'd.yaml (line 2): branding.logo: must be an http:// or https:// URL, or a file path'],
    ['branding:\n  logo: "https://user:pw@cdn.example.com/l.png"\n', 'd.yaml (line 2): branding.logo: must not contain a user name or password'],
    // The file as a whole.
    ['scenes: [\n', 'd.yaml (line 2): not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a: 1\na: 2\n', 'd.yaml (line 2): not valid YAML: Map keys must be unique'],
    ['', 'd.yaml: the file is empty; write branding and/or scenes'],
    ['# only a comment\n', 'd.yaml: the file is empty; write branding and/or scenes'],
    ['- kind: devices\n', 'd.yaml (line 1): (root): must be a mapping, not a list'],
  ])('%j', (yaml, message) => {
    expect(errorOf(yaml)).toBe(message);
  });

  it('lists every problem, in file order', () => {
    const message = errorOf(
      'branding:\n  accent: red\nscenes:\n  - title: S\n    panels:\n      - { kind: stat, device: d }\n  - title: ""\n    panels: [{ kind: devices }]\n',
    );
    expect(message.split('\n')).toEqual([
      'd.yaml (line 2): branding.accent: must be a colour written #rgb or #rrggbb, e.g. "#e4002b"',
      'd.yaml (line 6): scenes[0].panels[0].metric: required',
      'd.yaml (line 7): scenes[1].title: must not be empty',
    ]);
  });

  it('lists at most 20 problems and says how many more there are', () => {
    const panels = Array.from({ length: 12 }, () => '      - { kind: stat }\n').join('');
    const lines = errorOf(scene(panels)).split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('d.yaml: … and 4 more');
  });
});

describe('dashboard file: limits', () => {
  const devicesPanel = '      - { kind: devices }\n';
  const scenes = (count: number) => `scenes:\n${Array.from({ length: count }, (_, i) => `  - { title: S${i}, panels: [{ kind: devices }] }\n`).join('')}`;

  it.each([
    ['scenes', scenes(DASHBOARD_LIMITS.scenes), scenes(DASHBOARD_LIMITS.scenes + 1), 'd.yaml (line 1): scenes: may hold at most 50 scenes'],
    [
      'panels per scene',
      scene(devicesPanel.repeat(DASHBOARD_LIMITS.panelsPerScene)),
      scene(devicesPanel.repeat(DASHBOARD_LIMITS.panelsPerScene + 1)),
      'd.yaml (line 3): scenes[0].panels: may hold at most 12 panels; split the scene in two',
    ],
    [
      'metrics per timeseries',
      scene(`      - { kind: timeseries, device: d, metrics: [${Array.from({ length: 8 }, (_, i) => `m${i}`).join(', ')}] }\n`),
      scene(`      - { kind: timeseries, device: d, metrics: [${Array.from({ length: 9 }, (_, i) => `m${i}`).join(', ')}] }\n`),
      'd.yaml (line 4): scenes[0].panels[0].metrics: may list at most 8 metrics',
    ],
    [
      'devices per position panel',
      scene(`      - { kind: position, xMetric: x, yMetric: y, devices: [${Array.from({ length: 20 }, (_, i) => `v${i}`).join(', ')}] }\n`),
      scene(`      - { kind: position, xMetric: x, yMetric: y, devices: [${Array.from({ length: 21 }, (_, i) => `v${i}`).join(', ')}] }\n`),
      'd.yaml (line 4): scenes[0].panels[0].devices: may list at most 20 devices',
    ],
    [
      'shortest scene',
      'scenes:\n  - { title: S, durationSeconds: 3, panels: [{ kind: devices }] }\n',
      'scenes:\n  - { title: S, durationSeconds: 2.9, panels: [{ kind: devices }] }\n',
      'd.yaml (line 2): scenes[0].durationSeconds: must be at least 3 seconds',
    ],
    [
      'longest scene',
      'scenes:\n  - { title: S, durationSeconds: 3600, panels: [{ kind: devices }] }\n',
      'scenes:\n  - { title: S, durationSeconds: 3601, panels: [{ kind: devices }] }\n',
      'd.yaml (line 2): scenes[0].durationSeconds: must be at most 3600 seconds',
    ],
    [
      'text length',
      `branding:\n  name: ${'x'.repeat(MAX_TEXT_LENGTH)}\n`,
      `branding:\n  name: ${'x'.repeat(MAX_TEXT_LENGTH + 1)}\n`,
      'd.yaml (line 2): branding.name: must be at most 120 characters',
    ],
  ])('%s: the limit is accepted, one more refused', (_what, atLimit, beyond, message) => {
    expect(() => parse(atLimit)).not.toThrow();
    expect(errorOf(beyond)).toBe(message);
  });
});
