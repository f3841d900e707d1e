// All the SOQL we send to Salesforce: the queries the provider reads with, and the RevOps target
// filter for Accounts, made safe to put in a WHERE clause. Pure: no I/O, tested on its own.
//
// RevOps types a where-fragment (`Type = 'Prospect' AND Industry IN ('Software', 'Fintech')`) or names a
// checkbox field (`Target__c`). What they type is parsed against a whitelist — field comparisons joined by
// AND/OR/NOT with parentheses, values that are quoted strings, numbers, true/false/null, ISO dates or the
// named date literals — and the clause we send is rebuilt from the parsed pieces, strings escaped again.
// A subquery, a semicolon, LIMIT/ORDER BY, a function call, an unbalanced quote or parenthesis, or
// anything else is refused with the reason, so a filter can narrow which Accounts we read and nothing else.

const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'] as const;
const DATE_LITERAL = new RegExp(
  [
    '^(YESTERDAY|TODAY|TOMORROW|(LAST|THIS|NEXT)_(WEEK|MONTH|QUARTER|YEAR|FISCAL_QUARTER|FISCAL_YEAR)',
    '|LAST_90_DAYS|NEXT_90_DAYS',
    '|(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS|FISCAL_QUARTERS|FISCAL_YEARS):\\d{1,4})$',
  ].join(''),
  'i',
);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}))?$/;
const MAX_LENGTH = 2000;
const MAX_COMPARISONS = 30;

export class SoqlFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoqlFilterError';
  }
}

type Tok = { kind: 'word' | 'string' | 'op' | 'open' | 'close' | 'comma'; text: string };

const escapeString = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** A SOQL string literal: quoted, backslashes and quotes escaped (also used for e-mail addresses). */
export const soqlString = (s: string) => `'${escapeString(s)}'`;

