/**
 * What a wall shows, from its URL: `?booth=a,b` (none = every booth), `?minutes=5` (chart window),
 * `?scene=<id>` (pin one scene, no rotation) `?lang=en|zh|both`
 * and `?heapMb=512` (the watchdog's heap ceiling).
 */
import { ID_PATTERN } from '../../contract/device';
import { parseLanguageMode, type LanguageMode } from './wallText';

export interface WallParams {
  readonly booths: string[];
  readonly windowMs: number;
  /** Scene id to stay on; null rotates through every scene. */
  readonly scene: string | null;
  readonly lang: LanguageMode;
  /** Heap use at which the watchdog reloads the page (`?heapMb=`). */
  readonly heapCeilingMb: number;
}

export const DEFAULT_WINDOW_MINUTES = 5;
const MAX_WINDOW_MINUTES = 60;
/** Steady state is well under 100 MB; a kiosk tab at several times that is leaking. */
export const DEFAULT_HEAP_CEILING_MB = 512;
/** Scene ids come from the dashboard file (ID-like) or the page's own auto scenes. */
const SCENE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

export function readWallParams(search: string): WallParams {
  const params = new URLSearchParams(search);
  const booths = params
    .getAll('booth')
    .flatMap((value) => value.split(','))
    .map((id) => id.trim())
    // Malformed ids would only make the server refuse the whole subscription; drop them here.
    .filter((id) => ID_PATTERN.test(id));
  const windowMinutes = boundedNumber(params.get('minutes'), 0, MAX_WINDOW_MINUTES, DEFAULT_WINDOW_MINUTES);
  const scene = params.get('scene')?.trim() ?? '';
  return {
    booths: [...new Set(booths)],
    windowMs: Math.round(windowMinutes * 60_000),
    scene: SCENE_ID_PATTERN.test(scene) ? scene : null,
    lang: parseLanguageMode(params.get('lang')),
    heapCeilingMb: boundedNumber(params.get('heapMb'), 32, 16_384, DEFAULT_HEAP_CEILING_MB),
  };
}

/** A number above `min` from the URL, capped at `max`; anything else gives the fallback. */
function boundedNumber(text: string | null, min: number, max: number, fallback: number): number {
  const value = Number(text);
  return text !== null && text.trim() !== '' && Number.isFinite(value) && value > min ? Math.min(value, max) : fallback;
}
