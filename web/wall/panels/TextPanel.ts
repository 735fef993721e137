/** Words for visitors from the dashboard file, in the wall's language(s); never markup (textContent only). */
import type { TextPanelSpec } from '../../../contract/dashboard';
import { create, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { PanelFrame } from './PanelFrame';
import type { PanelContext, PanelView } from './PanelView';

export class TextPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly body: HTMLElement;

  constructor(private readonly spec: TextPanelSpec) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    this.body = create('p', 'text-panel__text', this.frame.body);
    this.body.dataset['testid'] = 'panel-text';
  }

  render(_work: RenderWork, { text }: PanelContext): boolean {
    this.frame.setTitle(text.localize(this.spec.title));
    setText(this.body, text.localize(this.spec.text));
    return false;
  }

  dispose(): void {
    // Nothing to free.
  }
}
