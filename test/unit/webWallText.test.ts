import { describe, expect, it } from 'vitest';
import { LANGUAGE_SEPARATOR, parseLanguageMode, WallText } from '../../web/wall/wallText';

describe('WallText', () => {
  const en = new WallText('en');
  const zh = new WallText('zh');
  const both = new WallText('both');

  it('reads the language from the URL value, English unless told otherwise', () => {
    expect(parseLanguageMode('zh')).toBe('zh');
    expect(parseLanguageMode('both')).toBe('both');
    expect(parseLanguageMode('fr')).toBe('en');
    expect(parseLanguageMode(null)).toBe('en');
  });

  it('labels in the chosen language, and in both on the show floor', () => {
    expect(en.t('live')).toBe('Live');
    expect(zh.t('live')).toBe('实时');
    expect(both.t('live')).toBe(`Live${LANGUAGE_SEPARATOR}实时`);
    expect(zh.t('offlineSince', { time: '14:32' })).toBe('自 14:32 起离线');
  });

  it('formats ages for reading at a distance', () => {
    expect(en.age(2400)).toBe('2 s ago');
    expect(en.age(-50)).toBe('0 s ago');
    expect(en.age(59_999)).toBe('59 s ago');
    expect(en.age(60_000)).toBe('1 min ago');
    expect(en.age(2 * 3600_000 + 5)).toBe('2 h ago');
    expect(en.age(72 * 3600_000)).toBe('3 d ago');
    expect(zh.age(120_000)).toBe('2 分钟前');
  });

  it('keeps the age in the language of the words around it', () => {
    expect(en.lastUpdate(120_000)).toBe('last update 2 min ago');
    expect(both.lastUpdate(120_000)).toBe(`last update 2 min ago${LANGUAGE_SEPARATOR}最后更新 2 分钟前`);
  });

  it('localizes configured text, falling back to the language that exists', () => {
    expect(en.localize('Booth 7')).toBe('Booth 7');
    expect(zh.localize({ en: 'Charging', zh: '充电' })).toBe('充电');
    expect(zh.localize({ en: 'Charging' })).toBe('Charging');
    expect(both.localize({ en: 'Charging', zh: '充电' })).toBe(`Charging${LANGUAGE_SEPARATOR}充电`);
    expect(en.localize(undefined)).toBe('');
  });

  it('formats numbers for the locale with precision by magnitude', () => {
    expect(en.number(21.437)).toBe('21.4');
    expect(en.number(1234.5)).toBe('1,235');
    expect(en.number(0.456)).toBe('0.46');
    expect(en.number(7)).toBe('7');
    expect(en.number(-0.001)).toBe('0');
    expect(en.number(Number.NaN)).toBe('–');
    expect(zh.number(1234.5)).toBe('1,235');
  });

  it('shows a 24-hour clock', () => {
    const t = new Date(2026, 10, 21, 14, 5, 9).getTime();
    expect(en.clock(t)).toBe('14:05');
    expect(zh.clock(t)).toBe('14:05');
  });
});
