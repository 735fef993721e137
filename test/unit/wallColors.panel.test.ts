/**
 * Colour rules of the wall, computed from the files the page uses: every text colour of both themes
 * meets WCAG 2.1 AA (SC 1.4.3, 4.5:1) on the theme's background and panels; series colours meet
 * SC 1.4.11 (3:1); the brand accent never carries meaning; position maps never repeat a colour up to
 * their device limit; a metric's colour follows its name, not the order it arrived in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_LIMITS } from '../../contract/dashboard';
import { contrastRatio, deltaE } from '../../web/shared/colorContrast';
import { assignMetricColors, DISTINCT_COLORS, distinctColors, METRIC_PALETTE, METRIC_PALETTE_LIGHT, type ColorTheme } from '../../web/shared/metricColors';
import { TREND_COLOR } from '../../web/wall/panels/statTrend';
import { kpiTone } from '../../web/wall/panels/kpiFormat';
import { chooseTheme } from '../../web/wall/wallTheme';

const root = resolve(import.meta.dirname, '../..');
const themeCss = readFileSync(resolve(root, 'web/theme.css'), 'utf8');
const panelsCss = readFileSync(resolve(root, 'web/wall/panels/panels.css'), 'utf8');

/** The custom properties of the block whose selector is exactly `selector`. */
function variables(selector: string): Map<string, string> {
  const start = themeCss.indexOf(`${selector} {`);
  expect(start, `${selector} in theme.css`).toBeGreaterThanOrEqual(0);
  const block = themeCss.slice(start, themeCss.indexOf('}', start));
  return new Map([...block.matchAll(/--([a-z-]+):\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]));
}

/** Light inherits what it does not set from :root, as the cascade does. */
function themeColors(theme: ColorTheme): Map<string, string> {
  const dark = variables(':root');
  return theme === 'dark' ? dark : new Map([...dark, ...variables(":root[data-theme='light']")]);
}

const THEMES: ColorTheme[] = ['dark', 'light'];
/** Every colour the wall writes text in. */
const TEXT_COLORS = ['text', 'muted', 'live', 'warn', 'bad', 'info', 'accent'];

