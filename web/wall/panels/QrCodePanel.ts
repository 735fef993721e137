/** A QR code a visitor scans with a phone, drawn once as SVG from the dashboard's URL, and its caption. */
import type { QrCodePanelSpec } from '../../../contract/dashboard';
import { create, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { PanelFrame } from './PanelFrame';
import type { PanelContext, PanelView } from './PanelView';
import { qrMatrix, qrSvgPath } from './qrCode';

const SVG = 'http://www.w3.org/2000/svg';

export class QrCodePanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly caption: HTMLElement;

  constructor(private readonly spec: QrCodePanelSpec) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    const { viewBox, d } = qrSvgPath(qrMatrix(spec.url));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'qr-panel__code');
    svg.setAttribute('viewBox', viewBox);
    svg.setAttribute('shape-rendering', 'crispEdges');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', spec.url);
    svg.dataset['testid'] = 'qr-code';
    svg.dataset['url'] = spec.url;
    // Light background over the whole viewBox: the quiet zone is light whatever the theme.
    const background = document.createElementNS(SVG, 'rect');
    background.setAttribute('width', '100%');
    background.setAttribute('height', '100%');
    background.setAttribute('class', 'qr-panel__light');
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    path.setAttribute('class', 'qr-panel__dark');
    svg.append(background, path);
    this.frame.body.append(svg);
    this.caption = create('p', 'qr-panel__caption', this.frame.body);
  }

  render(_work: RenderWork, { text }: PanelContext): boolean {
    this.frame.setTitle(text.localize(this.spec.title));
    setText(this.caption, text.localize(this.spec.caption));
    return false;
  }

  dispose(): void {
    // Nothing to free: no chart, no timer.
  }
}
