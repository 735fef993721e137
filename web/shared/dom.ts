/**
 * The only ways the wall and the console write to the DOM. Device-supplied text goes through textContent and
 * dataset, never innerHTML, so a device named `<img onerror=…>` is shown, not run.
 */
export function create<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent?: HTMLElement): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  parent?.append(element);
  return element;
}

/** Skips identical writes: most renders change nothing but an age or a number. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function setData(element: HTMLElement, name: string, value: string): void {
  if (element.dataset[name] !== value) element.dataset[name] = value;
}
