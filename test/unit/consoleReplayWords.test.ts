/**
 * The Server tab's replay line once an earlier run's replay has ended: its totals count every
 * segment found, also one that no longer read back, so it must not say they were all sent.
 */
import { describe, expect, it } from 'vitest';
import type { SpoolHealth } from '../../contract/console';
import { replayWords } from '../../web/console/HealthPanel';

const spool = (over: Partial<SpoolHealth>): SpoolHealth => ({
  dir: '/var/spool/showfloor',
  bytes: 0,
  maxBytes: 1_000_000,
  segments: 0,
  unsentReadings: 0,
  oldestUnsentAt: null,
  replay: null,
  replayFinished: { readingsTotal: 1_200, segmentsTotal: 3, startedAt: 10_000, finishedAt: 10_500 },
  dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 },
  lastError: null,
  syncIntervalMs: 5,
  acknowledgedBeforeDurable: 0,
  notSpooled: 0,
  ...over,
});

describe('the replay line once the replay ended', () => {
  it('says it ended, not that every reading was sent', () => {
    expect(replayWords(spool({}), 20_000)).toBe('ended: 1,200 readings of 3 segments in under 1 s');
  });

  it('shows the readings lost with a segment that no longer read back', () => {
    expect(replayWords(spool({ dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 400 } }), 20_000)).toBe(
      'ended: 1,200 readings of 3 segments in under 1 s; 400 readings lost with unreadable segments',
    );
  });
});
