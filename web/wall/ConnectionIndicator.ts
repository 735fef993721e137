/** Shows ConnectionStatus in the header; `data-state` is for styling and for end-to-end tests. */
import type { ConnectionView } from './connectionStatus';

export class ConnectionIndicator {
  private readonly label: HTMLElement;
  private readonly detail: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    this.label = requireChild(root, '.connection__label');
    this.detail = requireChild(root, '.connection__detail');
  }

  render(view: ConnectionView): void {
    if (this.root.dataset['state'] !== view.level) this.root.dataset['state'] = view.level;
    if (this.label.textContent !== view.text) this.label.textContent = view.text;
    if (this.detail.textContent !== view.detail) this.detail.textContent = view.detail;
  }
}

function requireChild(root: HTMLElement, selector: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`connection indicator is missing ${selector}`);
  return found;
}
