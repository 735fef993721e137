/**
 * How many distinct device ids each booth may write to InfluxDB within a period
 * (budgets.maxStoredDevicesPerBooth within budgets.storedDevicePeriodHours). InfluxDB's limits on
 * tag values (max-values-per-tag, default 100,000 per measurement and tag key) and series
 * (max-series-per-database) are shared by every booth: once one booth has used them up, another
 * booth's new devices are refused by InfluxDB. A device past its booth's budget stays live (wall,
 * console); only its readings are not stored, and each is counted against its booth.
 *
 * Memory is bounded by the budget: per booth at most maxDevicesPerBooth ids, each with the time it
 * was last written, in a Map kept in last-written order so the expired ones are at its head.
 */
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import type { InfluxStore } from './InfluxStore';
import { MEASUREMENT, safeTagValue } from './telemetryLine';

export interface StoredDeviceLimits {
  maxDevicesPerBooth: number;
  periodMs: number;
}

/**
 * A device written again is moved to the end of its booth's order at most this often: moving it on
 * every reading would cost two Map operations per reading for nothing. Its recorded time may thus
 * lag by this much, so it may leave the budget up to this much before its period is over.
 */
const REFRESH_MS = 60_000;

export class StoredDeviceBudget {
  /** booth → (stored device tag value → last written, epoch ms), oldest first. Configured booths only. */
  private readonly booths = new Map<string, Map<string, number>>();

  constructor(
    booths: readonly string[],
    readonly limits: StoredDeviceLimits,
    private readonly refusals: BudgetRefusals,
  ) {
    for (const booth of booths) this.booths.set(booth, new Map());
  }

  /**
   * Whether a reading of `device` may be written to InfluxDB now; a refusal is counted against the
   * booth. Keyed by the tag value the store writes (safeTagValue), since that is what InfluxDB counts.
   * A booth that is not configured (never expected: the broker authenticates booths) is refused, so
   * this can never grow past the settings file. `countRefusal: false` for lines that follow a
   * reading (presence, alarms), so the booth's count stays one per reading left out.
   */
  admits(booth: string, device: string, now: number, countRefusal = true): boolean {
    const devices = this.booths.get(booth);
    if (devices === undefined) return false;
    const key = safeTagValue(device);
    const last = devices.get(key);
    if (last !== undefined && now - last < this.limits.periodMs) {
      if (now - last >= REFRESH_MS) {
        devices.delete(key);
        devices.set(key, now);
      }
      return true;
    }
    if (last !== undefined) devices.delete(key);
    this.forgetExpired(devices, now);
    if (devices.size >= this.limits.maxDevicesPerBooth) {
      if (countRefusal) this.refusals.count(booth, 'stored-devices-budget');
      return false;
    }
    devices.set(key, now);
    return true;
  }

  /** Distinct device ids of `booth` written within the period, as far as this process knows. */
  storedDevices(booth: string, now: number): number {
    const devices = this.booths.get(booth);
    if (devices === undefined) return 0;
    this.forgetExpired(devices, now);
    return devices.size;
  }

  /**
   * Takes devices a booth wrote before this process started (from InfluxDB), so a restart does not
   * hand a booth a fresh budget. Keeps the most recently written ones when there are more than the
   * budget allows.
   */
  learn(booth: string, written: ReadonlyArray<{ device: string; lastWrittenAt: number }>, now: number): void {
    const devices = this.booths.get(booth);
    if (devices === undefined) return;
    const known = [...devices].map(([device, lastWrittenAt]) => ({ device, lastWrittenAt }));
    const all = [...known, ...written.filter((w) => now - w.lastWrittenAt < this.limits.periodMs && !devices.has(w.device))];
    all.sort((a, b) => a.lastWrittenAt - b.lastWrittenAt);
    devices.clear();
    for (const { device, lastWrittenAt } of all.slice(-this.limits.maxDevicesPerBooth)) devices.set(device, lastWrittenAt);
  }

  private forgetExpired(devices: Map<string, number>, now: number): void {
    for (const [device, lastWrittenAt] of devices) {
      if (now - lastWrittenAt < this.limits.periodMs) return;
      devices.delete(device);
    }
  }
}

/**
 * Reads from InfluxDB which devices each booth wrote within the period, with the time of each one's
 * latest reading. InfluxDB 1.6.7 ignores a time bound in `SHOW TAG VALUES` (it answers every value
 * ever written), so this asks for each device's newest point instead: `GROUP BY device ... LIMIT 1`
 * reads one point per series, and SLIMIT bounds the answer by the budget.
 */
export async function learnStoredDevices(store: InfluxStore, budget: StoredDeviceBudget, booths: readonly string[], now = Date.now()): Promise<number> {
  let learned = 0;
  const since = Math.floor(now - budget.limits.periodMs);
  for (const booth of booths) {
    const statement =
      `SELECT * FROM "${MEASUREMENT}" WHERE "booth" = '${safeTagValue(booth).replace(/'/g, "\\'")}' AND time > ${since}ms ` +
      `GROUP BY "device" ORDER BY time DESC LIMIT 1 SLIMIT ${budget.limits.maxDevicesPerBooth}`;
    const result = await store.query(statement);
    const written: { device: string; lastWrittenAt: number }[] = [];
    for (const series of result.series ?? []) {
      const device = series.tags?.device;
      const ts = series.values[0]?.[0];
      if (typeof device === 'string' && device !== '' && typeof ts === 'number') written.push({ device, lastWrittenAt: ts });
    }
    budget.learn(booth, written, now);
    learned += written.length;
  }
  return learned;
}
