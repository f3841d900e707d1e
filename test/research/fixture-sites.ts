// Fixture web sites on loopback for research tests: static, script-rendered, JSON-LD, huge,
// slow, redirect loop, PDF, robots.txt, prompt injection, a news article, ETag revalidation.
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import path from 'node:path';

const FIX = path.resolve(__dirname, '../fixtures/research');
const file = (name: string) => readFileSync(path.join(FIX, name), 'utf8');

export interface FixtureSites {
  base: string;
  /** Requests seen per path (query string dropped). */
  hits: Map<string, number>;
  /** Paths that answer 503 for now. */
  down: Set<string>;
  close(): Promise<void>;
}

const html = (res: http.ServerResponse, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
};

export async function startFixtureSites(): Promise<FixtureSites> {
  const hits = new Map<string, number>();
  const down = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = http.createServer((req, res) => {
    const p = new URL(req.url!, 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (down.has(p)) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return res.end('down for maintenance');
    }
    const staticPage = /^\/static\/(about|blog|careers|pricing|private)$/.exec(p);
    if (p === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('User-agent: *\nDisallow: /static/private\n');
    }
    if (p === '/static/')
      return html(res, file('static/index.html'), { etag: '"home-v1"', 'cache-control': 'max-age=60' });
    if (staticPage) return html(res, file(`static/${staticPage[1]}.html`));
    if (p === '/static/brochure' || p === '/report.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'));
    }
    if (p === '/jsonld/') return html(res, file('jsonld.html'));
    if (p === '/spa/') return html(res, file('spa.html'));
    if (p === '/spa/app.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      return res.end(file('spa.js'));
    }
    if (p === '/inject/') return html(res, file('inject.html'));
    // Script that keeps a request open forever: the browser never reaches network idle.
    if (p === '/hang/')
      return html(
        res,
        '<html><head><title>Hanging Gardens Ltd</title></head><body><script>fetch("/never")</script></body></html>',
      );
    if (p === '/never') return;
    if (p === '/news/acme-series-a') return html(res, file('article.html'));
    if (p === '/huge') {
      // 20 MB, streamed without a Content-Length so only counting the bytes can stop it.
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const push = () => {
        while (sent < 20 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', push);
        }
        res.end();
      };
      return push();
    }
    if (p === '/slow') {
      const t = setTimeout(() => html(res, '<p>finally</p>'), 5_000);
      timers.add(t);
      return;
    }
    const loop = /^\/loop\/(\d+)$/.exec(p);
    if (loop) {
      res.writeHead(302, { location: `/loop/${(Number(loop[1]) + 1) % 3}` });
      return res.end();
    }
    if (p === '/etag/') {
      if (req.headers['if-none-match'] === '"v7"') {
        res.writeHead(304, { etag: '"v7"' });
        return res.end();
      }
      return html(
        res,
        '<html><head><title>Versioned</title></head><body>' +
          '<p>Version seven of a page that changes rarely, served with an ETag.</p></body></html>',
        { etag: '"v7"' },
      );
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>Not found</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    down,
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a site that is down. */
export async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}
