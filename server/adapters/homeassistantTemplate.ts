/**
 * The few Home Assistant `value_template` shapes that stock devices put in their discovery configs,
 * parsed by a tiny strict grammar and applied as data — never evaluated. Home Assistant renders
 * these with Jinja; running Jinja (or anything like it) on text from a booth's device would hand the
 * device a programming language on our server (SSTI: `{{ value.__class__ }}` and friends). So:
 *
 *   template := '{{' expr ( '|' filter )* '}}'          (spaces allowed between tokens, nothing outside)
 *   expr     := 'value' | 'value_json' accessor*
 *   accessor := '.' ident | '[' quoted ']' | '[' digits ']'
 *   ident    := [A-Za-z_][A-Za-z0-9_]*                    (not starting with '__')
 *   quoted   := '…' or "…" holding no quote, backslash, brace or control character
 *   filter   := 'float' | 'int' | 'round' [ '(' digits ')' ]
 *
 * `value_json['a']` is accepted beside `value_json.a` because both mean the same lookup and
 * generated configs use both; the key is still only a lookup of an own property of parsed JSON.
 * Anything else — `{% … %}`, other filters, arithmetic, calls, attributes of `value` — is refused
 * and the entity is not created (counted as template-refused).
 */

export interface ValueTemplate {
  source: 'value' | 'value_json';
  /** Own-property names or array indexes to walk from value_json. */
  path: (string | number)[];
  filters: TemplateFilter[];
}

export type TemplateFilter = { name: 'float' } | { name: 'int' } | { name: 'round'; digits: number };

export const MAX_TEMPLATE_LENGTH = 256;
const MAX_PATH = 8;
const MAX_FILTERS = 4;
const MAX_ROUND_DIGITS = 10;

export type ParsedTemplate = { ok: true; template: ValueTemplate } | { ok: false; detail: string };

class Cursor {
  position = 0;
  constructor(readonly text: string) {}
  skipSpaces(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position] ?? '')) this.position++;
  }
  eat(token: string): boolean {
    this.skipSpaces();
    if (this.text.startsWith(token, this.position)) {
      this.position += token.length;
      return true;
    }
    return false;
  }
  match(pattern: RegExp): string | null {
    this.skipSpaces();
    const sticky = new RegExp(pattern.source, 'y');
    sticky.lastIndex = this.position;
    const found = sticky.exec(this.text);
    if (!found) return null;
    this.position += found[0].length;
    return found[0];
  }
  get done(): boolean {
    this.skipSpaces();
    return this.position >= this.text.length;
  }
}

export function parseValueTemplate(text: string): ParsedTemplate {
  const refuse = (detail: string): ParsedTemplate => ({ ok: false, detail });
  if (text.length > MAX_TEMPLATE_LENGTH) return refuse(`longer than ${MAX_TEMPLATE_LENGTH} characters`);
  const cursor = new Cursor(text);
  if (!cursor.eat('{{')) return refuse('must be a single {{ … }} expression');
  const root = cursor.match(/value_json|value/);
  if (root !== 'value' && root !== 'value_json') return refuse('the expression must start with value or value_json');
  const template: ValueTemplate = { source: root, path: [], filters: [] };
  // `value_jsonx` must not parse as value_json followed by garbage; `value.x` must not be an attribute.
  if (root === 'value_json') {
    for (;;) {
      if (cursor.eat('.')) {
        const name = cursor.match(/[A-Za-z_][A-Za-z0-9_]*/);
        if (name === null) return refuse('expected a field name after "."');
        if (name.startsWith('__')) return refuse('names starting with __ are not looked up');
        template.path.push(name);
      } else if (cursor.eat('[')) {
        // eslint-disable-next-line no-control-regex -- control characters are refused inside quoted keys
        const key = cursor.match(/'[^'"\\{}\u0000-\u001f]*'|"[^'"\\{}\u0000-\u001f]*"|\d{1,6}/);
        if (key === null) return refuse('only a quoted key or an array index may stand inside [ ]');
        if (!cursor.eat(']')) return refuse('expected "]"');
        const unquoted = key.startsWith("'") || key.startsWith('"') ? key.slice(1, -1) : Number(key);
        if (typeof unquoted === 'string' && unquoted.startsWith('__')) return refuse('names starting with __ are not looked up');
        template.path.push(unquoted);
      } else {
        break;
      }
      if (template.path.length > MAX_PATH) return refuse(`at most ${MAX_PATH} steps into value_json`);
    }
  }
  while (cursor.eat('|')) {
    const name = cursor.match(/[A-Za-z_][A-Za-z0-9_]*/);
    if (name === 'float' || name === 'int') {
      template.filters.push({ name });
    } else if (name === 'round') {
      let digits = 0;
      if (cursor.eat('(')) {
        const written = cursor.match(/\d{1,2}/);
        if (written === null || !cursor.eat(')')) return refuse('round takes one whole number of digits, e.g. round(1)');
        digits = Number(written);
        if (digits > MAX_ROUND_DIGITS) return refuse(`round digits above ${MAX_ROUND_DIGITS}`);
      }
      template.filters.push({ name: 'round', digits });
    } else {
      return refuse(`filter ${JSON.stringify(name ?? '?')} is not one of float, int, round`);
    }
    if (template.filters.length > MAX_FILTERS) return refuse(`at most ${MAX_FILTERS} filters`);
  }
  if (!cursor.eat('}}')) return refuse('only value, value_json lookups and the filters float, int, round are understood');
  if (!cursor.done) return refuse('nothing may follow the closing }}');
  return { ok: true, template };
}

/** What a template made of one state payload: a value, nothing (missing key), or why not. */
export type TemplateOutput = { kind: 'value'; value: unknown } | { kind: 'missing' } | { kind: 'bad'; detail: string };

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number written as text, as Jinja's float filter reads it; null when it is not one. */
export function numberFromText(text: string): number | null {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return numberFromText(value);
  return null;
}

/**
 * Applies a parsed template. `json` is the payload parsed once per publish (undefined when it is not
 * JSON); the walk reads own properties only, so `constructor` or `__proto__` in a path finds nothing.
 */
export function applyValueTemplate(template: ValueTemplate, text: string, json: unknown): TemplateOutput {
  let current: unknown;
  if (template.source === 'value') {
    current = text;
  } else {
    if (json === undefined) return { kind: 'bad', detail: 'value_json used but the payload is not JSON' };
    current = json;
    for (const step of template.path) {
      if (typeof step === 'number') {
        if (!Array.isArray(current) || step >= current.length) return { kind: 'missing' };
        current = current[step] as unknown;
      } else {
        if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, step)) return { kind: 'missing' };
        current = (current as Record<string, unknown>)[step];
      }
    }
  }
  for (const filter of template.filters) {
    const number = asNumber(current);
    if (number === null) return { kind: 'bad', detail: `${filter.name}: ${describe(current)} is not a number` };
    if (filter.name === 'float') current = number;
    else if (filter.name === 'int') current = Math.trunc(number);
    else current = Number(number.toFixed(filter.digits));
  }
  return { kind: 'value', value: current };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value;
}
