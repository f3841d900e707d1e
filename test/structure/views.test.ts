// The review UI's shape, read from the source so it stays true: pages are rendered from
// review-ui/views/; a route parses input, calls a query or use case and hands typed data to a view.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROUTES = path.join(ROOT, 'review-ui/routes');

describe('review UI shape', () => {
  it('has no html templates in review-ui/routes (they live in review-ui/views)', () => {
    const offenders = readdirSync(ROUTES)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => {
        const n = (readFileSync(path.join(ROUTES, f), 'utf8').match(/\bhtml`/g) ?? []).length;
        return n ? [`${f}: ${n}`] : [];
      });
    expect(offenders).toEqual([]);
  });
});
