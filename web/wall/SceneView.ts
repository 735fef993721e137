/**
 * One scene on screen: its panels laid out to fill the area, rendered together, and disposed
 * together when the rotation moves on, so no chart outlives the scene that drew it.
 */
import type { SceneSpec } from '../../contract/dashboard';
import { create } from '../shared/dom';
import { createPanel } from './panels/createPanel';
import type { PanelContext, PanelHost, PanelView } from './panels/PanelView';
import type { RenderWork } from './RenderLoop';
import { ResizeWatch } from '../shared/ResizeWatch';
import { chooseGridShape } from './tileLayout';

/** Panels are mostly charts and dials, which read best a little wider than tall. */
const PANEL_ASPECT = 1.5;

/** A panel that shows its content a page at a time when it does not fit (DevicesPanel). */
interface PagedPanel {
  pageCount(): number;
  showPage(index: number): void;
}

function isPaged(panel: PanelView): panel is PanelView & PagedPanel {
  return typeof (panel as Partial<PagedPanel>).pageCount === 'function' && typeof (panel as Partial<PagedPanel>).showPage === 'function';
}

export class SceneView {
  readonly element: HTMLElement;
  private readonly panels: PanelView[];
  private readonly resizeWatch: ResizeWatch;
  /** Which panel renders first this frame: they take turns, so one panel cannot take every frame's chart. */
  private firstPanel = 0;

  constructor(
    readonly scene: SceneSpec,
    host: PanelHost,
  ) {
    this.element = create('div', 'scene');
    this.element.dataset['testid'] = 'scene';
    this.element.dataset['scene'] = scene.id;
    this.panels = scene.panels.map((spec, index) => createPanel(spec, host, { sceneId: scene.id, index }));
    this.element.replaceChildren(...this.panels.map((panel) => panel.element));
    this.element.dataset['panels'] = String(this.panels.length);
    this.resizeWatch = new ResizeWatch(this.element, () => this.layout());
  }

  /** Called once the element is in the document, when it has a size. */
  layout(): void {
    const { columns, rows } = chooseGridShape(this.panels.length, this.element.clientWidth, this.element.clientHeight, PANEL_ASPECT);
    this.element.style.setProperty('--columns', String(columns));
    this.element.style.setProperty('--rows', String(rows));
  }

  /** The most pages any panel of the scene needs: the scene stays for one slot per page. */
  pageCount(): number {
    return Math.max(1, ...this.panels.map((panel) => (isPaged(panel) ? panel.pageCount() : 1)));
  }

  showPage(index: number): void {
    for (const panel of this.panels) if (isPaged(panel)) panel.showPage(index);
  }

  /** Every panel gets its text work; chart work stops at the context's deadline (time, or the frame's charts). */
  render(work: RenderWork, context: PanelContext): boolean {
    let left = false;
    const count = this.panels.length;
    for (let i = 0; i < count; i++) {
      const panel = this.panels[(this.firstPanel + i) % count];
      if (panel) left = panel.render(work, context) || left;
    }
    this.firstPanel = count === 0 ? 0 : (this.firstPanel + 1) % count;
    return left;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    for (const panel of this.panels) panel.dispose();
    this.element.remove();
  }
}
