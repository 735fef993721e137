/**
 * Elements kept per key across renders and put in the order given: a status grid of 200 devices,
 * a legend or an alarm list then changes text, not nodes, and only reorders when the order changed
 * (moving nodes re-lays out the whole list).
 */
import { create } from './dom';

export interface KeyedView {
  readonly element: HTMLElement;
}

/**
 * An element with a span per part, classed `${className}__${part}`: a status cell with name, state
 * and age, an alarm with device, metric and text. `data` is written as data attributes.
 */
export function createPartsView<P extends string>(
  tag: 'li' | 'div',
  className: string,
  data: Record<string, string>,
  parts: readonly P[],
): KeyedView & Record<P, HTMLElement> {
  const element = create(tag, className);
  for (const [name, value] of Object.entries(data)) element.dataset[name] = value;
  const spans = {} as Record<P, HTMLElement>;
  for (const part of parts) spans[part] = create('span', `${className}__${part}`, element);
  return { ...spans, element };
}

export class KeyedViews<T, V extends KeyedView> {
  private readonly views = new Map<string, V>();

  constructor(
    private readonly parent: HTMLElement,
    private readonly keyOf: (item: T) => string,
    /** Builds the element for an item seen for the first time; text is left to `update`. */
    private readonly createView: (item: T) => V,
  ) {}

  get size(): number {
    return this.views.size;
  }

  /** Returns true when the children of the parent changed (added, removed or reordered). */
  render(items: readonly T[], update: (view: V, item: T) => void): boolean {
    const wanted = new Set(items.map(this.keyOf));
    for (const [key, view] of this.views) {
      if (wanted.has(key)) continue;
      view.element.remove();
      this.views.delete(key);
    }
    const ordered = items.map((item) => {
      const key = this.keyOf(item);
      let view = this.views.get(key);
      if (!view) {
        view = this.createView(item);
        this.views.set(key, view);
      }
      update(view, item);
      return view.element;
    });
    const children = this.parent.children;
    if (children.length === ordered.length && ordered.every((element, index) => children[index] === element)) return false;
    this.parent.replaceChildren(...ordered);
    return true;
  }

  clear(): void {
    this.views.clear();
  }
}
