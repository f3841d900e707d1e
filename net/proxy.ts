// The browser's only way out: an HTTP proxy on loopback that Chromium is pointed at, applying
// the address guard to every request it makes — each redirect hop, subresource, fetch() from
// page script, iframe and WebSocket — with the name resolved here, once, and the connection
// made to the address that was checked (Chromium never resolves names itself behind a proxy).
// Plain http is forwarded request by request; https and WebSockets come as CONNECT tunnels,
// judged by host and port. A refused request gets 403 (marked REFUSED_HEADER) or a failed tunnel.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { bareHost, privateAllowed, type AddressPolicy } from './address.js';
import { checkLiteral, guardedLookup, resolvePinned } from './guard.js';

export const REFUSED_HEADER = 'x-prospector-refused';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

interface GuardProxy {
  /** `http://127.0.0.1:port`, for Chromium's proxy setting. */
  url: string;
  /** Every refused target (`host` or `host:port`), in order. */
  refused: string[];
  /** Bytes received from the outside so far. */
  bytes(): number;
  close(): Promise<void>;
}

interface GuardProxyOptions {
  /** Stop everything once this many bytes came in (a page cannot pull gigabytes through us). */
  maxBytes?: number;
  connectTimeoutMs?: number;
}

export async function startGuardProxy(policy: AddressPolicy, opts: GuardProxyOptions = {}): Promise<GuardProxy> {
  const refused: string[] = [];
  const sockets = new Set<Duplex>();
  const maxBytes = opts.maxBytes ?? 50 * 1024 * 1024;
  let received = 0;
  const count = (n: number) => {
    received += n;
    if (received > maxBytes) for (const s of sockets) s.destroy();
  };
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  /** A CONNECT target may be reached when http:// or https:// on that host and port is allowed. */
  const tunnelAllowed = (host: string, port: number) =>
    ['http', 'https'].some((s) => privateAllowed(policy, new URL(`${s}://${host}:${port}/`)));

  const tunnel = async (target: string, clientSocket: Duplex, head: Buffer, firstBytes: string) => {
    track(clientSocket);
    let url: URL;
    try {
      url = new URL(`http://${target}`);
    } catch {
      return clientSocket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    }
    const port = Number(url.port || 80);
    let upstream: net.Socket;
    try {
      const pinned = await resolvePinned(bareHost(url), tunnelAllowed(url.hostname, port));
      upstream = net.connect({ host: pinned.address, port, family: pinned.family });
    } catch {
      refused.push(url.host);
      return clientSocket.end(`HTTP/1.1 403 Forbidden\r\n${REFUSED_HEADER}: 1\r\ncontent-length: 0\r\n\r\n`);
    }
    track(upstream);
    upstream.setTimeout(opts.connectTimeoutMs ?? 15_000, () => upstream.destroy());
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      if (firstBytes) clientSocket.write(firstBytes);
      if (head.length) upstream.write(head);
      upstream.on('data', (c: Buffer) => count(c.length));
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    upstream.on('close', () => clientSocket.destroy());
    clientSocket.on('close', () => upstream.destroy());
  };

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    let allow: boolean;
    try {
      if (url.protocol !== 'http:' || url.username || url.password) throw new Error('not a plain http URL');
      allow = checkLiteral(url, policy);
    } catch {
      refused.push(url.host);
      res.writeHead(403, { [REFUSED_HEADER]: '1' }).end();
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const out = http.request(url, { method: req.method, headers, agent: false, lookup: guardedLookup(allow) }, (up) => {
      const back = { ...up.headers };
      for (const h of HOP_BY_HOP) delete back[h];
      res.writeHead(up.statusCode ?? 502, back);
      up.on('data', (c: Buffer) => count(c.length));
      up.pipe(res);
    });
    out.on('socket', (s) => track(s));
    out.on('error', (err) => {
      const blocked = (err as { code?: string }).code === 'FETCH_BLOCKED';
      if (blocked) refused.push(url.host);
      if (!res.headersSent) res.writeHead(blocked ? 403 : 502, blocked ? { [REFUSED_HEADER]: '1' } : {});
      res.end();
    });
    req.pipe(out);
  });
  server.on(
    'connect',
    (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      void tunnel(req.url ?? '', socket, head, 'HTTP/1.1 200 Connection Established\r\n\r\n'),
  );
  // A ws:// upgrade sent to the proxy in absolute form: judged by its URL, then the request is replayed upstream.
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    }
    const lines = [`${req.method} ${url.pathname}${url.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (!/^proxy-/i.test(req.rawHeaders[i]!)) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    void tunnel(url.host, socket, Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), head]), '');
  });
  server.on('connection', (s) => track(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    bytes: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
