/**
 * The part every panel shares: the element the scene places, a title, a status line for "not
 * current" notes, the body the panel draws in, and the "Waiting for …" message shown instead of a
 * body while its device is unknown. All text goes through textContent (dom.ts).
 */
import type { PanelKind } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import type { Freshness } from '../freshness';

export class PanelFrame {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly waiting: HTMLElement;

  constructor(kind: PanelKind) {
    this.element = create('section', `panel panel--${kind}`);
    this.element.dataset['testid'] = 'panel';
    this.element.dataset['panelKind'] = kind;
    const header = create('header', 'panel__header', this.element);
    this.title = create('h2', 'panel__title', header);
    this.title.dataset['testid'] = 'panel-title';
    this.status = create('p', 'panel__status', header);
    this.status.dataset['testid'] = 'panel-status';
    this.body = create('div', 'panel__body', this.element);
    this.waiting = create('p', 'panel__waiting', this.element);
    this.waiting.dataset['testid'] = 'panel-waiting';
    this.showWaiting(null);
  }

  setTitle(text: string): void {
    setText(this.title, text);
  }

  /** Empty text hides the line (CSS :empty). */
  setStatus(text: string): void {
    setText(this.status, text);
  }

  /** Drives the dimming of values that are not current (panels.css). */
  setFreshness(freshness: Freshness | null): void {
    setData(this.element, 'freshness', freshness ?? '');
  }

  /**
   * The body stays laid out (only made invisible) while waiting, so a chart inside keeps its size
   * and draws at once when the device appears.
   */
  showWaiting(message: string | null): void {
    const waiting = message !== null;
    this.waiting.hidden = !waiting;
    setText(this.waiting, message ?? '');
    setData(this.element, 'waiting', String(waiting));
  }
}
