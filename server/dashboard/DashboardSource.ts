/**
 * The dashboard every wall is sent: the automatic one when no file is configured, or the last good
 * version of the dashboard file. The file is watched while the server runs, so an organiser can
 * edit it during the show; an edit that does not parse never reaches a wall, it is logged and shown
 * in /api/health until it is fixed, and the walls keep what they had.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { PanelSpec, SceneSpec, WallDashboard } from '../../contract/dashboard';
import type { Logger } from '../logger';
import { DashboardFileError, LOGO_IMAGE, MAX_DASHBOARD_FILE_BYTES, parseDashboardFile, where, type ImageUse } from './dashboardFile';
import { IMAGE_ROUTE, LOGO_ROUTE, MAX_IMAGE_BYTES, imageFileReference, readLogoFile, type LogoAsset } from './dashboardLogo';

/** Editors save in bursts (truncate, write, rename, chmod); one reload after the burst is enough. */
export const RELOAD_DEBOUNCE_MS = 200;

export const AUTOMATIC_DASHBOARD: WallDashboard = Object.freeze({ source: 'auto', version: 'auto', branding: {}, scenes: [] });

export interface DashboardStatus {
  source: WallDashboard['source'];
  file: string | null;
  /** Version the walls have; with an error, the last good one. */
  version: string;
  loadedAt: number | null;
  /** When the file was last read, changed or not: says the server saw a save. */
  checkedAt: number | null;
  /** Why the file on disk is not what walls show; null when it is. */
  error: string | null;
}

interface LoadedDashboard {
  dashboard: WallDashboard;
  logo: LogoAsset | null;
  /** Origin of a logo URL on another server, which the page's Content-Security-Policy must allow. */
  logoOrigin: string | null;
  /** The logo file as written in the dashboard file, relative to its folder. */
  logoFile: string | null;
  /** Image files of panels by content hash: what /wall/image/<hash> serves (at most DASHBOARD_LIMITS.imageFiles). */
  images: ReadonlyMap<string, LogoAsset>;
  /** The image files as written (relative to the dashboard's folder), so saving one is a reload too. */
  imageFiles: ReadonlySet<string>;
}

export class DashboardSource {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private error: string | null = null;
  /** Kept apart from `error`: a later good read must not hide that saves are no longer seen. */
  private watchError: string | null = null;
  private checkedAt: number | null;
  private closed = false;
  private onChange: ((dashboard: WallDashboard) => void) | undefined;

  private constructor(
    readonly file: string | null,
    private loaded: LoadedDashboard,
    private loadedAt: number | null,
    private readonly log: Logger,
    private readonly booths?: readonly string[],
  ) {
    this.checkedAt = loadedAt;
  }

  /** No file configured: walls build their scenes from the devices they see. */
  static automatic(log: Logger): DashboardSource {
    return new DashboardSource(
      null,
      { dashboard: AUTOMATIC_DASHBOARD, logo: null, logoOrigin: null, logoFile: null, images: new Map(), imageFiles: new Set() },
      null,
      log,
    );
  }

  /** Reads the file once; throws DashboardFileError when it cannot serve it, which stops start-up. */
  /** `booths`: the configured booth ids, which the file's panels are checked against (parseDashboardFile). */
  static async open(file: string, log: Logger, booths?: readonly string[]): Promise<DashboardSource> {
    const loaded = await loadDashboard(file, booths);
    log.info({ file, version: loaded.dashboard.version, scenes: loaded.dashboard.scenes.length }, 'dashboard file loaded');
    return new DashboardSource(file, loaded, Date.now(), log, booths);
  }

  get current(): WallDashboard {
    return this.loaded.dashboard;
  }

  get logo(): LogoAsset | null {
    return this.loaded.logo;
  }

  /** An image of a panel by its content hash, as named in the URL walls were sent. */
  image(hash: string): LogoAsset | null {
    return this.loaded.images.get(hash) ?? null;
  }

  get logoOrigin(): string | null {
    return this.loaded.logoOrigin;
  }

  get status(): DashboardStatus {
    const { source, version } = this.loaded.dashboard;
    return { source, file: this.file, version, loadedAt: this.loadedAt, checkedAt: this.checkedAt, error: this.watchError ?? this.error };
  }

  /**
   * Watches the file's folder rather than the file: editors that save by writing a new file and
   * renaming it over the old one would leave a watch on the file itself watching nothing.
   */
  watch(onChange: (dashboard: WallDashboard) => void): void {
    if (this.file === null || this.watcher) return;
    this.onChange = onChange;
    const folder = dirname(this.file);
    const fileName = basename(this.file);
    try {
      this.watcher = watch(folder, { persistent: false }, (_event, name) => {
        // Some platforms do not say which file changed; then any change may be ours. A logo or an
        // image in a subfolder is not seen here: it is picked up with the next save of the dashboard file.
        if (name === null || name === fileName || name === this.loaded.logoFile || this.loaded.imageFiles.has(name)) this.scheduleReload();
      });
    } catch (error) {
      this.watchFailed(`cannot watch ${folder} for changes: ${(error as Error).message}; restart to pick up edits`);
      return;
    }
    this.watcher.on('error', (error) => this.watchFailed(`stopped watching ${folder} for changes: ${error.message}; restart to pick up edits`));
  }

