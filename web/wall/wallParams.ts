/**
 * What a wall shows, from its URL: `?booth=a,b` (none = every booth), `?minutes=5` (chart window),
 * `?scene=<id>` (pin one scene, no rotation) and `?lang=en|zh|both`.
 */
import { ID_PATTERN } from '../../contract/device';
import { parseLanguageMode, type LanguageMode } from './wallText';

export interface WallParams {
  readonly booths: string[];
  readonly windowMs: number;
  /** Scene id to stay on; null rotates through every scene. */
  readonly scene: string | null;
  readonly lang: LanguageMode;
}

export const DEFAULT_WINDOW_MINUTES = 5;
const MAX_WINDOW_MINUTES = 60;
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
  const minutes = Number(params.get('minutes'));
  const windowMinutes = Number.isFinite(minutes) && minutes > 0 ? Math.min(minutes, MAX_WINDOW_MINUTES) : DEFAULT_WINDOW_MINUTES;
  const scene = params.get('scene')?.trim() ?? '';
  return {
    booths: [...new Set(booths)],
    windowMs: Math.round(windowMinutes * 60_000),
    scene: SCENE_ID_PATTERN.test(scene) ? scene : null,
    lang: parseLanguageMode(params.get('lang')),
  };
}
