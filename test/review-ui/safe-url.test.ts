// Every href/src/action built from data goes through `safeUrl`: a scan of every template that
// fails when one does not, the helper itself, the tag's own fallback, and the needs-contact page
// (which rendered a manual signal's `javascript:` URL as a link) on both backends.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { html, safeUrl } from '../../review-ui/html.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('safe URLs in templates', () => {
  it('finds no template that starts an href, src or action with data outside safeUrl()', () => {
    const offenders: string[] = [];
    const files = ['review-ui', 'demo'].flatMap((d) => tsFiles(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (!/\bhtml`/.test(text)) continue;
      const re = /\b(?:href|src|action|formaction|poster)\s*=\s*["']?\$\{(?!safeUrl\()/g;
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split('\n').length;
        offenders.push(`${path.relative(ROOT, f)}:${line}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('passes http(s) URLs and same-site paths, and nothing else', () => {
    expect(safeUrl('https://acme.example/a?b=1')).toBe('https://acme.example/a?b=1');
    expect(safeUrl('/drafts/3?x=1')).toBe('/drafts/3?x=1');
    expect(safeUrl('#fact-2')).toBe('#fact-2');
    // Relative paths (the demo sites' navigation) have no scheme to abuse.
    expect(safeUrl('careers')).toBe('careers');
    expect(safeUrl('./about')).toBe('./about');
    for (const bad of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'java\tscript:alert(1)',
      '\u0001javascript:alert(1)',
      'data:text/html,x',
      '//evil.example',
      '/\\evil',
      ' \n//evil.example',
    ])
      expect(safeUrl(bad)).toBeUndefined();
    expect(safeUrl(null)).toBeUndefined();
  });

  it('renders data that slipped into a URL attribute as "#"', () => {
    const evil = 'javascript:alert(1)';
    expect(html`<a href="${evil}">x</a>`.toString()).toBe('<a href="#">x</a>');
    expect(html`<img src=${evil} />`.toString()).toBe('<img src=# />');
    expect(html`<a title="${evil}">x</a>`.toString()).toContain('javascript:');
  });
});

describeEachBackend('needs-contact page with a hostile source URL', (get) => {
  const app = useWebApp(get);

  it('shows a manual signal whose URL is javascript: without making it a link', async () => {
    const q = async (text: string, values: unknown[]) => (await one<{ id: number }>(app.ctx.db, { text, values }))!;
    const account = await q(
      `INSERT INTO accounts (workspace_id, name, domain) VALUES ($1, 'Hostile Co', 'hostile.example') RETURNING id`,
      [app.ws.id],
    );
    const signal = await q(
      `INSERT INTO signals (workspace_id, account_id, type, title, url, status, fingerprint)
       VALUES ($1, $2, 'manual', 'Read this', 'javascript:alert(document.cookie)', 'needs_contact', 'hostile-1') RETURNING id`,
      [app.ws.id, account.id],
    );
    await app.ctx.db.query(
      `INSERT INTO dossiers (workspace_id, signal_id, account_id, people) VALUES ($1, $2, $3, $4::jsonb)`,
      [
        app.ws.id,
        signal.id,
        account.id,
        JSON.stringify([{ role: 'found', name: 'Eve', sourceUrl: 'javascript:alert(2)', source: 'team page' }]),
      ],
    );
    const b = new Browserish(app.base);
    await b.login(app.ws.users.admin.email, app.ws.users.admin.password);
    const { res, html: page } = await b.page(`/signals/${signal.id}/contact`);
    expect(res.status).toBe(200);
    expect(page).toContain('Read this');
    expect(page).toContain('team page');
    expect(page).not.toMatch(/javascript:/i);
  });
});