  /** Reads the file again now; the watcher's `onChange` hears of it only when the content differs. */
  reload(): Promise<void> {
    // One read at a time, in order; a failure (a wall's emit throwing, say) must not stop later reloads.
    this.reloading = this.reloading
      .then(() => this.applyFileOnDisk())
      .catch((error: unknown) => this.log.error({ file: this.file, err: (error as Error).message }, 'dashboard reload failed'));
    return this.reloading;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private scheduleReload(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private async applyFileOnDisk(): Promise<void> {
    if (this.file === null || this.closed) return;
    let loaded: LoadedDashboard;
    try {
      loaded = await loadDashboard(this.file, this.booths);
    } catch (error) {
      return this.fail((error as Error).message);
    } finally {
      this.checkedAt = Date.now();
    }
    if (this.closed) return;
    if (this.error !== null) this.log.info({ file: this.file }, 'dashboard file is valid again');
    this.error = null;
    // A save without a change (or a change undone) is not news to the walls.
    if (loaded.dashboard.version === this.loaded.dashboard.version) return;
    this.loaded = loaded;
    this.loadedAt = Date.now();
    this.log.info(
      { file: this.file, version: loaded.dashboard.version, scenes: loaded.dashboard.scenes.length },
      'dashboard file reloaded; sending it to every wall',
    );
    this.onChange?.(loaded.dashboard);
  }

  private watchFailed(message: string): void {
    this.log.error({ file: this.file, err: message }, 'dashboard file is no longer watched');
    this.watchError = message;
  }

  private fail(message: string): void {
    // Logged once per distinct error, not once per save; the message goes in as a field, so pino escapes it.
    if (message !== this.error) {
      this.log.warn(
        { file: this.file, err: message, version: this.loaded.dashboard.version },
        'dashboard file not applied; walls keep the last good dashboard',
      );
    }
    this.error = message;
  }
}

async function loadDashboard(file: string, booths: readonly string[] | undefined): Promise<LoadedDashboard> {
  const text = await readDashboardText(file);
  const parsed = parseDashboardFile(text, file, booths);
  const { logo: reference, ...branding } = parsed.branding;
  let logo: LogoAsset | null = null;
  let logoUrl: string | undefined;
  if (reference?.kind === 'file') {
    try {
      logo = await readLogoFile(dirname(file), reference);
    } catch (error) {
      throw new DashboardFileError(`${where(file, parsed.logoLine)}: branding.logo: ${(error as Error).message}`);
    }
    logoUrl = `${LOGO_ROUTE}?v=${logo.hash}`;
  } else if (reference?.kind === 'url') {
    logoUrl = reference.url;
  }
  const images = await readImages(file, parsed.images);
  const imageUrls = new Map([...images].map(([path, asset]) => [path, `${IMAGE_ROUTE}/${asset.hash}`]));
  if (logoUrl !== undefined) imageUrls.set(LOGO_IMAGE, logoUrl);
  // The images' bytes are part of the version, so replacing an image alone is a change too.
  const hash = createHash('sha256')
    .update(text)
    .update('\0')
    .update(logo?.hash ?? '');
  for (const asset of images.values()) hash.update('\0').update(asset.hash);
  const version = hash.digest('hex').slice(0, 16);
  return {
    dashboard: {
      source: 'file',
      version,
      branding: logoUrl === undefined ? branding : { ...branding, logoUrl },
      scenes: parsed.scenes.map((scene) => withImageUrls(scene, imageUrls)),
      ...(parsed.metricDisplay ? { metricDisplay: parsed.metricDisplay } : {}),
    },
    logo,
    logoOrigin: reference?.kind === 'url' ? reference.origin : null,
    logoFile: reference?.kind === 'file' ? reference.path : null,
    images: new Map([...images.values()].map((asset) => [asset.hash, asset])),
    imageFiles: new Set(images.keys()),
  };
}

/** Reads every image file the panels name; a file that cannot be served stops the dashboard, with its place. */
async function readImages(file: string, uses: readonly ImageUse[]): Promise<Map<string, LogoAsset>> {
  const images = new Map<string, LogoAsset>();
  for (const use of uses) {
    const reference = imageFileReference(use.file);
    // Already checked while parsing; a string here would be a bug in the schema, reported like an error.
    if (typeof reference === 'string') throw new DashboardFileError(`${where(file, use.line)}: ${use.at}: ${reference}`);
    try {
      images.set(use.file, await readLogoFile(dirname(file), reference, { bytes: MAX_IMAGE_BYTES, what: 'an image' }));
    } catch (error) {
      throw new DashboardFileError(`${where(file, use.line)}: ${use.at}: ${(error as Error).message}`);
    }
  }
  return images;
}

/** Walls are sent URLs where the file names images; the served URL changes with the bytes. */
function withImageUrls(scene: SceneSpec, urls: ReadonlyMap<string, string>): SceneSpec {
  const panels = scene.panels.map((panel): PanelSpec => {
    if (panel.kind === 'image') return { ...panel, image: urls.get(panel.image) ?? panel.image };
    if (panel.kind === 'position' && panel.floorPlan) return { ...panel, floorPlan: { ...panel.floorPlan, image: urls.get(panel.floorPlan.image) ?? '' } };
    return panel;
  });
  return { ...scene, panels };
}

async function readDashboardText(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DashboardFileError(code === 'ENOENT' ? `${file}: the dashboard file does not exist` : `${file}: cannot read: ${(error as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new DashboardFileError(`${file}: is not a file`);
    if (stat.size > MAX_DASHBOARD_FILE_BYTES)
      throw new DashboardFileError(`${file}: is ${stat.size} bytes; a dashboard file may be at most ${MAX_DASHBOARD_FILE_BYTES}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
