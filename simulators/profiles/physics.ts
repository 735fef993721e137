/**
 * The few bits of physics the profiles share. Every function is exact for any step length,
 * so readings look the same whether a device publishes at 0.5/s or 200/s.
 */
import type { Random } from '../random';

/** First-order lag (thermal mass, room air volume): moves `value` toward `target` with time constant `tauS`. */
export function relax(value: number, target: number, tauS: number, dtS: number): number {
  return target + (value - target) * Math.exp(-dtS / tauS);
}

/**
 * Mean-reverting random drift (Ornstein–Uhlenbeck), parameterised by how far it typically
 * strays (`spread`, the stationary standard deviation) and how slowly it wanders (`tauS`).
 */
export function wander(value: number, mean: number, spread: number, tauS: number, dtS: number, random: Random): number {
  const keep = Math.exp(-dtS / tauS);
  return mean + (value - mean) * keep + spread * Math.sqrt(1 - keep * keep) * random.normal();
}

/** Whether an event that happens on average once every `meanIntervalS` happens within the next `dtS`. */
export function occurs(meanIntervalS: number, dtS: number, random: Random): boolean {
  return random.chance(1 - Math.exp(-dtS / meanIntervalS));
}

/** Rounds to a sensor's resolution, e.g. 0.1 for a one-decimal display. */
export function quantize(value: number, resolution: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(resolution)));
  return Number((Math.round(value / resolution) * resolution).toFixed(decimals));
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
