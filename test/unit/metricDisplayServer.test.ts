import { describe, expect, it } from 'vitest';
import { DashboardFileError, parseDashboardFile } from '../../server/dashboard/dashboardFile';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { resolveMetricDisplay, metricLabelIn } from '../../web/shared/metricDisplay';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const validator = new TelemetryValidator();
const meta = (payload: unknown) => validator.validate('booth/b1/car-1/meta', Buffer.from(JSON.stringify(payload)), 'b1', NOW);

describe('meta.display at ingest', () => {
  it('keeps a valid display as null-prototype data beside the rest of the meta', () => {
    const result = meta({
      name: 'Car',
      display: { battery_soc: { label: { en: 'Battery', zh: '电池' }, decimals: 0, order: 1 }, constructor: { label: 'Builder' } },
    });
    expect(result.kind).toBe('meta');
    if (result.kind !== 'meta') return;
    expect(result.meta.name).toBe('Car');
    expect(Object.getPrototypeOf(result.meta.display)).toBeNull();
    expect(result.meta.display?.['battery_soc']).toEqual({ label: { en: 'Battery', zh: '电池' }, decimals: 0, order: 1 });
    expect(metricLabelIn(resolveMetricDisplay('constructor', result.meta), ['zh'])).toBe('Builder');
  });

  it('removes characters that hide or reorder text from labels and value words', () => {
    const result = meta({ display: { state: { label: 'St\u202eate', valueMap: { '1': { zh: '充\u0000电' } } } } });
    if (result.kind !== 'meta') throw new Error(`refused: ${JSON.stringify(result)}`);
    expect(result.meta.display?.['state']).toEqual({ label: 'State', valueMap: { '1': { zh: '充电' } } });
  });

  it('refuses a bad display as bad meta, naming the metric and the field', () => {
    for (const [display, detail] of [
      [{ soc: { decimals: 12 } }, 'display: soc: decimals: must be a whole number from 0 to 6'],
      [{ soc: { label: { zh: 3 } } }, 'display: soc: label.zh: must be text'],
      [{ 'bad metric': { label: 'x' } }, 'display: metric name \\"bad metric'],
      [['soc'], 'display: must be an object keyed by metric name'],
    ] as const) {
      const result = meta({ name: 'Car', display });
      expect(result).toMatchObject({ kind: 'rejected', reason: 'bad-meta' });
      expect(JSON.stringify(result)).toContain(detail);
    }
  });
});

describe('metricDisplay in the dashboard file', () => {
  it('reads per-booth overrides, value words with number keys included', () => {
    const parsed = parseDashboardFile(
      'metricDisplay:\n  battery_soc:\n    label: { en: Charge, zh: 充电量 }\n    decimals: 0\n  state:\n    valueMap:\n      0: Idle\n      1: { en: Charging, zh: 充电中 }\n',
      'd.yaml',
    );
    const table = parsed.metricDisplay;
    expect(table && Object.getPrototypeOf(table)).toBeNull();
    expect(table?.['battery_soc']).toEqual({ label: { en: 'Charge', zh: '充电量' }, decimals: 0 });
    expect(table?.['state']?.valueMap?.['1']).toEqual({ en: 'Charging', zh: '充电中' });
    const display = resolveMetricDisplay('battery_soc', { display: { battery_soc: { label: 'Akku' } } }, table);
    expect(metricLabelIn(display, ['en', 'zh'])).toBe('Charge · 充电量');
  });

  it('reports a mistake with its line', () => {
    expect(() => parseDashboardFile('metricDisplay:\n  soc:\n    decimals: 1.5\n', 'd.yaml')).toThrow(DashboardFileError);
    expect(() => parseDashboardFile('metricDisplay:\n  soc:\n    decimals: 1.5\n', 'd.yaml')).toThrow(
      'd.yaml (line 3): metricDisplay.soc.decimals: must be a whole number',
    );
    expect(() => parseDashboardFile('metricDisplay:\n  soc:\n    colour: red\n', 'd.yaml')).toThrow('d.yaml (line 3): metricDisplay.soc.colour: unknown key');
    expect(() => parseDashboardFile('metricDisplay:\n  time:\n    label: T\n', 'd.yaml')).toThrow(/metricDisplay\.time: must be a metric name/);
  });
});
