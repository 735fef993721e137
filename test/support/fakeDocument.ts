/**
 * Just enough of `document` for wall panels that build their elements with web/shared/dom.ts, so a
 * panel's logic (what it fetches, when it refits) can run under Node. Nothing is laid out: every
 * width is 0, as in a hidden element. Chromium tests (test/e2e) cover what a real page draws.
 */
export class FakeElement {
  className = '';
  textContent = '';
  hidden = false;
  readonly dataset: Record<string, string> = Object.create(null) as Record<string, string>;
  readonly attributes = new Map<string, string>();
  children: FakeElement[] = [];
  parent: FakeElement | null = null;
  readonly clientWidth = 0;
  readonly scrollWidth = 0;

  constructor(readonly tagName: string) {}

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  append(...nodes: FakeElement[]): void {
    for (const node of nodes) {
      node.remove();
      node.parent = this;
      this.children.push(node);
    }
  }

  replaceChildren(...nodes: FakeElement[]): void {
    for (const child of this.children) child.parent = null;
    this.children = [];
    this.append(...nodes);
  }

  remove(): void {
    if (!this.parent) return;
    this.parent.children = this.parent.children.filter((child) => child !== this);
    this.parent = null;
  }

  /** Every element under this one with `data-<name>` equal to `value`, depth first. */
  findAll(name: string, value: string): FakeElement[] {
    const found: FakeElement[] = [];
    for (const child of this.children) {
      if (child.dataset[name] === value) found.push(child);
      found.push(...child.findAll(name, value));
    }
    return found;
  }
}

/** Installs the fake as the global `document`; returns the undo. */
export function installFakeDocument(): () => void {
  const holder = globalThis as { document?: unknown };
  const before = holder.document;
  holder.document = { createElement: (tag: string) => new FakeElement(tag) };
  return () => {
    holder.document = before;
  };
}
