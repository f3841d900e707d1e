import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, parseAllowPrivate } from '../../net/address.js';
import { decodeBody } from '../../net/decode.js';
import { checkFetchUrl, safeFetch } from '../../net/http.js';
import { userAgent } from '../../net/identity.js';
import { fixtureServer, send, type FixtureServer } from '../signals/http-fixture.js';

let srv: FixtureServer;
/** Another loopback port: what a redirect from an allowed origin must not reach. */
let other: FixtureServer;
const ok = { allowPrivate: true };

beforeAll(async () => {
  srv = await fixtureServer({
    '/hello': send('text/plain', 'hello'),
    '/gzip': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(gzipSync('compressed hello'));
    },
    '/redirect': (_req, res) => {
      res.writeHead(302, { location: '/hello' });
      res.end();
    },
    '/loop': (_req, res) => {
      res.writeHead(301, { location: '/loop' });
      res.end();
    },
    '/to-localhost': (_req, res) => {
      res.writeHead(302, { location: `http://localhost:${srv.port}/hello` });
      res.end();
    },
    '/etag': (req, res) => {
      if (
        req.headers['if-none-match'] === '"v1"' ||
        req.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT'
      ) {
        res.writeHead(304);
        return void res.end();
      }
      res.writeHead(200, {
        etag: '"v1"',
        'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT',
        'content-type': 'text/plain',
      });
      res.end('body');
    },
    '/slow': (_req, res) => {
      setTimeout(() => {
        res.end('late');
      }, 3000).unref();
    },
    '/huge': (_req, res) => {
      // 20 MB without a Content-Length, in 64 KB chunks: the reader must stop at the limit.
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 20 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    },
    '/huge-declared': (_req, res) => {
      res.writeHead(200, { 'content-length': String(20 * 1024 * 1024) });
      res.end();
    },
    '/gone': (_req, res) => {
      res.writeHead(410);
      res.end('gone');
    },
    '/ua': (req, res) => {
      res.end(String(req.headers['user-agent']));
    },
    '/to-other': (_req, res) => {
      res.writeHead(302, { location: `${other.base}/secret` });
      res.end();
    },
    '/latin1': send('text/xml; charset=ISO-8859-1', iconv.encode('<p>Notícias de São Paulo</p>', 'latin1')),
  });
});
beforeAll(async () => {
  other = await fixtureServer({ '/secret': send('text/plain', 'internal') });
});
afterAll(async () => Promise.all([srv.close(), other.close()]));

