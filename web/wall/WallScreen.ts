/**
 * The whole page: header (branding, scene, connection, clock), the scene on stage with its
 * progress, and the alarm strip. It draws what the model holds when the RenderLoop says so, swaps
 * scenes when the rotation says so, and never changes the model.
 */
import type { Branding, SceneSpec } from '../../contract/dashboard';
import { chartDraws } from '../shared/chartDraws';
import { ConnectionIndicator } from './ConnectionIndicator';
import type { ConnectionView } from './connectionStatus';
import { create, setData, setText } from '../shared/dom';
import type { WallAlarmNotice } from '../../contract/console';
import { AlarmStrip } from './panels/AlarmStrip';
import { serverAlarmItems } from './panels/serverAlarms';
import type { PanelContext, PanelHost } from './panels/PanelView';
import type { RenderWork } from './RenderLoop';
import type { SceneOnScreen } from './SceneRotation';
import { SceneView } from './SceneView';
import { WallClock } from './WallClock';
import type { WallModel } from './WallModel';
import type { WallText } from './wallText';
import { applyTheme, chooseTheme } from './wallTheme';

/** Chart work allowed per animation frame, ms; the rest waits for the next frame. */
const CHART_BUDGET_MS = 10;
/**
 * Charts drawn per animation frame at most, whatever the deadline says: the deadline is checked
 * before a chart starts, and one draw can take a frame by itself on a loaded machine. A wall needs
 * well under 60 draws a second (a tile's chart once a second, live panels four times), so one a
 * frame keeps up, and a scene's burst (every chart at the one-second tick) spreads over frames.
 */
