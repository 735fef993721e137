/**
 * Reads the dashboard file (YAML) into what walls are sent. Everything is checked, unknown keys
 * included, so a typo is an error naming its place and line (`dashboard.yaml (line 14):
 * scenes[2].panels[0].metric: …`), never a panel that silently shows nothing on a wall across the
 * hall. Pure: the logo file itself is read by DashboardSource.
 */
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import {
  DASHBOARD_LIMITS,
  type DashboardFile,
  type LocalizedText,
  type PanelKind,
  type PanelSpec,
  type SceneSpec,
  type WallTheme,
} from '../../contract/dashboard';
import { DEVICE_KIND_PATTERN, ID_PATTERN, isMetricName, type NamedTable } from '../../contract/device';
import type { MetricDisplay } from '../../contract/metricDisplay';
import { SettingsError, settingPath } from '../config/settings';
import { imageFileReference, logoReference, type LogoReference } from './dashboardLogo';
import { asOverrideTable, metricDisplayOverridesSchema } from './metricDisplayOverrides';

export const DEFAULT_SCENE_SECONDS = 20;
/** Far beyond any hand-written dashboard; a wrong path (a log file, say) is refused before it is parsed. */
export const MAX_DASHBOARD_FILE_BYTES = 256 * 1024;
/** A title longer than this does not fit a panel header on a wall. */
export const MAX_TEXT_LENGTH = 120;
/** A file with more errors than this is rarely a dashboard file at all; the first ones say so. */
const MAX_LISTED_ERRORS = 20;

export class DashboardFileError extends SettingsError {
  override name = 'DashboardFileError';
}

export interface ParsedDashboard {
  branding: { name?: LocalizedText; logo?: LogoReference; accent?: string; theme?: WallTheme };
  scenes: SceneSpec[];
  /** `metricDisplay:`, as null-prototype tables; undefined when the file has none. */
  metricDisplay: NamedTable<MetricDisplay> | undefined;
  /** Line of `branding.logo`, so a logo file that cannot be read is reported like any other error. */
  logoLine: number | undefined;
  /** Image files the panels name (floor plans too), each once, with where it is first written. */
  images: ImageUse[];
}

export interface ImageUse {
  /** Relative to the dashboard file's folder, normalised. */
  file: string;
  /** `scenes[1].panels[2].image`, for messages about the file's bytes. */
  at: string;
  line: number | undefined;
}

const text = z.string().trim().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);

const longText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(DASHBOARD_LIMITS.textPanelLength, `must be at most ${DASHBOARD_LIMITS.textPanelLength} characters`);

const localizedText = z.union(
  [
    text,
    z
      .object({ en: text.optional(), zh: text.optional() })
      .strict()
      .refine((t) => t.en !== undefined || t.zh !== undefined, 'needs en, zh or both'),
  ],
  { error: 'must be text, or a mapping with en and/or zh' },
);

const entityId = (what: string) => z.string().regex(ID_PATTERN, `must be a ${what} id: a letter or digit, then letters, digits, _ or -, at most 64 in all`);

const metric = z
  .string()
  .refine(isMetricName, 'must be a metric name: a letter, then letters, digits or _, at most 64 in all, and not time, booth, device or kind');

const deviceKind = z
  .string()
  .regex(DEVICE_KIND_PATTERN, 'must be a device kind as devices send it in meta.kind: a letter or digit, then letters, digits, _, . or -');

const finite = z.number().finite();

/** A list where a repeat is a mistake (a metric charted twice), reported at the repeat. */
function distinct<T extends z.ZodType<string>>(item: T, what: string, min: number, max: number) {
  return z
    .array(item)
    .min(min, `needs at least ${min} ${what}`)
    .max(max, `may list at most ${max} ${what}`)
    .superRefine((list, ctx) => {
      list.forEach((entry, i) => {
        if (list.indexOf(entry) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `"${entry}" is listed twice` });
      });
    });
}

const panelCommon = { title: localizedText.optional(), booth: entityId('booth').optional() };

/** The word an image panel uses for the branding logo, so the logo can fill a panel of its own. */
export const LOGO_IMAGE = 'logo';

/**
 * An image file next to the dashboard file, normalised; DashboardSource reads and checks its bytes.
 * With `logoAllowed`, the word `logo` stands for the branding logo.
 */
