/**
 * The dashboard's logo: an http(s) URL the page loads directly, or an image file next to the
 * dashboard file that the server reads into memory and serves at /wall/logo. Serving the bytes it
 * read, rather than a path, means no request can name a file, and the served logo always matches
 * the dashboard version the walls were sent.
 */
import { createHash } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import { extname, isAbsolute, posix, relative, resolve, sep } from 'node:path';

export const MAX_LOGO_BYTES = 1024 * 1024;
export const LOGO_ROUTE = '/wall/logo';
/** Image and floor-plan panels: a floor plan is larger than a logo; every file is held in memory. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** Images of panels are served by content hash (`/wall/image/<hash>`), so a request names no file. */
export const IMAGE_ROUTE = '/wall/image';

/** Content types by extension; nothing else is served, so a logo can never be HTML or script. */
const LOGO_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

export type LogoReference =
  | { kind: 'url'; url: string; origin: string }
  /** `path` is relative to the dashboard file's folder, with / separators, never leaving it. */
  | { kind: 'file'; path: string; contentType: string };

export interface LogoAsset {
  bytes: Buffer;
  contentType: string;
  /** Short content hash: part of logoUrl, so a new logo is a new URL and no cache serves the old one. */
  hash: string;
}

/** An image file of a panel: files only (a URL elsewhere would widen every wall's Content-Security-Policy). */
export function imageFileReference(text: string): Extract<LogoReference, { kind: 'file' }> | string {
  const reference = logoReference(text);
  if (typeof reference === 'string') return reference;
  return reference.kind === 'file' ? reference : 'must be an image file next to the dashboard file (.png, .jpg, .jpeg, .webp or .svg), not a URL';
}

/** Classifies what the dashboard file wrote as `branding.logo`; returns a message for anything unusable. */
export function logoReference(text: string): LogoReference | string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) return logoUrl(text);
  if (isAbsolute(text) || /^[a-z]:/i.test(text) || text.startsWith('\\')) {
    return 'must be a path relative to the dashboard file, or an http(s) URL';
  }
  const path = posix.normalize(text.replaceAll('\\', '/'));
  if (path === '..' || path.startsWith('../')) return "must stay in the dashboard file's folder (no ../)";
  const contentType = LOGO_CONTENT_TYPES[extname(path).toLowerCase()];
  if (contentType === undefined) return 'must be a .png, .jpg, .jpeg, .webp or .svg file';
  return { kind: 'file', path, contentType };
}

function logoUrl(text: string): LogoReference | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL, or a file path';
  // The origin goes into the Content-Security-Policy; credentials in it would be sent to every wall.
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  return { kind: 'url', url: url.href, origin: url.origin };
}

/**
 * Reads a logo file, refusing one that is too large, not a regular file, reached through a link
 * out of the dashboard's folder, or whose bytes are not the image its extension claims.
 */
export async function readLogoFile(
  dashboardFolder: string,
  reference: Extract<LogoReference, { kind: 'file' }>,
  limit: { bytes: number; what: string } = { bytes: MAX_LOGO_BYTES, what: 'a logo' },
): Promise<LogoAsset> {
  const path = resolve(dashboardFolder, reference.path);
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `${reference.path} does not exist` : `cannot read ${reference.path}: ${error.message}`);
  });
  const inside = relative(await realpath(dashboardFolder), real);
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new Error(`${reference.path} links to a file outside the dashboard file's folder`);
  }
  const handle = await open(real, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${reference.path} is not a file`);
    if (stat.size > limit.bytes) {
      throw new Error(`${reference.path} is ${stat.size} bytes; ${limit.what} may be at most ${limit.bytes} (${limit.bytes / 1024 / 1024} MiB)`);
    }
    const bytes = await handle.readFile();
    // Checked by magic bytes: a renamed file (or a page saved as .png) must not reach a wall.
    if (!looksLike(reference.contentType, bytes)) throw new Error(`${reference.path} is not an ${reference.contentType} file`);
    return { bytes, contentType: reference.contentType, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
  } finally {
    await handle.close();
  }
}

/** A renamed file would reach the wall as a broken image; saying so here puts the reason in /api/health. */
function looksLike(contentType: string, bytes: Buffer): boolean {
  switch (contentType) {
    case 'image/png':
      return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    case 'image/webp':
      return bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP';
    default:
      return /<svg[\s>]/.test(bytes.toString('utf8'));
  }
}
