/**
 * The console's views live in the URL hash, so the back button leaves a device's detail for the
 * table, and a link to one device can be shared. Ids are encoded even though the id rules make them
 * URL-safe: the hash is typed by people too.
 */
import { ID_PATTERN } from '../../contract/device';

export type Route =
  | { readonly view: 'devices' }
  | { readonly view: 'device'; readonly booth: string; readonly device: string }
  | { readonly view: 'alarms' }
  | { readonly view: 'server' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  switch (parts[0]) {
    case 'alarms':
      return { view: 'alarms' };
    case 'server':
      return { view: 'server' };
    case 'device': {
      const booth = safeDecode(parts[1]);
      const device = safeDecode(parts[2]);
      if (parts.length === 3 && booth !== null && device !== null && ID_PATTERN.test(booth) && ID_PATTERN.test(device))
        return { view: 'device', booth, device };
      return { view: 'devices' };
    }
    default:
      return { view: 'devices' };
  }
}

export function routeHash(route: Route): string {
  return route.view === 'device' ? deviceHash(route.booth, route.device) : `#/${route.view}`;
}

export function deviceHash(booth: string, device: string): string {
  return `#/device/${encodeURIComponent(booth)}/${encodeURIComponent(device)}`;
}

/** `${CONSOLE_API.deviceDetail}/{booth}/{device}` */
export function devicePath(base: string, booth: string, device: string): string {
  return `${base}/${encodeURIComponent(booth)}/${encodeURIComponent(device)}`;
}

function safeDecode(part: string | undefined): string | null {
  if (part === undefined || part === '') return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
