// The architecture's import rules (shared DESIGN.md), read from the source so they stay true:
// leaves import no domain folder, domains never import the app shells, drafting never imports
// sequencing, research never imports signals or plays' internals.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LEAVES = ['db', 'llm', 'net', 'html'];
const SHELLS = ['review-ui', 'agents', 'cli'];
/** Top-level files every layer imports (errors in words, codes): they import no project module at all. */
const LEAF_FILES = ['errors.ts', 'zod-message.ts', 'memo.ts'];
const NOT_DOMAIN = new Set([...LEAVES, ...SHELLS, 'test', 'bench', 'demo', 'docs', 'bin', 'node_modules']);
const SKIP = new Set(['node_modules', 'test', 'bench', 'docs', 'bin', '.git', '.prospector']);
/** What research may use of plays: its public entry for choosing contacts. */
const PLAYS_PUBLIC = ['plays/choose.ts'];

interface Edge {
  from: string;
  to: string;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [path.normalize(rel)] : [];
  });
}

/** Every relative import (static, type-only, re-export or dynamic) as a repo path with `.ts`. */
function edges(files: string[]): Edge[] {
  const re = /(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g;
  return files.flatMap((from) =>
    [...readFileSync(path.join(ROOT, from), 'utf8').matchAll(re)].map((m) => ({
      from,
      to: path.normalize(path.join(path.dirname(from), m[1]!)).replace(/\.js$/, '.ts'),
    })),
  );
}

const top = (p: string) => (p.includes(path.sep) ? p.split(path.sep)[0]! : '.');
const isDomain = (p: string) => top(p) !== '.' && !NOT_DOMAIN.has(top(p));
const all = edges(sources('.'));
const show = (es: Edge[]) => es.map((e) => `${e.from} → ${e.to}`);

describe('import rules', () => {
  it('reads the tree (the rules below are not vacuous)', () => {
    expect(all.filter((e) => top(e.from) === 'drafting').length).toBeGreaterThan(10);
    expect(all.filter((e) => top(e.from) === 'db').length).toBeGreaterThan(10);
    expect(all.filter((e) => top(e.from) === 'research' && top(e.to) === 'llm').length).toBeGreaterThan(0);
  });

  it('db/, llm/, net/ and html/ import no domain folder and no app shell', () => {
    const bad = all.filter((e) => LEAVES.includes(top(e.from)) && (isDomain(e.to) || SHELLS.includes(top(e.to))));
    expect(show(bad)).toEqual([]);
  });

  it('the top-level leaf files (errors.ts, zod-message.ts, memo.ts) import no project module', () => {
    expect(all.filter((e) => e.to === 'zod-message.ts' && isDomain(e.from)).length).toBeGreaterThan(2);
    expect(show(all.filter((e) => LEAF_FILES.includes(e.from)))).toEqual([]);
  });

  it('domain folders never import review-ui/, agents/ or cli/', () => {
    expect(show(all.filter((e) => isDomain(e.from) && SHELLS.includes(top(e.to))))).toEqual([]);
  });

  it('drafting/ never imports sequencing/', () => {
    expect(show(all.filter((e) => top(e.from) === 'drafting' && top(e.to) === 'sequencing'))).toEqual([]);
  });

  it('research/ never imports signals/, nor plays/ beyond its public entry', () => {
    const bad = all.filter(
      (e) =>
        top(e.from) === 'research' &&
        (top(e.to) === 'signals' || (top(e.to) === 'plays' && !PLAYS_PUBLIC.includes(e.to))),
    );
    expect(show(bad)).toEqual([]);
  });
});
