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

export class SceneView {
  readonly element: HTMLElement;
  private readonly panels: PanelView[];
  private readonly resizeWatch: ResizeWatch;

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

  /** Every panel gets its text work; chart work stops at the context's deadline. */
  render(work: RenderWork, context: PanelContext): boolean {
    let left = false;
    for (const panel of this.panels) left = panel.render(work, context) || left;
    return left;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    for (const panel of this.panels) panel.dispose();
    this.element.remove();
  }
}