const imageFile = (logoAllowed: boolean) =>
  z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (logoAllowed && value === LOGO_IMAGE) return value;
      const reference = imageFileReference(value);
      if (typeof reference !== 'string') return reference.path;
      ctx.addIssue({ code: 'custom', message: reference });
      return z.NEVER;
    });

const qrUrl = z
  .string()
  .trim()
  .max(DASHBOARD_LIMITS.qrUrlLength, `must be at most ${DASHBOARD_LIMITS.qrUrlLength} characters: a longer code has modules too small to scan across a booth`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return void ctx.addIssue({ code: 'custom', message: 'is not a valid URL; write it whole, e.g. "https://example.com/product"' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
  });

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, e.g. "Asia/Shanghai" or "Europe/Berlin"');

const kpiThresholds = z
  .array(z.object({ from: finite, color: z.enum(['ok', 'warn', 'bad', 'info'], { error: 'must be ok, warn, bad or info' }) }).strict())
  .min(1, 'needs at least one threshold')
  .max(DASHBOARD_LIMITS.thresholdsPerKpi, `may list at most ${DASHBOARD_LIMITS.thresholdsPerKpi} thresholds`)
  .superRefine((list, ctx) => {
    list.forEach((entry, i) => {
      const before = list[i - 1];
      if (before && entry.from <= before.from)
        ctx.addIssue({ code: 'custom', path: [i, 'from'], message: `must be greater than the one before (${before.from})` });
    });
  });

const panelSchemas = {
  devices: z.object({ kind: z.literal('devices'), ...panelCommon, deviceKind: deviceKind.optional() }).strict(),
  timeseries: z
    .object({
      kind: z.literal('timeseries'),
      ...panelCommon,
      device: entityId('device'),
      metrics: distinct(metric, 'metrics', 1, DASHBOARD_LIMITS.metricsPerTimeSeries),
    })
    .strict(),
  stat: z.object({ kind: z.literal('stat'), ...panelCommon, device: entityId('device'), metric }).strict(),
  gauge: z
    .object({ kind: z.literal('gauge'), ...panelCommon, device: entityId('device'), metric, min: finite.optional(), max: finite.optional() })
    .strict()
    .refine((g) => g.min === undefined || g.max === undefined || g.min < g.max, { path: ['max'], message: 'must be greater than min' }),
  'status-grid': z.object({ kind: z.literal('status-grid'), ...panelCommon, deviceKind: deviceKind.optional() }).strict(),
  position: z
    .object({
      kind: z.literal('position'),
      ...panelCommon,
      devices: distinct(entityId('device'), 'devices', 1, DASHBOARD_LIMITS.devicesPerPosition).optional(),
      xMetric: metric,
      yMetric: metric,
      floorPlan: z
        .object({ image: imageFile(false), xMin: finite, xMax: finite, yMin: finite, yMax: finite })
        .strict()
        .refine((f) => f.xMin < f.xMax, { path: ['xMax'], message: 'must be greater than xMin' })
        .refine((f) => f.yMin < f.yMax, { path: ['yMax'], message: 'must be greater than yMin' })
        .optional(),
    })
    .strict(),
  qr: z.object({ kind: z.literal('qr'), ...panelCommon, url: qrUrl, caption: localizedText.optional() }).strict(),
  image: z
    .object({
      kind: z.literal('image'),
      ...panelCommon,
      image: imageFile(true),
      fit: z.enum(['contain', 'cover'], { error: 'must be contain or cover' }).optional(),
      caption: localizedText.optional(),
    })
    .strict(),
  text: z
    .object({
      kind: z.literal('text'),
      ...panelCommon,
      text: z.union([longText, z.object({ en: longText.optional(), zh: longText.optional() }).strict()], {
        error: 'must be text, or a mapping with en and/or zh',
      }),
    })
    .strict(),
  kpi: z
    .object({
      kind: z.literal('kpi'),
      ...panelCommon,
      metric,
      aggregate: z.enum(['increase', 'sum', 'mean', 'max', 'min', 'last'], { error: 'must be increase, sum, mean, max, min or last' }),
      period: z.enum(['today', 'last-hour', 'last-24h'], { error: 'must be today, last-hour or last-24h' }),
      devices: distinct(entityId('device'), 'devices', 1, DASHBOARD_LIMITS.devicesPerKpi).optional(),
      deviceKind: deviceKind.optional(),
      unit: z.string().trim().max(16, 'must be at most 16 characters').optional(),
      decimals: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(6, 'must be at most 6').optional(),
      timeZone: timeZone.optional(),
      thresholds: kpiThresholds.optional(),
    })
    .strict(),
} satisfies { [K in PanelKind]: z.ZodObject };

const PANEL_KINDS = Object.keys(panelSchemas) as PanelKind[];

const panel = z.discriminatedUnion(
  'kind',
  [
    panelSchemas.devices,
    panelSchemas.timeseries,
    panelSchemas.stat,
    panelSchemas.gauge,
    panelSchemas['status-grid'],
    panelSchemas.position,
    panelSchemas.qr,
    panelSchemas.image,
    panelSchemas.text,
    panelSchemas.kpi,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `must be one of ${PANEL_KINDS.join(', ')}`
        : `must be a panel: a mapping with kind (${PANEL_KINDS.join(', ')}) and its settings`,
  },
);

const sceneSchema = z
  .object({
    id: entityId('scene').optional(),
    title: localizedText,
    durationSeconds: z
      .number()
      .min(DASHBOARD_LIMITS.minSceneSeconds, `must be at least ${DASHBOARD_LIMITS.minSceneSeconds} seconds`)
      .max(DASHBOARD_LIMITS.maxSceneSeconds, `must be at most ${DASHBOARD_LIMITS.maxSceneSeconds} seconds`)
      .default(DEFAULT_SCENE_SECONDS),
    panels: z
      .array(panel)
      .min(1, 'needs at least one panel')
      .max(DASHBOARD_LIMITS.panelsPerScene, `may hold at most ${DASHBOARD_LIMITS.panelsPerScene} panels; split the scene in two`),
  })
  .strict();

const brandingSchema = z
  .object({
    name: localizedText.optional(),
    logo: z
      .string()
      .trim()
      .transform((value, ctx) => {
        const reference = logoReference(value);
        if (typeof reference !== 'string') return reference;
        ctx.addIssue({ code: 'custom', message: reference });
        return z.NEVER;
      })
      .optional(),
    accent: z
      .string({ error: (issue) => (issue.input === null ? 'must be a colour like "#e4002b", in quotes: in YAML an unquoted # starts a comment' : undefined) })
      .regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, 'must be a colour written #rgb or #rrggbb, e.g. "#e4002b"')
      .optional(),
    theme: z.enum(['dark', 'light'], { error: 'must be dark or light' }).optional(),
  })
  .strict();