const MAX_CHARTS_PER_FRAME = 1;
const ACCENT_PATTERN = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export class WallScreen {
  private readonly stage: HTMLElement;
  private readonly title: HTMLElement;
  private readonly logo: HTMLImageElement;
  private readonly sceneTitle: HTMLElement;
  private readonly pageMarker: HTMLElement;
  private shownPage = -1;
  private readonly windowCaption: HTMLElement;
  private readonly sceneDots: HTMLElement;
  private readonly progressBar: HTMLElement;
  private readonly clock: WallClock;
  private readonly indicator: ConnectionIndicator;
  private readonly alarms = new AlarmStrip();
  private scene: SceneView | null = null;
  private branding: Branding = {};
  private serverAlarms: readonly WallAlarmNotice[] = [];

  constructor(
    private readonly document: Document,
    private readonly model: WallModel,
    private readonly text: WallText,
    private readonly host: PanelHost,
  ) {
    this.stage = find(document, '[data-testid="stage"]');
    this.title = find(document, '[data-testid="booth-names"]');
    this.logo = find(document, '[data-testid="brand-logo"]') as HTMLImageElement;
    this.sceneTitle = find(document, '[data-testid="scene-title"]');
    this.pageMarker = create('span', 'wall__page');
    this.pageMarker.dataset['testid'] = 'scene-page';
    this.sceneTitle.after(this.pageMarker);
    this.windowCaption = find(document, '[data-testid="window-caption"]');
    this.sceneDots = find(document, '[data-testid="scene-dots"]');
    this.progressBar = find(document, '.scene-progress__bar');
    this.clock = new WallClock(find(document, '.clock__hm'), find(document, '.clock__s'), text);
    this.indicator = new ConnectionIndicator(find(document, '[data-testid="connection"]'));
    find(document, '.wall').append(this.alarms.element);
    document.documentElement.lang = text.locale;
    // `?theme=` applies before the dashboard arrives, so a bright hall's kiosk never flashes dark.
    applyTheme(document.documentElement, chooseTheme(document.location.search, undefined));
    this.windowCaption.textContent = text.t('lastMinutes', { n: text.number(model.windowMs / 60_000) });
    // A logo that fails to load must not leave a broken-image icon on a wall.
    this.logo.addEventListener('error', () => (this.logo.hidden = true));
  }

  get sceneId(): string | null {
    return this.scene?.scene.id ?? null;
  }

  /** Pages the scene on stage needs at the present screen size (1 until it has been drawn). */
  scenePages(): number {
    return this.scene?.pageCount() ?? 1;
  }

  /** Puts `shown` on stage, tearing down the previous scene when it changed. Returns true if it did. */
  showScene(shown: SceneOnScreen | null): boolean {
    this.renderRotation(shown);
    const next = shown?.scene ?? null;
    const page = shown?.page ?? 0;
    this.renderPage(shown);
    if (next !== null && this.scene !== null && sameScene(this.scene.scene, next)) {
      if (page === this.shownPage) return false;
      this.shownPage = page;
      this.scene.showPage(page);
      return true;
    }
    this.shownPage = page;
    this.scene?.dispose();
    this.scene = next === null ? null : new SceneView(next, this.host);
    if (this.scene) {
      this.scene.showPage(page);
      this.stage.replaceChildren(this.scene.element);
      this.scene.layout();
    }
    setText(this.sceneTitle, next === null ? '' : this.text.localize(next.title));
    setData(this.stage, 'scene', next?.id ?? '');
    return true;
  }

  render(work: RenderWork): boolean {
    if (work.membership) this.renderTitle();
    const deadline = performance.now() + CHART_BUDGET_MS;
    const drawsBefore = chartDraws.total;
    const context: PanelContext = {
      model: this.model,
      text: this.text,
      serverNow: this.model.serverNow(),
      windowMs: this.model.windowMs,
      // Read by panels before each chart: past once the frame has drawn its share of charts.
      get chartDeadline(): number {
        return chartDraws.total - drawsBefore >= MAX_CHARTS_PER_FRAME ? -Infinity : deadline;
      },
    };
    // On every scene, so an alarm does not wait for the rotation to come round to its device; on the
    // one-second tick only, because it scans every device's metrics and frames arrive every 200 ms.
    if (work.everyTile) this.alarms.render(context, serverAlarmItems(this.serverAlarms, this.model, this.text));
    return this.scene?.render(work, context) ?? false;
  }

  applyBranding(branding: Branding): void {
    this.branding = branding;
    applyTheme(this.document.documentElement, chooseTheme(this.document.location.search, branding.theme));
    const accent = branding.accent !== undefined && ACCENT_PATTERN.test(branding.accent) ? branding.accent : null;
    if (accent) this.document.documentElement.style.setProperty('--accent', accent);
    else this.document.documentElement.style.removeProperty('--accent');
    const logoUrl = branding.logoUrl ?? '';
    if (logoUrl === '') {
      this.logo.hidden = true;
      this.logo.removeAttribute('src');
    } else if (this.logo.getAttribute('src') !== logoUrl) {
      this.logo.hidden = false;
      this.logo.src = logoUrl;
    }
    this.renderTitle();
  }

  /** The server's list replaces the previous one; drawn with the next render. */
  setServerAlarms(alarms: readonly WallAlarmNotice[]): void {
    this.serverAlarms = alarms;
  }

  renderClock(now: number): void {
    this.clock.render(now);
  }

  renderConnection(view: ConnectionView): void {
    this.indicator.render(view);
  }

  private renderRotation(shown: SceneOnScreen | null): void {
    // Scale, not width: a transform does not make the browser lay out the page again.
    this.progressBar.style.transform = `scaleX(${shown?.progress ?? 0})`;
    setData(this.progressBar.parentElement as HTMLElement, 'pinned', String(shown?.pinned ?? false));
    const count = shown && !shown.pinned ? shown.count : 0;
    if (this.sceneDots.childElementCount !== count) {
      this.sceneDots.replaceChildren(...Array.from({ length: count }, () => create('li', 'scene-dots__dot')));
    }
    [...this.sceneDots.children].forEach((dot, index) => setData(dot as HTMLElement, 'current', String(index === shown?.index)));
  }

  /** "Page 2/4" beside the scene title, only when the scene has pages. */
  private renderPage(shown: SceneOnScreen | null): void {
    const pages = shown?.pages ?? 1;
    const page = (shown?.page ?? 0) + 1;
    setData(this.pageMarker, 'page', String(page));
    setData(this.pageMarker, 'pages', String(pages));
    setText(this.pageMarker, pages > 1 ? this.text.localize({ en: `Page ${page}/${pages}`, zh: `第 ${page}/${pages} 页` }) : '');
  }

  private renderTitle(): void {
    const names = this.model.booths.map((b) => b.name.trim() || b.id);
    const configured = this.text.localize(this.branding.name).trim();
    const title = configured || (names.length > 0 ? names.join(' · ') : 'Showfloor');
    setText(this.title, title);
    this.document.title = title === 'Showfloor' ? title : `${title} — Showfloor`;
  }
}

/** A dashboard reload sends new objects; a scene whose content is unchanged keeps its charts. */
function sameScene(a: SceneSpec, b: SceneSpec): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function find(document: Document, selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`wall page is missing ${selector}`);
  return element;
}
