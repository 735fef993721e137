import { describe, expect, it } from 'vitest';
import { readWallParams } from '../../web/wall/wallParams';

describe('readWallParams', () => {
  it('defaults to every booth and a 5 minute window', () => {
    expect(readWallParams('')).toEqual({ booths: [], windowMs: 300_000 });
  });

  it('reads a comma-separated booth list, also repeated, without duplicates', () => {
    expect(readWallParams('?booth=a,b&booth=c,a').booths).toEqual(['a', 'b', 'c']);
  });

  it('drops ids the server would refuse', () => {
    expect(readWallParams('?booth=ok,<script>,,-bad, spaced ').booths).toEqual(['ok', 'spaced']);
  });

  it('reads the window in minutes, within limits', () => {
    expect(readWallParams('?minutes=10').windowMs).toBe(600_000);
    expect(readWallParams('?minutes=0.5').windowMs).toBe(30_000);
    expect(readWallParams('?minutes=1000').windowMs).toBe(3_600_000);
    expect(readWallParams('?minutes=abc').windowMs).toBe(300_000);
    expect(readWallParams('?minutes=-3').windowMs).toBe(300_000);
  });
});