const dashboardFileSchema = z
  .object({
    branding: brandingSchema.prefault({}),
    scenes: z.array(sceneSchema).max(DASHBOARD_LIMITS.scenes, `may hold at most ${DASHBOARD_LIMITS.scenes} scenes`).default([]),
    metricDisplay: metricDisplayOverridesSchema.optional(),
  })
  .strict()
  .transform((file, ctx) => {
    const firstWithId = new Map<string, number>();
    const scenes = file.scenes.map((scene, i): SceneSpec => {
      // `?scene=` pins a scene by id and a watchdog reload returns to it, so ids are stable and unique.
      const id = scene.id ?? `scene-${i + 1}`;
      const first = firstWithId.get(id);
      if (first === undefined) firstWithId.set(id, i);
      else {
        const whose = scene.id === undefined ? `this scene's default id "${id}"` : `"${id}"`;
        ctx.addIssue({ code: 'custom', path: ['scenes', i, 'id'], message: `${whose} is already the id of scenes[${first}]; give each scene its own id` });
      }
      const { id: _written, ...rest } = scene;
      return { id, ...rest };
    });
    return { branding: file.branding, scenes, metricDisplay: file.metricDisplay };
  });

// The schema reads exactly the contract's DashboardFile: changing one without the other fails the type check.
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
const schemaMatchesContract: Same<z.input<typeof dashboardFileSchema>, DashboardFile> = true;
void schemaMatchesContract;

/**
 * Parses and checks a dashboard file; throws DashboardFileError listing every problem with path and
 * line. `booths`: the configured booth ids, when known; then a panel's booth must be one of them,
 * and with more than one, a panel naming a device must name its booth (panelBoothProblems).
 */
