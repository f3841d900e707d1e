// Every byte Chromium fetches goes through the guard proxy: a page on an allowed origin cannot
// reach another loopback port by a redirect, a WebSocket, fetch() from its script or an iframe.
// `inside` stands for the private network: the test counts every TCP connection it gets.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumRenderer, findChromium } from '../../net/browser.js';

interface Server {
  base: string;
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<Server> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  const s: Server = { base: '', port: 0, connections: 0, close: async () => {} };
  server.on('connection', (c) => {
    s.connections++;
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  // A WebSocket handshake that got here would be answered, so a refusal is the guard's doing.
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.port = (server.address() as AddressInfo).port;
  s.base = `http://127.0.0.1:${s.port}`;
  s.close = () =>
    new Promise<void>((resolve) => {
      for (const c of sockets) c.destroy();
      server.close(() => resolve());
    });
  return s;
}

const page = (script: string, body = '') =>
  `<!doctype html><html><head><title>t</title></head><body>${body}<script>${script}</script></body></html>`;

let inside: Server;
let site: Server;
let renderer: ChromiumRenderer;

beforeAll(async () => {
  inside = await serve((_req, res) => res.end('INTERNAL-SECRET'));
  const target = () => `${inside.base}/secret`;
  site = await serve((req, res) => {
    const html = (s: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(s);
    if (req.url === '/redirect') return void res.writeHead(302, { location: target() }).end();
    if (req.url === '/data') return void res.end('same-origin data');
    if (req.url === '/ok')
      return html(page(`fetch('/data').then((r) => r.text()).then((t) => document.body.append('got: ' + t));`));
    if (req.url === '/ws')
      return html(
        page(`const ws = new WebSocket('ws://127.0.0.1:${inside.port}/');
          ws.onopen = () => document.body.append('ws: open');
          ws.onerror = () => document.body.append('ws: refused');`),
      );
    if (req.url === '/fetch')
      return html(
        page(`fetch('${target()}', { mode: 'no-cors' })
          .then(() => document.body.append('fetch: reached'))
          .catch(() => document.body.append('fetch: refused'));`),
      );
    if (req.url === '/iframe') return html(page('', `<iframe src="${target()}"></iframe>`));
    res.writeHead(404).end();
  });
  const chromium = findChromium();
  if (!chromium) throw new Error('these tests need Chromium at /usr/bin/chromium (apt-get install chromium)');
  renderer = new ChromiumRenderer({ executablePath: chromium, maxContexts: 1 });
});
afterAll(async () => {
  await renderer.close();
  await Promise.all([inside.close(), site.close()]);
});

const limits = { timeoutMs: 20_000, maxBytes: 1024 * 1024 };
/** Only the fixture site's own pages are allowed, the way demo pages are. */
const onlySite = () => ({ ...limits, allowPrefixes: [`${site.base}/`] });

describe('Chromium behind the guard proxy', () => {
  it('renders an allowed page, its scripts fetching from the same origin', async () => {
    expect(await renderer.render(`${site.base}/ok`, onlySite())).toContain('got: same-origin data');
  }, 60_000);

  it('refuses a redirect to another loopback port', async () => {
    await expect(renderer.render(`${site.base}/redirect`, onlySite())).rejects.toMatchObject({
      code: 'FETCH_BLOCKED',
    });
    expect(inside.connections).toBe(0);
  }, 60_000);

  it('refuses the same redirect with ALLOW_PRIVATE_FETCH listing only the site origin', async () => {
    const opts = { ...limits, allowPrivate: [site.base] };
    expect(await renderer.render(`${site.base}/ok`, opts)).toContain('got: same-origin data');
    await expect(renderer.render(`${site.base}/redirect`, opts)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    expect(inside.connections).toBe(0);
  }, 60_000);

  it('refuses a WebSocket, fetch() from page script and an iframe', async () => {
    expect(await renderer.render(`${site.base}/ws`, onlySite())).toContain('ws: refused');
    expect(await renderer.render(`${site.base}/fetch`, onlySite())).toContain('fetch: refused');
    expect(await renderer.render(`${site.base}/iframe`, onlySite())).not.toContain('INTERNAL-SECRET');
    expect(inside.connections).toBe(0);
  }, 60_000);
});
