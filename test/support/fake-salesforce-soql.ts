// The SOQL the fake Salesforce understands: SELECT fields FROM Object [WHERE cond] [ORDER BY f [ASC|DESC], …]
// [LIMIT n]. Conditions: field = != <> < <= > >= value, LIKE 'x%', IN (…), NOT IN (…), AND, OR, NOT, parentheses.
// Values: 'strings' (backslash escapes), numbers, true/false/null, datetimes (2026-11-30T21:00:00Z or
// +hh:mm offsets) and dates. An unknown field is INVALID_FIELD, anything else unparsable MALFORMED_QUERY,
// as Salesforce answers. Written apart from the provider's own filter check (db/soql/salesforce.ts)
// so a test never checks that code against itself.

export type SfValue = string | number | boolean | null;
export type SfRecord = Record<string, SfValue>;

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Tok = { t: 'id' | 'str' | 'num' | 'dt' | 'op' | 'punct'; v: string };

const TOKEN = new RegExp(
  [
    String.raw`(?<ws>\s+)`,
    String.raw`(?<dt>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))?)`,
    String.raw`(?<num>-?\d+(?:\.\d+)?)`,
    String.raw`(?<str>'(?:[^'\\]|\\.)*')`,
    String.raw`(?<id>[A-Za-z_][\w.]*)`,
    String.raw`(?<op><=|>=|!=|<>|=|<|>)`,
    String.raw`(?<punct>[(),])`,
  ].join('|'),
  'y',
);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m?.groups) throw new SoqlError('MALFORMED_QUERY', `unexpected token at ${at}: ${src.slice(at, at + 20)}`);
    const [kind, v] = Object.entries(m.groups).find(([, x]) => x !== undefined)!;
    if (kind === 'ws') continue;
    out.push({ t: kind as Tok['t'], v: v! });
  }
  return out;
}

const unquote = (s: string) => s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);

type Cond = (r: SfRecord) => boolean;

interface ParsedQuery {
  object: string;
  fields: string[];
  where: Cond;
  order: { field: string; desc: boolean }[];
  limit: number | null;
}

/** `fieldsOf(object)` lists the object's fields (undefined: no such object). */
export function parseSoql(src: string, fieldsOf: (object: string) => string[] | undefined): ParsedQuery {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const kw = (word: string) => peek()?.t === 'id' && peek()!.v.toUpperCase() === word;
  const take = () => {
    const t = toks[i++];
    if (!t) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query');
    return t;
  };
  const expectKw = (word: string) => {
    if (!kw(word)) throw new SoqlError('MALFORMED_QUERY', `expecting '${word}', found '${peek()?.v ?? 'end'}'`);
    i++;
  };
  const expectPunct = (p: string) => {
    const t = take();
    if (t.v !== p) throw new SoqlError('MALFORMED_QUERY', `expecting '${p}', found '${t.v}'`);
  };

  expectKw('SELECT');
  const selected: string[] = [];
  do {
    const t = take();
    if (t.t !== 'id') throw new SoqlError('MALFORMED_QUERY', `unexpected '${t.v}' in field list`);
    selected.push(t.v);
  } while (peek()?.v === ',' && take());
  expectKw('FROM');
  const object = take().v;
  const known = fieldsOf(object);
  if (!known) throw new SoqlError('INVALID_TYPE', `sObject type '${object}' is not supported.`);
  const field = (name: string) => {
    const f = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!f) throw new SoqlError('INVALID_FIELD', `No such column '${name}' on entity '${object}'.`);
    return f;
  };
  const fields = selected.map(field);

  const value = (): SfValue => {
    const t = take();
    if (t.t === 'str') return unquote(t.v);
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'dt') return t.v;
    if (t.t === 'id' && /^(true|false)$/i.test(t.v)) return t.v.toLowerCase() === 'true';
    if (t.t === 'id' && /^null$/i.test(t.v)) return null;
    throw new SoqlError('MALFORMED_QUERY', `unexpected '${t.v}' where a value belongs`);
  };
  const compare = (a: SfValue, b: SfValue): number => {
    if (typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(b)) {
      return Date.parse(a.replace(/\+0000$/, 'Z')) - Date.parse(b);
    }
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).toLowerCase().localeCompare(String(b).toLowerCase());
  };
  const like = (a: SfValue, pattern: string) => {
    const re = pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.');
    return a !== null && new RegExp(`^${re}$`, 'is').test(String(a));
  };

  const comparison = (): Cond => {
    if (peek()?.v === '(') {
      take();
      const c = orExpr();
      expectPunct(')');
      return c;
    }
    if (kw('NOT')) {
      take();
      const c = comparison();
      return (r) => !c(r);
    }
    const f = field(take().v);
    if (kw('NOT') || kw('IN')) {
      const negate = kw('NOT') && take() !== undefined;
      expectKw('IN');
      expectPunct('(');
      const list: SfValue[] = [value()];
      while (peek()?.v === ',') list.push((take(), value()));
      expectPunct(')');
      return (r) => list.some((v) => r[f] !== null && compare(r[f] ?? null, v) === 0) !== negate;
    }
    if (kw('LIKE')) {
      take();
      const p = value();
      return (r) => like(r[f] ?? null, String(p));
    }
    const op = take();
    if (op.t !== 'op') throw new SoqlError('MALFORMED_QUERY', `unexpected '${op.v}' after ${f}`);
    const v = value();
    return (r) => {
      const a = r[f] ?? null;
      if (v === null || a === null) return op.v === '=' ? a === v : op.v === '!=' || op.v === '<>' ? a !== v : false;
      const d = compare(a, v);
      return { '=': d === 0, '!=': d !== 0, '<>': d !== 0, '<': d < 0, '<=': d <= 0, '>': d > 0, '>=': d >= 0 }[op.v]!;
    };
  };
  const andExpr = (): Cond => {
    let c = comparison();
    while (kw('AND')) {
      take();
      const l = c;
      const r = comparison();
      c = (x) => l(x) && r(x);
    }
    return c;
  };
  const orExpr = (): Cond => {
    let c = andExpr();
    while (kw('OR')) {
      take();
      const l = c;
      const r = andExpr();
      c = (x) => l(x) || r(x);
    }
    return c;
  };

  let where: Cond = () => true;
  if (kw('WHERE')) {
    take();
    where = orExpr();
  }
  const order: ParsedQuery['order'] = [];
  if (kw('ORDER')) {
    take();
    expectKw('BY');
    do {
      const f = field(take().v);
      const desc = kw('DESC');
      if (kw('ASC') || kw('DESC')) take();
      order.push({ field: f, desc });
    } while (peek()?.v === ',' && take());
  }
  let limit: number | null = null;
  if (kw('LIMIT')) {
    take();
    limit = Number(take().v);
  }
  if (i < toks.length) throw new SoqlError('MALFORMED_QUERY', `unexpected '${toks[i]!.v}' after the query`);
  return { object, fields, where, order, limit };
}

/** Runs a parsed query over the records (already filtered for IsDeleted by the caller). */
export function runSoql(q: ParsedQuery, records: SfRecord[]): SfRecord[] {
  const rows = records.filter(q.where);
  rows.sort((a, b) => {
    for (const o of q.order) {
      const x = a[o.field] ?? '';
      const y = b[o.field] ?? '';
      const d = x < y ? -1 : x > y ? 1 : 0;
      if (d !== 0) return o.desc ? -d : d;
    }
    return 0;
  });
  return q.limit === null ? rows : rows.slice(0, q.limit);
}