/** A field name we may put in a query (standard or custom, no relationship paths). */
export function checkFieldName(name: string): string {
  if (!FIELD.test(name)) throw new SoqlFilterError(`“${name.slice(0, 80)}” is not a Salesforce field name`);
  return name;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      for (; j < src.length && src[j] !== "'"; j++) {
        if (src[j] === '\\') {
          const e = src[++j];
          if (e === undefined || !`'"\\nrtbf_%`.includes(e))
            throw new SoqlFilterError(`a bad escape in a string at ${j}`);
          value += { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }[e] ?? (e === '_' || e === '%' ? `\\${e}` : e);
        } else value += src[j];
      }
      if (j >= src.length) throw new SoqlFilterError('a string is not closed (a quote is missing)');
      out.push({ kind: 'string', text: value });
      i = j + 1;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : 'comma', text: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = src.slice(i, i + 2);
      const op = ['!=', '<=', '>=', '<>'].includes(two) ? two : c;
      if (op === '!') throw new SoqlFilterError(`unexpected “!” at ${i}`);
      out.push({ kind: 'op', text: op === '<>' ? '!=' : op });
      i += op.length;
    } else {
      const m = /^[A-Za-z0-9_.:+-]+/.exec(src.slice(i));
      if (!m) throw new SoqlFilterError(`“${c}” is not allowed in a filter`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/**
 * Parses `where` and returns the clause to send, rebuilt from its parts.
 * Throws SoqlFilterError (its message says what was refused) for anything outside the whitelist.
 */
export function safeWhereClause(where: string): string {
  if (where.length > MAX_LENGTH) throw new SoqlFilterError(`the filter is longer than ${MAX_LENGTH} characters`);
  const toks = tokenize(where);
  if (toks.length === 0) throw new SoqlFilterError('the filter is empty');
  let i = 0;
  let comparisons = 0;
  const peek = () => toks[i];
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === w;
  const next = (what: string) => {
    const t = toks[i++];
    if (!t) throw new SoqlFilterError(`the filter ends where ${what} was expected`);
    return t;
  };

  const value = (): string => {
    const t = next('a value');
    if (t.kind === 'string') return soqlString(t.text).replace(/\\\\([_%])/g, '\\$1');
    if (t.kind !== 'word') throw new SoqlFilterError(`“${t.text}” is not a value`);
    if (/^-?\d+(\.\d+)?$/.test(t.text)) return t.text;
    if (/^(true|false|null)$/i.test(t.text)) return t.text.toLowerCase();
    if (ISO_DATE.test(t.text) || DATE_LITERAL.test(t.text)) return t.text.toUpperCase();
    throw new SoqlFilterError(`“${t.text.slice(0, 40)}” is not a value (quote text as 'text')`);
  };

  const comparison = (): string => {
    if (peek()?.kind === 'open') {
      i++;
      const inner = orExpr();
      if (next('“)”').kind !== 'close') throw new SoqlFilterError('a parenthesis is not closed');
      return `(${inner})`;
    }
    if (isWord('NOT')) {
      i++;
      return `NOT ${comparison()}`;
    }
    const f = next('a field name');
    if (f.kind !== 'word' || !FIELD.test(f.text) || /^(SELECT|FROM|WHERE|LIMIT|ORDER|AND|OR)$/i.test(f.text)) {
      throw new SoqlFilterError(`“${f.text.slice(0, 40)}” is not a field name (field comparisons only)`);
    }
    if (++comparisons > MAX_COMPARISONS) throw new SoqlFilterError(`more than ${MAX_COMPARISONS} comparisons`);
    let op = next('an operator');
    let opText = op.kind === 'op' ? op.text : op.text.toUpperCase();
    if (opText === 'NOT') {
      op = next('IN');
      opText = `NOT ${op.text.toUpperCase()}`;
    }
    if (!(OPERATORS as readonly string[]).includes(opText)) {
      throw new SoqlFilterError(`“${opText.slice(0, 20)}” is not an allowed operator (${OPERATORS.join(', ')})`);
    }
    if (['IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'].includes(opText)) {
      if (next('“(”').kind !== 'open') throw new SoqlFilterError(`${opText} takes a list in parentheses`);
      const items = [value()];
      while (peek()?.kind === 'comma') items.push((i++, value()));
      if (next('“)”').kind !== 'close') throw new SoqlFilterError(`the list after ${opText} is not closed`);
      return `${f.text} ${opText} (${items.join(', ')})`;
    }
    return `${f.text} ${opText} ${value()}`;
  };
  const andExpr = (): string => {
    const parts = [comparison()];
    while (isWord('AND')) parts.push((i++, comparison()));
    return parts.join(' AND ');
  };
  const orExpr = (): string => {
    const parts = [andExpr()];
    while (isWord('OR')) parts.push((i++, andExpr()));
    return parts.join(' OR ');
  };

  const clause = orExpr();
  if (i < toks.length) throw new SoqlFilterError(`“${toks[i]!.text.slice(0, 40)}” after the filter is not allowed`);
  return clause;
}

/** A checkbox (or any field) equal to a value: `Target__c` → `Target__c = true`. */
export function fieldEqualsClause(field: string, value: string | undefined): string {
  checkFieldName(field);
  const v = (value ?? 'true').trim();
  if (/^(true|false)$/i.test(v)) return `${field} = ${v.toLowerCase()}`;
  if (/^-?\d+(\.\d+)?$/.test(v)) return `${field} = ${v}`;
  return `${field} = ${soqlString(v)}`;
}

/** The RevOps target filter as data: a SOQL where-clause, or a field equal to a value (crm/ picks which). */
export interface SoqlTargetFilter {
  type: 'where' | 'property';
  property?: string;
  value?: string;
}

/** The SOQL fragment for the RevOps target filter; SoqlFilterError with the reason when refused. */
export function targetWhere(filter: SoqlTargetFilter): string {
  if (filter.type === 'where') return safeWhereClause(filter.value ?? '');
  return fieldEqualsClause(filter.property ?? '', filter.value);
}

/** SOQL datetime literal, to the second (SOQL takes no fractions; reading one second early is harmless). */
const soqlDateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The WHERE part of a read from `since` (none when absent). */
export const modifiedSince = (since: Date | undefined) => (since ? [`LastModifiedDate >= ${soqlDateTime(since)}`] : []);

/**
 * SELECT … FROM object [WHERE …] ORDER BY LastModifiedDate, Id. `extraFields` are the mapping's names,
 * checked to be plain field names; `where` parts are already safe (built here).
 */
export function selectSoql(object: string, base: string[], extraFields: string[], where: string[]): string {
  const fields = [...new Set([...base, ...extraFields.filter(Boolean).map(checkFieldName)])];
  const clause = where.length ? ` WHERE ${where.map((w) => `(${w})`).join(' AND ')}` : '';
  return `SELECT ${fields.join(', ')} FROM ${object}${clause} ORDER BY LastModifiedDate, Id`;
}

/** Records deleted or merged away since a time (read with queryAll). */
export const removedSoql = (sobject: string, since: Date) =>
  `SELECT Id, MasterRecordId FROM ${sobject} WHERE IsDeleted = true` +
  ` AND LastModifiedDate >= ${soqlDateTime(since)}`;

export const OWNERS_SOQL = 'SELECT Id, Email, Name FROM User';

/** Tasks/Events on these contacts created since a time, with the Description our marker is in. */
export const activitiesSoql = (sobject: 'Task' | 'Event', whoIds: string[], since: Date) =>
  `SELECT Id, Description FROM ${sobject} WHERE WhoId IN (${whoIds.map(soqlString).join(', ')})` +
  ` AND CreatedDate >= ${soqlDateTime(since)}`;

/** The Contacts with this address not opted out yet. */
export const optedInContactsSoql = (email: string) =>
  `SELECT Id FROM Contact WHERE Email = ${soqlString(email)} AND HasOptedOutOfEmail = false`;

/** The oldest Contact with this address. */
export const contactByEmailSoql = (email: string) =>
  `SELECT Id FROM Contact WHERE Email = ${soqlString(email)} ORDER BY CreatedDate, Id LIMIT 1`;
