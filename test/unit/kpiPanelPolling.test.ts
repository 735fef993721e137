/**
 * The KPI panel asks /api/kpi again every KPI_REFRESH_MS, one loop per panel. When the wall's booth
 * set changes while a request is in flight, the panel starts over for the new set; the old request's
 * late answer must neither show its number nor start a second loop that nothing clears.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KPI_REFRESH_MS, type KpiPanelSpec } from '../../contract/dashboard';
import { KpiPanel } from '../../web/wall/panels/KpiPanel';
import type { PanelContext } from '../../web/wall/panels/PanelView';
import type { RenderWork } from '../../web/wall/RenderLoop';
import { WallText } from '../../web/wall/wallText';
import { installFakeDocument, type FakeElement } from '../support/fakeDocument';

const SPEC: KpiPanelSpec = { kind: 'kpi', metric: 'power', aggregate: 'max', period: 'last-hour' };
const WORK: RenderWork = { membership: false, changed: new Set(), everyTile: true };

interface Asked {
  url: string;
  answer(value: number): void;
}

function context(booths: string[]): PanelContext {
  return { model: { booths: booths.map((id) => ({ id })) }, text: new WallText('en') } as unknown as PanelContext;
}

/** Settles every promise chain the panel awaits (fetch, then json). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('KPI panel polling', () => {
  let undo: () => void;
  let asked: Asked[];

  beforeEach(() => {
    undo = installFakeDocument();
    vi.useFakeTimers();
    asked = [];
    // Like a server that answers whenever it answers: the signal is ignored, so a late answer does arrive.
    vi.stubGlobal('fetch', (url: string) => {
      return new Promise((resolve) => {
        asked.push({ url, answer: (value) => resolve({ ok: true, status: 200, json: () => Promise.resolve({ value, source: 'influxdb' }) }) });
      });
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    undo();
  });

  it('keeps one loop when the booth set changes mid-request, and ignores the late answer', async () => {
    const panel = new KpiPanel(SPEC, { sceneId: 'kpis', index: 0 }, { requestRender: () => undefined });
    // What the panel shows after the frame its answer asks for.
    const shown = () => {
      panel.render(WORK, context(['a', 'b']));
      return (panel.element as unknown as FakeElement).findAll('testid', 'kpi-value')[0]?.textContent;
    };
    panel.render(WORK, context(['a']));
    expect(asked).toHaveLength(1);
    panel.render(WORK, context(['a', 'b']));
    expect(asked.map((a) => new URL(a.url, 'http://wall').searchParams.get('booth'))).toEqual(['a', 'a,b']);

    asked[1]!.answer(2);
    await settle();
    expect(shown()).toBe('2');
    // The first request answers late: the wall no longer shows booth a alone.
    asked[0]!.answer(1);
    await settle();
    expect(shown()).toBe('2');

    // One refresh per period, not two.
    for (let period = 1; period <= 3; period++) {
      await vi.advanceTimersByTimeAsync(KPI_REFRESH_MS);
      expect(asked).toHaveLength(2 + period);
      asked.at(-1)!.answer(2 + period);
      await settle();
    }
    expect(shown()).toBe('5');

    panel.dispose();
    await vi.advanceTimersByTimeAsync(KPI_REFRESH_MS * 3);
    expect(asked).toHaveLength(5);
  });
});
