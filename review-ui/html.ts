// Server-side HTML with escaping by default: every interpolated value is escaped unless it
// is itself an `Html` made by this tag (or `raw`, used only for trusted constant markup).
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
const SPECIAL = /[&<>"'`]/;
export function escapeHtml(s: string): string {
  // Most values have nothing to escape: a test is cheaper than a replace that finds nothing.
  return SPECIAL.test(s) ? s.replace(/[&<>"'`]/g, (c) => ESC[c]!) : s;
}

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (typeof v === 'string') return escapeHtml(v);
  // A number's text is digits, sign, point, exponent, Infinity or NaN: nothing to escape.
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) {
    let out = '';
    for (const x of v) out += render(x);
    return out;
  }
  return escapeHtml(String(v));
}

/**
 * The one way data becomes an `href`, `src` or `action`: http(s) URLs and relative paths pass;
 * `javascript:`, `data:`, protocol-relative `//host` and anything unparsable give undefined.
 * `test/review-ui/safe-url.test.ts` fails when a template starts such an attribute with data
 * that did not come through here.
 */
export function safeUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || !url) return undefined;
  // What a browser reads: tabs and line breaks dropped anywhere, controls and spaces dropped in front.
  // eslint-disable-next-line no-control-regex
  const seen = url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  if (/^[/\\][/\\]/.test(seen)) return undefined;
  // No scheme: a path relative to this page or site ("about", "./x", "/queue", "?page=2", "#main").
  if (!/^[a-z][a-z0-9+.-]*:/i.test(seen)) return url;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Literal text that ends where a URL attribute's value starts: `href="`, `src='`, `action=`. */
const URL_ATTR_START = /\s(?:href|src|action|formaction|poster|xlink:href)\s*=\s*["']?$/i;
const urlSlots = new WeakMap<TemplateStringsArray, boolean[]>();

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let slots = urlSlots.get(strings);
  if (!slots) urlSlots.set(strings, (slots = strings.slice(0, -1).map((s) => URL_ATTR_START.test(s))));
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // A second line of defence behind the test: data that starts a URL attribute and is not a
    // safe URL renders as a link to nowhere rather than as script.
    const value = slots[i] && typeof v === 'string' && !safeUrl(v) ? '#' : v;
    out += render(value) + strings[i + 1]!;
  }
  return new Html(out);
}

/** Trusted markup only (constants in our own code), never data. */
export function raw(s: string): Html {
  return new Html(s);
}

/**
 * A table's header row. Strings are escaped text, `Html` is kept as markup, '' is an empty
 * header cell, and false/null/undefined leave the column out (a column shown only sometimes).
 */
export function thead(...labels: (Html | string | false | null | undefined)[]): Html {
  const cells = labels.filter((l) => l !== false && l !== null && l !== undefined);
  return html`<thead>
    <tr>
      ${cells.map((l) => html`<th>${l}</th>`)}
    </tr>
  </thead>`;
}