describe('theme contrast (WCAG 2.1 AA)', () => {
  it.each(THEMES)('%s: every text colour is at least 4.5:1 on the background and on panels', (theme) => {
    const colors = themeColors(theme);
    for (const surface of ['bg', 'panel']) {
      for (const name of TEXT_COLORS) {
        const ratio = contrastRatio(colors.get(name) ?? '', colors.get(surface) ?? '');
        expect(ratio, `${theme} --${name} on --${surface}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('light is a light theme, not dark with new names', () => {
    const light = themeColors('light');
    expect(contrastRatio(light.get('bg') ?? '', '#ffffff')).toBeLessThan(1.2);
    expect(contrastRatio(light.get('text') ?? '', '#000000')).toBeLessThan(1.5);
  });

  it('a QR code is dark on light in both themes', () => {
    for (const theme of THEMES) expect(contrastRatio(themeColors(theme).get('qr-dark') ?? '', themeColors(theme).get('qr-light') ?? '')).toBe(21);
  });

  it.each(THEMES)('%s: series colours are at least 3:1 on panels', (theme) => {
    const panel = themeColors(theme).get('panel') ?? '';
    const palette = theme === 'light' ? METRIC_PALETTE_LIGHT : METRIC_PALETTE;
    for (const color of [...palette, ...DISTINCT_COLORS[theme]]) expect(contrastRatio(color, panel), color).toBeGreaterThanOrEqual(3);
  });

  it('picks the theme from ?theme= over the dashboard, dark by default', () => {
    expect(chooseTheme('', undefined)).toBe('dark');
    expect(chooseTheme('', 'light')).toBe('light');
    expect(chooseTheme('?theme=light', 'dark')).toBe('light');
    expect(chooseTheme('?lang=zh&theme=dark', 'light')).toBe('dark');
    expect(chooseTheme('?theme=neon', 'light')).toBe('light');
  });
});

describe('the brand accent stays off semantic colours', () => {
  it('trend arrows take info or muted, never the accent', () => {
    expect(Object.values(TREND_COLOR).every((c) => c === 'info' || c === 'muted')).toBe(true);
    expect(TREND_COLOR.falling).toBe(TREND_COLOR.rising);
  });

  it('no rule for trends, alarms, KPI tones or freshness in panels.css uses the accent', () => {
    const css = panelsCss.replace(/\/\*[\s\S]*?\*\//g, '');
    const rules = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].map((m) => ({
      selector: (m[1] as string).trim(),
      // Declarations that paint (a custom property only names a colour for later).
      body: (m[2] as string)
        .split(';')
        .filter((d) => !d.trim().startsWith('--'))
        .join(';'),
    }));
    const semantic = rules.filter((r) => /trend|alarm|tone|freshness|status/.test(r.selector));
    expect(semantic.length).toBeGreaterThan(5);
    for (const rule of semantic) expect(rule.body, rule.selector).not.toMatch(/var\(--(panel-)?accent/);
  });

  it('no panel script paints with the accent (charts read colours by name from the theme)', () => {
    const folder = resolve(root, 'web/wall/panels');
    const scripts = readdirSync(folder).filter((name) => name.endsWith('.ts'));
    expect(scripts.length).toBeGreaterThan(10);
    for (const name of scripts) expect(readFileSync(resolve(folder, name), 'utf8'), name).not.toMatch(/colors\.accent|--accent\b|--panel-accent/);
  });

  it('a KPI takes the colour of the last threshold it reaches', () => {
    const thresholds = [
      { from: 0, color: 'info' as const },
      { from: 50, color: 'warn' as const },
      { from: 80, color: 'bad' as const },
    ];
    expect(kpiTone(-1, thresholds)).toBeNull();
    expect(kpiTone(0, thresholds)).toBe('info');
    expect(kpiTone(79.9, thresholds)).toBe('warn');
    expect(kpiTone(80, thresholds)).toBe('bad');
    expect(kpiTone(null, thresholds)).toBeNull();
    expect(kpiTone(10, undefined)).toBeNull();
  });
});

describe('series colours', () => {
  it.each(THEMES)('%s: a position map of up to its device limit never repeats a colour, and any two are far apart', (theme) => {
    const colors = distinctColors(DASHBOARD_LIMITS.devicesPerPosition, theme);
    expect(new Set(colors).size).toBe(DASHBOARD_LIMITS.devicesPerPosition);
    const bad = themeColors(theme).get('bad') ?? '';
    for (let i = 0; i < colors.length; i++) {
      // None reads as the alarm colour.
      expect(deltaE(colors[i] ?? '', bad), colors[i]).toBeGreaterThanOrEqual(35);
      for (let j = 0; j < i; j++) expect(deltaE(colors[i] ?? '', colors[j] ?? ''), `${colors[i]} vs ${colors[j]}`).toBeGreaterThanOrEqual(28);
    }
  });

  it.each([
    // The simulators' robot arm and car: names whose hashes collide in the palette, so a
    // first-come probe would colour them by arrival order.
    [['j1_temp', 'j2_temp', 'j3_temp', 'gripper_closed']],
    [['speed_kmh', 'battery_soc', 'pos_x', 'pos_y', 'heading_deg', 'lap_count']],
  ])('gives a metric the same colour whatever order its device announced %j in', (metrics) => {
    const forward = assignMetricColors(metrics, 'dark');
    const backward = assignMetricColors([...metrics].reverse(), 'dark');
    const rotated = assignMetricColors([...metrics.slice(2), ...metrics.slice(0, 2)], 'dark');
    for (const metric of metrics) {
      expect(backward.get(metric), metric).toBe(forward.get(metric));
      expect(rotated.get(metric), metric).toBe(forward.get(metric));
    }
    expect(new Set(forward.values()).size).toBe(metrics.length);
  });

  it('gives a metric alone its colour from its name in each theme', () => {
    expect(assignMetricColors(['temperature'], 'dark').get('temperature')).toBe(assignMetricColors(['temperature'], 'dark').get('temperature'));
    const dark = METRIC_PALETTE.indexOf(assignMetricColors(['temperature'], 'dark').get('temperature') ?? '');
    expect(METRIC_PALETTE_LIGHT.indexOf(assignMetricColors(['temperature'], 'light').get('temperature') ?? '')).toBe(dark);
  });
});
