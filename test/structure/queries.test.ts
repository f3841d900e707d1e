// The database rules, read from the source so they stay true: one query function and one row type
// per name across db/queries (a second `findX` with other arguments or scoping, or a second
// `StepRow` with other columns, is how callers pick the wrong one),
// and no SQL outside db/ (Salesforce's SOQL included: it lives in db/soql/, and crm/ holds not a fragment of it).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Not application code: tests and benchmarks seed and inspect tables directly. */
const SKIP = new Set(['node_modules', 'test', 'bench', 'docs', '.git', '.prospector', 'db']);

function sources(dir: string, skip: Set<string>): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return skip.has(e.name) ? [] : sources(rel, skip);
    return e.name.endsWith('.ts') ? [path.normalize(rel)] : [];
  });
}
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
/** The code without its comments (a comment may describe a statement). */
const code = (f: string) =>
  read(f)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

const QUERY_MODULES = sources('db/queries', new Set());
const exported = QUERY_MODULES.flatMap((file) =>
  [...read(file).matchAll(/^export (?:async )?(?:const|function|interface|type) (\w+)/gm)].map((m) => ({
    name: m[1]!,
    file,
  })),
);
const SQL =
  /\b(?:SELECT\s[\s\S]{0,300}?\bFROM\s|SELECT\s+pg_\w+\(|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)/;
/** What SQL misses of SOQL, looked for in crm/: a clause keyword, or a field compared with an interpolated value. */
const SOQL_PART = /\b(?:WHERE|ORDER BY|LIMIT)\s|\b[A-Z]\w* (?:[<>!]?=|[<>]|LIKE|IN \() ?\$\{/;

describe('database rules', () => {
  it('reads the tree (the rules below are not vacuous)', () => {
    expect(exported.length).toBeGreaterThan(300);
    expect(SQL.test(code('db/queries/signal-sources.ts'))).toBe(true);
    expect(SQL.test(code('db/soql/salesforce.ts'))).toBe(true);
    expect(SOQL_PART.test('`LastModifiedDate >= ${since}`') && SOQL_PART.test('` WHERE ${where}`')).toBe(true);
  });

  it('no two db/queries modules export the same name', () => {
    const files = new Map<string, string[]>();
    for (const e of exported) files.set(e.name, [...(files.get(e.name) ?? []), e.file]);
    expect([...files].filter(([, fs]) => fs.length > 1).map(([n, fs]) => `${n}: ${fs.join(', ')}`)).toEqual([]);
  });

  it('no SQL outside db/', () => {
    const bad = sources('.', SKIP).filter((f) => SQL.test(code(f)));
    expect(bad).toEqual([]);
  });

  it('no SOQL in crm/, not even a WHERE fragment', () => {
    const bad = sources('crm', SKIP).filter((f) => SQL.test(code(f)) || SOQL_PART.test(code(f)));
    expect(bad).toEqual([]);
  });
});
