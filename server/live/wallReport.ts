/**
 * Checks what a wall page says about itself in the handshake (`auth.wall`). It ends up in
 * /api/walls and in a metric label, so only well-formed, bounded values are taken.
 */
import type { WallReloadReason, WallReport } from '../../contract/dashboard';

const WALL_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_RELOADS = 1_000_000_000;

/** Every reason the contract names, checked for completeness by the compiler. */
const RELOAD_REASONS = Object.keys({ error: true, 'preload-error': true, 'heap-ceiling': true, frozen: true } satisfies Record<WallReloadReason, true>);

/** The report, or a message saying what is wrong with it. */
export function parseWallReport(value: unknown): WallReport | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'wall must be an object: { id, reloads, lastReloadReason? }';
  const { id, reloads, lastReloadReason } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !WALL_ID_PATTERN.test(id)) return 'wall.id must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -';
  if (typeof reloads !== 'number' || !Number.isInteger(reloads) || reloads < 0 || reloads > MAX_RELOADS) {
    return `wall.reloads must be a whole number from 0 to ${MAX_RELOADS}`;
  }
  if (lastReloadReason === undefined) return { id, reloads };
  if (typeof lastReloadReason !== 'string' || !RELOAD_REASONS.includes(lastReloadReason)) {
    return `wall.lastReloadReason must be one of ${RELOAD_REASONS.join(', ')}`;
  }
  return { id, reloads, lastReloadReason: lastReloadReason as WallReloadReason };
}
