// A real HTTP server on loopback that plays the public web for signal tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface FixtureServer {
  base: string;
  port: number;
  /** Requests seen, in order, with their headers. */
  seen: { path: string; headers: http.IncomingHttpHeaders }[];
  route(path: string, h: Handler): void;
  close(): Promise<void>;
}

export async function fixtureServer(routes: Record<string, Handler> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const seen: FixtureServer['seen'] = [];
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ path: req.url ?? '/', headers: req.headers });
    const h = table.get(path);
    if (!h) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    try {
      await h(req, res);
    } catch {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    seen,
    route: (p, h) => void table.set(p, h),
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export const send =
  (type: string, body: string | Buffer, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': type, ...headers });
    res.end(body);
  };
