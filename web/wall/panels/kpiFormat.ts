/** What a KPI panel shows of the server's answer: the colour a threshold gives, the number, the period in words. */
import type { KpiColor, KpiPanelSpec, KpiPeriod, LocalizedText } from '../../../contract/dashboard';

/** Grafana's rule: thresholds ascending, the value takes the colour of the last one it reaches; below all, none. */
export function kpiTone(value: number | null, thresholds: KpiPanelSpec['thresholds']): KpiColor | null {
  if (value === null || !thresholds) return null;
  let tone: KpiColor | null = null;
  for (const threshold of thresholds) if (value >= threshold.from) tone = threshold.color;
  return tone;
}

/** Fixed decimals when the file says so (a total reads steadier), else the wall's precision by magnitude. */
export function formatKpi(value: number | null, decimals: number | undefined, locale: string, byMagnitude: (n: number) => string): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (decimals === undefined) return byMagnitude(value);
  return new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

export const KPI_PERIOD_TEXT: Readonly<Record<KpiPeriod, LocalizedText>> = {
  today: { en: 'Today', zh: '今天' },
  'last-hour': { en: 'Last hour', zh: '最近一小时' },
  'last-24h': { en: 'Last 24 hours', zh: '最近24小时' },
};

/** Without InfluxDB the server counts only what the live window holds: a total "today" would be a lie unsaid. */
export const KPI_LIVE_NOTE: LocalizedText = { en: 'live window only', zh: '仅限实时窗口' };
export const KPI_UNAVAILABLE: LocalizedText = { en: 'not available now', zh: '暂时无法获取' };
