/**
 * The alarm strip's sentences, in English and Simplified Chinese: one sentence per group of alarms
 * ("CO₂ high at 3 devices", "28 devices offline"), with the devices named while they are few.
 * Kept beside the strip rather than in wallText.ts because they are sentences with plural forms and
 * word order that differs by language, not labels; `lang=both` joins the two as every label does.
 */
import type { WallLanguage } from '../../../contract/dashboard';
import { LANGUAGE_SEPARATOR, type WallText } from '../wallText';

/** What a group of alarms is about; `alarm` for a server rule the page cannot name (an older server). */
export type AlarmCondition = 'high' | 'low' | 'offline' | 'alarm';

export interface AlarmSentence {
  condition: AlarmCondition;
  /** The metric's label in each language, already in words (web/shared/metricDisplay.ts); empty for offline. */
  metric: Readonly<Record<WallLanguage, string>>;
  /** Device names, when they are to be named; empty to say how many instead. */
  names: readonly string[];
  count: number;
}

type Words = (sentence: AlarmSentence) => string;

const EN: Words = ({ condition, metric: { en: metric }, names, count }) => {
  const who = names.length > 0 ? names.join(', ') : count === 1 ? '1 device' : `${count} devices`;
  if (condition === 'offline') return `${who} offline`;
  const what = condition === 'high' ? 'high' : condition === 'low' ? 'low' : 'alarm';
  return metric ? `${metric} ${what} at ${who}` : `Alarm at ${who}`;
};

const ZH: Words = ({ condition, metric: { zh: metric }, names, count }) => {
  const who = names.length > 0 ? names.join('、') : `${count} 台设备`;
  if (condition === 'offline') return `${who}离线`;
  const what = condition === 'high' ? '偏高' : condition === 'low' ? '偏低' : '告警';
  return `${who} ${metric}${what}`.trim();
};

const WORDS: Record<WallLanguage, Words> = { en: EN, zh: ZH };

/**
 * The shorter `lang=both` sentence for a strip with no room for two whole sentences per group (a
 * portrait wall): the English one with devices named or only counted ("28 offline", "CO₂ high at
 * 3"), then only what the Chinese adds, the condition ("离线", "二氧化碳偏高"), since names and numbers
 * read the same in both. So two groups share one line where two full sentences each would not.
 */
export function compactBothSentence(sentence: AlarmSentence): string {
  const { condition, metric, names, count } = sentence;
  const who = names.length > 0 ? names.join(', ') : String(count);
  const what = condition === 'high' ? 'high' : condition === 'low' ? 'low' : 'alarm';
  const en = condition === 'offline' ? `${who} offline` : metric.en ? `${metric.en} ${what} at ${who}` : `Alarm at ${who}`;
  const zhWhat = condition === 'offline' ? '离线' : condition === 'high' ? '偏高' : condition === 'low' ? '偏低' : '告警';
  return `${en}${LANGUAGE_SEPARATOR}${condition === 'offline' ? '' : metric.zh}${zhWhat}`;
}

export function alarmSentence(text: Pick<WallText, 'languages'>, sentence: AlarmSentence): string {
  return text.languages.map((language) => WORDS[language](sentence)).join(LANGUAGE_SEPARATOR);
}
