/**
 * Dark or light: the wall's `?theme=` wins (one kiosk by a window), else the dashboard's
 * `branding.theme`, else dark. Set as `data-theme` on <html>, where web/theme.css switches every colour.
 */
import type { WallTheme } from '../../contract/dashboard';

export function chooseTheme(search: string, branding: WallTheme | undefined): WallTheme {
  const asked = new URLSearchParams(search).get('theme');
  if (asked === 'light' || asked === 'dark') return asked;
  return branding ?? 'dark';
}

export function applyTheme(root: HTMLElement, theme: WallTheme): void {
  if (root.dataset['theme'] !== theme) root.dataset['theme'] = theme;
}
