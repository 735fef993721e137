import { describe, expect, it } from 'vitest';
import { fitName, sharedPrefixLengths } from '../../web/wall/nameShortening';

/** One unit per character, two for CJK ones: enough to reason about widths in characters. */
const measure = (text: string): number => [...text].reduce((w, c) => w + (/[\u3000-\u9fff]/.test(c) ? 2 : 1), 0);

describe('sharedPrefixLengths', () => {
  it('finds the words a name shares with its series, never its own last word', () => {
    const names = ['Environment sensor 1', 'Environment sensor 12', 'Robot arm left', 'Robot arm right', 'Charger'];
    expect(sharedPrefixLengths(names)).toEqual(['Environment sensor '.length, 'Environment sensor '.length, 'Robot arm '.length, 'Robot arm '.length, 0]);
  });

  it('stops at a word boundary and keeps names without spaces at least a character of their own', () => {
    expect(sharedPrefixLengths(['Robot alpha', 'Robot arm'])).toEqual([6, 6]);
    expect(sharedPrefixLengths(['环境传感器1', '环境传感器2'])).toEqual([5, 5]);
    expect(sharedPrefixLengths(['Sensor', 'Sensor'])).toEqual([5, 5]);
  });
});

describe('fitName', () => {
  it('keeps a name that fits whole', () => {
    expect(fitName('Environment sensor 12', 19, 30, measure)).toBe('Environment sensor 12');
  });

  it('cuts the shared part from its start, so the end that differs stays', () => {
    expect(fitName('Environment sensor 12', 19, 12, measure)).toBe('…sensor 12');
    expect(fitName('Environment sensor 12', 19, 5, measure)).toBe('…12');
    const fitted = ['Environment sensor 1', 'Environment sensor 2', 'Environment sensor 12'].map((n) => fitName(n, 19, 9, measure));
    expect(new Set(fitted).size).toBe(3);
  });

  it('cuts the middle of a name that shares nothing, keeping its last word', () => {
    expect(fitName('Charging station west', 0, 14, measure)).toBe('Charging…west');
  });

  it('measures Chinese names by their width', () => {
    expect(fitName('环境传感器12', 5, 6, measure)).toBe('…12');
    expect(measure(fitName('展台灯光控制器东侧', 0, 9, measure))).toBeLessThanOrEqual(9);
  });

  it('gives up only when not even an ellipsis fits', () => {
    expect(fitName('Robot arm 3', 10, 0, measure)).toBe('');
  });
});
