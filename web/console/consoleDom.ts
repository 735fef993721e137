/**
 * DOM pieces the console's views share, on top of the pages' shared create/setText/setData (web/shared/dom.ts):
 * text only ever goes in through textContent.
 */
import { create, setData, setText } from '../shared/dom';
import type { Badge } from './format';

export function testId<T extends HTMLElement>(element: T, id: string): T {
  element.dataset['testid'] = id;
  return element;
}

export function button(parent: HTMLElement, className: string, label: string, id?: string): HTMLButtonElement {
  const element = create('button', `button ${className}`.trim(), parent);
  element.type = 'button';
  element.textContent = label;
  if (id !== undefined) testId(element, id);
  return element;
}

export function heading(parent: HTMLElement, level: 'h2' | 'h3', text: string): HTMLElement {
  const element = create(level, 'heading', parent);
  element.textContent = text;
  return element;
}

/** A card: a titled box of the console's panels. */
export function card(parent: HTMLElement, title: string, id?: string): HTMLElement {
  const element = create('section', 'card', parent);
  if (id !== undefined) testId(element, id);
  heading(element, 'h3', title);
  return element;
}

/**
 * A labelled list of facts; returns the value element per key, for setText. Each value is
 * `data-testid="{scope}-{key}"`: views stay in the page while hidden, so ids must differ between them.
 */
export function factList<K extends string>(parent: HTMLElement, scope: string, facts: readonly (readonly [K, string])[]): Record<K, HTMLElement> {
  const list = create('dl', 'facts', parent);
  const values = {} as Record<K, HTMLElement>;
  for (const [key, label] of facts) {
    const row = create('div', 'facts__row', list);
    setText(create('dt', 'facts__label', row), label);
    values[key] = testId(create('dd', 'facts__value', row), `${scope}-${key}`);
  }
  return values;
}

/** An icon and a word, coloured by its tone (`data-tone` in CSS); the word carries the meaning. */
export function badge(parent: HTMLElement, className: string): { element: HTMLElement; set: (value: string, badge: Badge) => void } {
  const element = create('span', className, parent);
  const icon = create('span', `${className}__icon`, element);
  icon.setAttribute('aria-hidden', 'true');
  const word = create('span', `${className}__word`, element);
  return {
    element,
    set: (value, { icon: shape, word: text, tone }) => {
      setData(element, 'value', value);
      setData(element, 'tone', tone);
      setText(icon, shape);
      setText(word, text);
    },
  };
}

/**
 * Rebuilds a short list (bounded by the server: payloads, timeline, rejections) only when what it
 * shows changed: `signature` is compared with the last render's.
 */
export function renderList<T>(
  list: HTMLElement,
  items: readonly T[],
  signature: (item: T) => string,
  build: (item: T, parent: HTMLElement) => void,
  emptyText: string,
): void {
  const key = items.map(signature).join('\n');
  if (list.dataset['signature'] === key && list.childElementCount > 0) return;
  list.dataset['signature'] = key;
  list.replaceChildren();
  if (items.length === 0) {
    setText(create('li', 'list__empty', list), emptyText);
    return;
  }
  for (const item of items) build(item, list);
  setData(list, 'count', String(items.length));
}
