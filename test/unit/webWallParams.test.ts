import { describe, expect, it } from 'vitest';
import { readWallParams } from '../../web/wall/wallParams';

describe('readWallParams', () => {
  it('defaults to every booth, a 5 minute window, rotation and English', () => {
    expect(readWallParams('')).toEqual({ booths: [], windowMs: 300_000, scene: null, lang: 'en', heapCeilingMb: 512 });
  });

  it('pins a scene by id and picks the language', () => {
    expect(readWallParams('?scene=kind-vehicle&lang=zh')).toMatchObject({ scene: 'kind-vehicle', lang: 'zh' });
    expect(readWallParams('?lang=both').lang).toBe('both');
    expect(readWallParams('?scene=<b>&lang=xx')).toMatchObject({ scene: null, lang: 'en' });
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
