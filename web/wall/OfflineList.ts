/**
 * Offline devices as a compact list of names under a heading ("Offline (28)"): a device that is
 * gone has no reading worth a tile, and 28 of them as tiles would squeeze the live ones until
 * nothing reads from 5 m. Names are fitted like tile names (nameShortening.ts). Which devices are
 * offline is the one presence rule (freshness.ts), so the list agrees with the console.
 */
import { create, setText } from '../shared/dom';
import { fitName, type MeasureText } from './nameShortening';

export interface OfflineEntry {
  readonly key: string;
  readonly name: string;
  readonly sharedPrefix: number;
}

export class OfflineList {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly list: HTMLElement;
  private readonly items = new Map<string, HTMLElement>();

  constructor(parent: HTMLElement) {
    this.element = create('section', 'offline-list', parent);
    this.element.dataset['testid'] = 'offline-list';
    this.element.hidden = true;
    this.title = create('h3', 'offline-list__title', this.element);
    this.list = create('ul', 'offline-list__names', this.element);
  }

  /** `entries` are those of this page; `total` all offline devices of the panel. */
  render(entries: readonly OfflineEntry[], title: string, columns: number, cellWidth: number, measure: MeasureText): void {
    this.element.hidden = entries.length === 0;
    setText(this.title, title);
    this.list.style.setProperty('--columns', String(columns));
    const wanted = new Set(entries.map((e) => e.key));
    for (const [key, item] of this.items) {
      if (wanted.has(key)) continue;
      item.remove();
      this.items.delete(key);
    }
    const ordered = entries.map((entry) => {
      let item = this.items.get(entry.key);
      if (!item) {
        item = create('li', 'offline-list__name');
        item.dataset['testid'] = 'offline-device';
        item.dataset['key'] = entry.key;
        this.items.set(entry.key, item);
      }
      item.dataset['fullName'] = entry.name;
      setText(item, fitName(entry.name, entry.sharedPrefix, cellWidth, measure));
      return item;
    });
    const current = [...this.list.children];
    if (current.length !== ordered.length || ordered.some((item, i) => current[i] !== item)) this.list.replaceChildren(...ordered);
  }

  clear(): void {
    this.items.clear();
    this.element.remove();
  }
}
