/** What a wall shows, from its URL: `?booth=a,b` (none = every booth) and `?minutes=5` (chart window). */
import { ID_PATTERN } from '../../contract/device';

export interface WallParams {
  readonly booths: string[];
  readonly windowMs: number;
}

export const DEFAULT_WINDOW_MINUTES = 5;
const MAX_WINDOW_MINUTES = 60;

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
  return { booths: [...new Set(booths)], windowMs: Math.round(windowMinutes * 60_000) };
}
