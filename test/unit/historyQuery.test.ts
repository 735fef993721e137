import { describe, expect, it } from 'vitest';
import { buildHistoryQuery, buildWarmupQuery, historyBucketStart, historyIntervalMs, quoteIdentifier, quoteString } from '../../server/store/historyQuery';

describe('InfluxQL building', () => {
  it('sizes GROUP BY time() so the range fits in the requested points', () => {
    expect(historyIntervalMs({ from: 0, to: 3_600_000, points: 300 })).toBe(12_000);
    expect(historyIntervalMs({ from: 0, to: 1000, points: 300 })).toBe(4);
    expect(historyIntervalMs({ from: 0, to: 10, points: 300 })).toBe(1);
  });

  it('builds a mean query for one device and metric', () => {
    const { statement, intervalMs } = buildHistoryQuery({ booth: 'b1', device: 'env-01', metric: 'temperature', from: 1000, to: 61_000, points: 60 });
    expect(intervalMs).toBe(1000);
    expect(statement).toBe(
      `SELECT mean("temperature") AS "value" FROM "telemetry" WHERE "booth" = 'b1' AND "device" = 'env-01' AND time >= 1000ms AND time < 61000ms GROUP BY time(1000ms, 0ms) fill(none)`,
    );
  });

  it('starts the buckets at from, so a range gives at most the points asked for', () => {
    const { statement } = buildHistoryQuery({ booth: 'b1', device: 'env-01', metric: 't', from: 1_500, to: 61_500, points: 60 });
    expect(statement).toMatch(/GROUP BY time\(1000ms, 500ms\) fill\(none\)$/);
    expect(historyBucketStart(1_499 + 1_000, 1_500, 1_000)).toBe(1_500);
    expect(historyBucketStart(2_500, 1_500, 1_000)).toBe(2_500);
  });

  it('escapes quotes and backslashes in literals and identifiers', () => {
    expect(quoteString(`x' OR 1=1 --`)).toBe(`'x\\' OR 1=1 --'`);
    expect(quoteString('a\\')).toBe(`'a\\\\'`);
    expect(quoteIdentifier('a"b')).toBe('"a\\"b"');
    const { statement } = buildHistoryQuery({ booth: "b'1", device: 'd', metric: 'm"x', from: 0, to: 1, points: 1 });
    expect(statement).toContain(`"booth" = 'b\\'1'`);
    expect(statement).toContain('mean("m\\"x")');
  });

  it('builds the warm-up query grouped by device at the live slot width', () => {
    expect(buildWarmupQuery(['b1', 'b2'], 900_000, 1000, 1_000_000)).toBe(
      `SELECT mean(*) FROM "telemetry" WHERE ("booth" = 'b1' OR "booth" = 'b2') AND time >= 100000ms AND time <= 1000000ms GROUP BY time(1000ms), "booth", "device", "kind" fill(none)`,
    );
  });
});
