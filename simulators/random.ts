import { randomBytes } from 'node:crypto';

/**
 * A seeded source of randomness. Profiles draw everything from one of these, so a seed
 * and a sequence of timestamps fully determine a device's readings.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** Hashes a seed of any shape to 32 bits (FNV-1a), so '42' and 'demo/env-01' both work as seeds. */
function seedToUint32(seed: string | number): number {
  const text = String(seed);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: one 32-bit word of state, fast, and plenty random for synthetic telemetry. */
export function createRandom(seed: string | number): Random {
  let state = seedToUint32(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    normal: () => {
      // Box–Muller; 1 - next() is in (0, 1], so the logarithm stays finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
    chance: (p) => next() < p,
  };
}

/** A fresh seed for runs that did not ask for reproducibility. */
export function randomSeed(): string {
  return randomBytes(6).toString('hex');
}