export function parseDashboardFile(yamlText: string, source: string, booths?: readonly string[]): ParsedDashboard {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = syntaxError.linePos?.[0].line;
    // The message ends with its own " at line 1, column 10:", which where() already says.
    const message = syntaxError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new DashboardFileError(`${where(source, line)}: not valid YAML: ${message}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    throw new DashboardFileError(`${source}: not usable YAML: ${(error as Error).message}`);
  }
  // An editor that truncates before writing can be caught in between; an empty file must not wipe the walls.
  if (raw === null || raw === undefined) throw new DashboardFileError(`${source}: the file is empty; write branding and/or scenes`);
  const result = dashboardFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new DashboardFileError(describeIssues(source, result.error.issues, doc, lines, raw));
  const { branding, scenes } = result.data;
  const metricDisplay = result.data.metricDisplay ? asOverrideTable(result.data.metricDisplay) : undefined;
  const boothProblems = booths ? panelBoothProblems(scenes, booths) : [];
  if (boothProblems.length > 0)
    throw new DashboardFileError(
      listProblems(
        source,
        boothProblems.map((p) => ({ ...p, line: lineOf(doc, lines, p.path) })),
      ),
    );
  const images = imageUses(scenes);
  const logoProblems = images.logoAt.filter(() => branding.logo === undefined);
  if (logoProblems.length > 0)
    throw new DashboardFileError(
      listProblems(
        source,
        logoProblems.map((path) => ({
          path,
          message: 'is "logo", but branding.logo is not set; set it or name an image file',
          line: lineOf(doc, lines, path),
        })),
      ),
    );
  if (images.files.size > DASHBOARD_LIMITS.imageFiles) {
    throw new DashboardFileError(`${source}: names ${images.files.size} image files; a dashboard may use at most ${DASHBOARD_LIMITS.imageFiles}`);
  }
  return {
    branding,
    scenes,
    metricDisplay,
    logoLine: branding.logo ? lineOf(doc, lines, ['branding', 'logo']) : undefined,
    images: [...images.files].map(([file, path]) => ({ file, at: settingPath(path), line: lineOf(doc, lines, path) })),
  };
}

/** The image files of image panels and floor plans (first use of each), and the places that ask for the logo. */
function imageUses(scenes: readonly SceneSpec[]): { files: Map<string, PropertyKey[]>; logoAt: PropertyKey[][] } {
  const files = new Map<string, PropertyKey[]>();
  const logoAt: PropertyKey[][] = [];
  scenes.forEach((scene, s) =>
    scene.panels.forEach((panel, p) => {
      const at = ['scenes', s, 'panels', p];
      if (panel.kind === 'image') {
        if (panel.image === LOGO_IMAGE) logoAt.push([...at, 'image']);
        else if (!files.has(panel.image)) files.set(panel.image, [...at, 'image']);
      } else if (panel.kind === 'position' && panel.floorPlan && !files.has(panel.floorPlan.image)) {
        files.set(panel.floorPlan.image, [...at, 'floorPlan', 'image']);
      }
    }),
  );
  return { files, logoAt };
}

/** Booth ids named in an error message; a hall may configure hundreds. */
const LISTED_BOOTHS = 10;

/**
 * A wall of several booths resolves a panel's device only within the panel's booth (web/wall
 * WallModel.find): otherwise booth A could publish booth B's device id and take over B's panel.
 * So with more than one booth configured, a panel that names a device must say whose; and a booth
 * a panel names must exist, or the panel would stay empty without a word.
 */
export function panelBoothProblems(scenes: readonly SceneSpec[], booths: readonly string[]): Omit<Problem, 'line'>[] {
  const known = new Set(booths);
  const list = booths.slice(0, LISTED_BOOTHS).join(', ') + (booths.length > LISTED_BOOTHS ? ', …' : '');
  const problems: Omit<Problem, 'line'>[] = [];
  scenes.forEach((scene, s) =>
    scene.panels.forEach((panel, p) => {
      const path = ['scenes', s, 'panels', p, 'booth'];
      if (panel.booth !== undefined) {
        if (!known.has(panel.booth)) problems.push({ path, message: `unknown booth "${panel.booth}"; expected one of ${list}` });
      } else if (booths.length > 1 && namesDevice(panel)) {
        problems.push({
          path,
          message: `required: this server has several booths (${list}), so a ${panel.kind} panel naming a device must say whose`,
        });
      }
    }),
  );
  return problems;
}

function namesDevice(panel: PanelSpec): boolean {
  return 'device' in panel || ((panel.kind === 'position' || panel.kind === 'kpi') && panel.devices !== undefined);
}

/** `dashboard.yaml (line 7)`, or just the file when the place has no line (a key that is missing, say). */
export function where(source: string, line: number | undefined): string {
  return line === undefined ? source : `${source} (line ${line})`;
}

interface Problem {
  path: PropertyKey[];
  message: string;
  line: number | undefined;
}

function describeIssues(source: string, issues: readonly z.core.$ZodIssue[], doc: Document, lines: LineCounter, raw: unknown): string {
  const problems: Problem[] = [];
  for (const issue of issues.flatMap(closestAlternative)) {
    if (issue.code === 'unrecognized_keys') {
      // Named at the key itself, with what may stand there, so the typo is found at once.
      const allowed = allowedKeys(issue.path, raw);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        problems.push({ path, message: `unknown key${allowed ? `; expected one of ${allowed.join(', ')}` : ''}`, line: lineOf(doc, lines, path) });
      }
    } else {
      problems.push({ path: issue.path, message: messageOf(issue), line: lineOf(doc, lines, issue.path) });
    }
  }
  return listProblems(source, problems);
}

function listProblems(source: string, problems: Problem[]): string {
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const listed = problems.slice(0, MAX_LISTED_ERRORS).map((p) => `${where(source, p.line)}: ${settingPath(p.path)}: ${p.message}`);
  if (problems.length > MAX_LISTED_ERRORS) listed.push(`${source}: … and ${problems.length - MAX_LISTED_ERRORS} more`);
  return listed.join('\n');
}

/**
 * For text that may also be written `{ en, zh }`: when the value is clearly meant as one of the
 * alternatives (a mapping, say), its own problem (`title.zh: must be text`) says more than "must be
 * text, or a mapping".
 */
function closestAlternative(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const meant = issue.errors.find((alternative) => !alternative.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  return meant ? meant.map((i) => ({ ...i, path: [...issue.path, ...i.path] })).flatMap(closestAlternative) : [issue];
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return 'required';
  if (issue.code !== 'invalid_type') return issue.message;
  // Zod's own wording ("Invalid input: expected string, received number") reads as a program's, not a setting's.
  return issue.message.startsWith('Invalid input') ? `must be ${article(issue.expected)}, not ${describeValue(issue.input)}` : issue.message;
}

function article(expected: string): string {
  const noun = expected === 'string' ? 'text' : expected === 'array' ? 'list' : expected === 'object' ? 'mapping' : expected;
  return noun === 'text' ? noun : /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the value ${value}`;
  // What is left: undefined (or a type a YAML parser never yields), named by its type.
  return `the value ${typeof value}`;
}

/** The keys that may stand in the mapping at `path`, for the unknown-key message. */
function allowedKeys(path: readonly PropertyKey[], raw: unknown): string[] | undefined {
  const last = path.at(-1);
  if (last === 'title' || last === 'name') return ['en', 'zh'];
  const shape = (schema: z.ZodObject) => Object.keys(schema.shape);
  if (path.length === 0) return ['branding', 'scenes', 'metricDisplay'];
  if (path.length === 1 && last === 'branding') return shape(brandingSchema);
  if (path.length === 2 && path[0] === 'scenes') return shape(sceneSchema);
  if (path.length === 4 && path[2] === 'panels') {
    const kind = valueAt(raw, [...path, 'kind']);
    return typeof kind === 'string' && Object.hasOwn(panelSchemas, kind) ? shape(panelSchemas[kind as PanelKind]) : undefined;
  }
  return undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/**
 * The line where `path` is written: the key for a mapping entry (its value may start lines below),
 * the item for a list entry. A place that is not in the file (a missing key) gets its parent's line.
 */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = isNode(node) ? node : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      found = isNode(pair.key) ? pair.key : found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!isNode(node)) break;
      found = node;
    } else {
      break;
    }
  }
  return found?.range ? lines.linePos(found.range[0]).line : undefined;
}
