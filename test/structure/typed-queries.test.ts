// Queries carry their row type (db/types.ts `Sql<Row>`), read from the source so it stays true:
// no call site outside test/ asserts a row type (`one<T>(…)`, `run<T>(…)`: the query says what it
// returns), and no `Record<string, any>` (a real type, or `unknown` and a check).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', 'test', 'docs', '.git', '.prospector']);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [path.normalize(rel)] : [];
  });
}

const FILES = sources('.');
/** Call sites allowed to assert, per file (the count must match exactly): none today. */
const ALLOWED: Record<string, number> = {};
/** `one<`/`run<` as a call of db/types.ts's functions: not their declarations, not a method (`x.run<T>`). */
const ASSERTED = /(?<![.\w]|function\s|async\s)\b(?:one|run)<(?=[A-Za-z_{[(])/g;
const ANY_RECORD = /Record<\s*string\s*,\s*any\s*>/g;

function hits(re: RegExp): string[] {
  return FILES.flatMap((f) => {
    const text = readFileSync(path.join(ROOT, f), 'utf8');
    return [...text.matchAll(re)].map((m) => `${f}:${text.slice(0, m.index).split('\n').length}`);
  });
}

describe('typed queries', () => {
  it('reads the tree (the rules below are not vacuous)', () => {
    expect(FILES).toContain(path.normalize('db/types.ts'));
    expect(FILES.length).toBeGreaterThan(300);
    expect('await one<{ id: number }>(db, q)'.match(ASSERTED)).toHaveLength(1);
    expect('export function run<Row>(db: Queryable, sql: Sql<Row>)'.match(ASSERTED)).toBeNull();
  });

  it('no call site asserts a row type with one<T> or run<T> (the allow-list aside)', () => {
    const perFile: Record<string, string[]> = {};
    for (const h of hits(ASSERTED)) (perFile[h.split(':')[0]!] ??= []).push(h);
    const bad = Object.entries(perFile).filter(([f, hs]) => hs.length !== ALLOWED[f]);
    expect(bad.flatMap(([, hs]) => hs)).toEqual([]);
    expect(Object.keys(ALLOWED).filter((f) => !perFile[f])).toEqual([]);
  });

  it('no Record<string, any>', () => {
    expect(hits(ANY_RECORD)).toEqual([]);
  });
});
