/**
 * Device names that fit their box without losing what tells devices apart. Booths name devices
 * in series ("Environment sensor 1", "Environment sensor 2", …): cutting the end, as an ellipsis
 * does, leaves identical stubs exactly where a technician looks for the broken one. So the part a
 * name shares with the other names on the wall goes first, from its start ("…sensor 12"); a name
 * that shares nothing loses its middle ("Charging…west"); the end is the last thing cut. Pure:
 * widths come from a `measure` function (canvas text metrics in the page, a stub in tests).
 */

export type MeasureText = (text: string) => number;

const ELLIPSIS = '…';

/**
 * For every name, how many of its leading characters it shares with some other name, cut back to
 * a word boundary (or to a character for names written without spaces, as Chinese ones are). The
 * last word is never counted as shared, so every name keeps something of its own to show.
 */
export function sharedPrefixLengths(names: readonly string[]): number[] {
  const order = names.map((name, index) => ({ name, index })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lengths = new Array<number>(names.length).fill(0);
  order.forEach(({ name, index }, position) => {
    // In sorted order the longest prefix shared with any name is shared with a neighbour.
    const before = order[position - 1]?.name;
    const after = order[position + 1]?.name;
    const raw = Math.max(before === undefined ? 0 : commonLength(name, before), after === undefined ? 0 : commonLength(name, after));
    lengths[index] = toBoundary(name, raw);
  });
  return lengths;
}

/**
 * `name` as it fits `maxWidth`: whole if it can; else the shared prefix replaced from its start
 * by "…", keeping as many of its last words as fit; else the middle of the name cut, keeping its
 * end whole. Returns "" only when not even "…" fits.
 */
export function fitName(name: string, sharedPrefix: number, maxWidth: number, measure: MeasureText): string {
  if (measure(name) <= maxWidth) return name;
  const own = name.slice(sharedPrefix);
  const shared = name.slice(0, sharedPrefix);
  if (sharedPrefix > 0) {
    // Whole words of the shared part, from its end, before the part that is the device's own.
    const words = shared.match(/\S+\s*/g) ?? [];
    for (let keep = words.length - 1; keep >= 0; keep--) {
      const candidate = `${ELLIPSIS}${words.slice(words.length - keep).join('')}${own}`;
      if (measure(candidate) <= maxWidth) return candidate;
    }
  }
  return cutMiddle(own.trim() === '' ? name : own, maxWidth, measure, sharedPrefix > 0);
}

/** Keeps the start and the end (the last word whole when it fits), drops characters in between. */
function cutMiddle(text: string, maxWidth: number, measure: MeasureText, leadingEllipsis: boolean): string {
  const chars = [...text];
  const lead = leadingEllipsis ? ELLIPSIS : '';
  const lastSpace = text.trimEnd().lastIndexOf(' ');
  const tailLength = lastSpace > 0 ? [...text.slice(lastSpace + 1)].length : Math.ceil(chars.length / 2);
  for (let tail = tailLength; tail >= 1; tail--) {
    for (let head = chars.length - tail - 1; head >= 0; head--) {
      const candidate = `${lead}${chars.slice(0, head).join('').trimEnd()}${ELLIPSIS}${chars.slice(chars.length - tail).join('')}`;
      if (measure(candidate) <= maxWidth) return candidate;
    }
  }
  return measure(ELLIPSIS) <= maxWidth ? ELLIPSIS : '';
}

function commonLength(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let n = 0;
  while (n < limit && a[n] === b[n]) n++;
  return n;
}

/** Back to the start of the word the shared part ends in, never into the name's last word. */
function toBoundary(name: string, length: number): number {
  if (length <= 0) return 0;
  const trimmed = name.trimEnd();
  const lastWordStart = trimmed.lastIndexOf(' ') + 1;
  // One word, or a name written without spaces ("环境传感器3"): share characters, keep at least one.
  if (lastWordStart === 0) return Math.max(0, Math.min(length, trimmed.length - 1));
  if (length >= lastWordStart) return lastWordStart;
  if (name[length - 1] === ' ') return length;
  const space = name.lastIndexOf(' ', length - 1);
  return space < 0 ? 0 : space + 1;
}

/** Text width in the page, cached per font and string: names are measured on every layout. */
export function canvasMeasure(font: string): MeasureText {
  const context = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  return (text) => {
    let width = cache.get(text);
    if (width === undefined) {
      if (!context) return text.length * 16;
      context.font = font;
      width = context.measureText(text).width;
      // Bounded: the names and labels of one page, not a growing history.
      if (cache.size > 2000) cache.clear();
      cache.set(text, width);
    }
    return width;
  };
}