describe('safeFetch', () => {
  it('refuses loopback and private addresses unless allowed, judging the resolved address', async () => {
    await expect(safeFetch(`${srv.base}/hello`)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    // A host name that resolves to loopback is refused as well: the check is on the IP.
    await expect(safeFetch(`http://localhost:${srv.port}/hello`)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(safeFetch(`http://[::1]:${srv.port}/hello`)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(safeFetch('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(safeFetch('file:///etc/passwd')).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    expect((await safeFetch(`${srv.base}/hello`, ok)).body.toString()).toBe('hello');
  });

  it('refuses localhost by name before any lookup, in the words the settings use', async () => {
    for (const host of ['localhost', 'LOCALHOST.', 'api.localhost'])
      await expect(safeFetch(`http://${host}:${srv.port}/hello`)).rejects.toMatchObject({
        code: 'FETCH_BLOCKED',
        message: `${host.toLowerCase()} is a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)`,
        details: { reason: 'blocked', host: host.toLowerCase() },
      });
    expect(() => checkFetchUrl(`http://localhost:${srv.port}/hello`, {})).toThrow(/localhost is a private/);
    expect(checkFetchUrl(`http://localhost:${srv.port}/hello`, ok).hostname).toBe('localhost');
    expect((await safeFetch(`http://localhost:${srv.port}/hello`, ok)).body.toString()).toBe('hello');
  });

  it('re-checks every redirect hop against the allowance', async () => {
    const onlyIp = { allowPrefixes: [`${srv.base}/`] };
    expect((await safeFetch(`${srv.base}/redirect`, onlyIp)).url).toBe(`${srv.base}/hello`);
    await expect(safeFetch(`${srv.base}/to-localhost`, onlyIp)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
  });

  it('ALLOW_PRIVATE_FETCH as a list of origins: only those; a redirect to another loopback port is refused', async () => {
    const allowPrivate = parseAllowPrivate(`${srv.base}, http://10.0.0.5:8080`);
    expect(allowPrivate).toEqual([srv.base, 'http://10.0.0.5:8080']);
    expect((await safeFetch(`${srv.base}/hello`, { allowPrivate })).body.toString()).toBe('hello');
    await expect(safeFetch(`${srv.base}/to-other`, { allowPrivate })).rejects.toMatchObject({
      code: 'FETCH_BLOCKED',
      details: { reason: 'blocked' },
    });
    await expect(safeFetch(`${srv.base}/to-localhost`, { allowPrivate })).rejects.toMatchObject({
      code: 'FETCH_BLOCKED',
    });
    expect(other.seen).toEqual([]);
    expect([parseAllowPrivate('true'), parseAllowPrivate('1'), parseAllowPrivate(''), parseAllowPrivate('no')]).toEqual(
      [true, true, false, false],
    );
    expect(() => parseAllowPrivate('http://10.0.0.5:8080/some/path')).toThrow(/not an origin/);
    expect(() => parseAllowPrivate('10.0.0.5')).toThrow(/not an origin/);
  });

  it('refuses URLs with credentials and schemes other than http(s)', async () => {
    const u = new URL(`${srv.base}/hello`);
    u.username = 'admin';
    u.password = 'secret';
    await expect(safeFetch(u.href, ok)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(safeFetch('ftp://example.com/x', ok)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fc00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('follows redirects up to the limit', async () => {
    const r = await safeFetch(`${srv.base}/redirect`, ok);
    expect(r).toMatchObject({ status: 200, redirects: 1 });
    await expect(safeFetch(`${srv.base}/loop`, { ...ok, maxRedirects: 3 })).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'redirects' },
    });
  });

  it('sends conditional-GET headers and reports 304 as not modified', async () => {
    const first = await safeFetch(`${srv.base}/etag`, ok);
    expect(first).toMatchObject({ notModified: false, etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    expect(await safeFetch(`${srv.base}/etag`, { ...ok, etag: first.etag })).toMatchObject({
      notModified: true,
      status: 304,
    });
    expect(await safeFetch(`${srv.base}/etag`, { ...ok, lastModified: first.lastModified })).toMatchObject({
      notModified: true,
    });
  });

  it('gives up on a slow server at the deadline', async () => {
    const started = Date.now();
    await expect(safeFetch(`${srv.base}/slow`, { ...ok, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'timeout' },
    });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('stops reading a 20 MB body at the 5 MB limit', async () => {
    await expect(safeFetch(`${srv.base}/huge`, ok)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'too_large' },
    });
    await expect(safeFetch(`${srv.base}/huge-declared`, ok)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'too_large' },
    });
  });

  it('decompresses gzip, says who it is, and fails clearly on HTTP errors', async () => {
    expect((await safeFetch(`${srv.base}/gzip`, ok)).body.toString()).toBe('compressed hello');
    expect(
      (
        await safeFetch(`${srv.base}/ua`, { ...ok, userAgent: userAgent({ publicUrl: 'https://p.example' }) })
      ).body.toString(),
    ).toBe('ProspectorBot/0.1 (+https://p.example)');
    await expect(safeFetch(`${srv.base}/gone`, ok)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'status', status: 410 },
    });
  });

  it('names the app, and a contact when FETCH_CONTACT is set', () => {
    expect(userAgent({ publicUrl: 'https://p.example', fetchContact: 'ops@p.example' })).toBe(
      'ProspectorBot/0.1 (+https://p.example; ops@p.example)',
    );
  });

  it('decodes the declared charset', async () => {
    const r = await safeFetch(`${srv.base}/latin1`, ok);
    expect(decodeBody(r.body, r.contentType)).toBe('<p>Notícias de São Paulo</p>');
    expect(decodeBody(iconv.encode('<?xml version="1.0" encoding="windows-1252"?><t>café</t>', 'win1252'))).toContain(
      'café',
    );
  });
});
