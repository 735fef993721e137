/**
 * /api/kpi takes the booths a wall shows, and a client may name any subset of the configured booths
 * (2^n of them). Every subset must not cost an InfluxDB query of its own over the whole period: the
 * route answers all booths or one booth from one cached answer each, and any other subset from
 * per-booth answers, so the queries stay at most one per booth (and one for all) per refresh.
 */
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import type { KpiPanelSpec } from '../../contract/dashboard';
import type { DashboardSource } from '../../server/dashboard/DashboardSource';
import { kpiRoute } from '../../server/http/kpiRoute';
import { KpiReader } from '../../server/kpi/KpiReader';
import type { DeviceDirectory } from '../../server/live/DeviceDirectory';
import type { InfluxStore } from '../../server/store/InfluxStore';

const BOOTHS = ['a', 'b', 'c', 'd', 'e'];
/** Each booth's charger added booth-index + 1 kWh. */
const VALUE: Record<string, number> = { a: 1, b: 2, c: 3, d: 4, e: 5 };
const SPEC: KpiPanelSpec = { kind: 'kpi', metric: 'energy_kwh', aggregate: 'increase', period: 'today' };

function setup() {
  const statements: string[] = [];
  const store = {
    query: (statement: string) => {
      statements.push(statement);
      const total = BOOTHS.filter((b) => statement.includes(`"booth" = '${b}'`)).reduce((sum, b) => sum + VALUE[b]!, 0);
      return Promise.resolve({ series: [{ name: 'telemetry', columns: ['time', 'value'], values: [[0, total]] }] });
    },
  } as unknown as InfluxStore;
  const kpis = new KpiReader(store, { records: () => [][Symbol.iterator]() } as unknown as DeviceDirectory, 'UTC', () => 1_000_000);
  const dashboard = { current: { version: 'v1', scenes: [{ id: 'kpis', panels: [SPEC] }] } } as unknown as DashboardSource;
  const handler = kpiRoute(
    BOOTHS.map((id) => ({ id })),
    dashboard,
    kpis,
  );
  const ask = async (booth?: string): Promise<{ status: number; body: { value?: number | null } }> => {
    const answer = { status: 200, body: {} };
    const res = {
      status(code: number) {
        answer.status = code;
        return res;
      },
      json(body: { value?: number | null }) {
        answer.body = body;
      },
      setHeader: () => undefined,
    };
    const query: Record<string, string> = { scene: 'kpis', panel: '0', ...(booth !== undefined ? { booth } : {}) };
    await (handler as (req: Request, res: Response, next: (error?: unknown) => void) => Promise<void>)(
      { query } as unknown as Request,
      res as unknown as Response,
      (error) => {
        throw error;
      },
    );
    return answer;
  };
  return { ask, statements };
}

/** Every subset of two booths or more, short of all of them. */
function subsets(): string[][] {
  const found: string[][] = [];
  for (let mask = 0; mask < 1 << BOOTHS.length; mask++) {
    const subset = BOOTHS.filter((_, i) => mask & (1 << i));
    if (subset.length >= 2 && subset.length < BOOTHS.length) found.push(subset);
  }
  return found;
}

describe('/api/kpi booth subsets', () => {
  it('answers every subset right with at most one query per booth, plus one for all', async () => {
    const { ask, statements } = setup();
    expect((await ask()).body.value).toBe(15);
    for (const subset of subsets()) {
      const { status, body } = await ask(subset.join(','));
      expect([subset.join(','), status, body.value]).toEqual([subset.join(','), 200, subset.reduce((sum, b) => sum + VALUE[b]!, 0)]);
    }
    for (const booth of BOOTHS) expect((await ask(booth)).body.value).toBe(VALUE[booth]);
    expect(statements).toHaveLength(1 + BOOTHS.length);
  });

  it('still refuses a booth it does not know', async () => {
    const { ask, statements } = setup();
    expect((await ask('a,zz')).status).toBe(404);
    expect(statements).toHaveLength(0);
  });
});
