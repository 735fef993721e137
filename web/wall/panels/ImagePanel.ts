/**
 * A picture from the dashboard (a product, a sponsor, the booth's logo large), served by this server
 * from a file next to the dashboard file, with an optional caption.
 */
import type { ImagePanelSpec } from '../../../contract/dashboard';
import { create, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { PanelFrame } from './PanelFrame';
import type { PanelContext, PanelView } from './PanelView';

export class ImagePanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly caption: HTMLElement;

  constructor(private readonly spec: ImagePanelSpec) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    const image = create('img', `image-panel__image image-panel__image--${spec.fit ?? 'contain'}`, this.frame.body);
    image.dataset['testid'] = 'panel-image';
    image.alt = '';
    image.decoding = 'async';
    // A missing file must not leave a broken-image icon on a wall; the panel keeps its title and caption.
    image.addEventListener('error', () => (image.hidden = true));
    image.src = spec.image;
    this.caption = create('p', 'image-panel__caption', this.frame.body);
  }

  render(_work: RenderWork, { text }: PanelContext): boolean {
    this.frame.setTitle(text.localize(this.spec.title));
    setText(this.caption, text.localize(this.spec.caption));
    return false;
  }

  dispose(): void {
    // Nothing to free: the image goes with the element.
  }
}
