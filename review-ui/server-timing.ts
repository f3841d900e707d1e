// The Server-Timing header (https://www.w3.org/TR/server-timing/) on every response past the
// first middleware: `app`, the app's own time from that middleware to the response's headers
// (body rendered, not yet on the socket), and the parts a route names — `session` (the session
// statement), `db` (a page's statements). A browser's network panel shows them per request, and
// bench/review.ts times pages by them, so a client on the same machine is not on the server's
// clock. Durations only: no names or values from the data.
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';

interface Timing {
  start: number;
  parts: Map<string, number>;
}

const TIMING = Symbol('serverTiming');
type Timed = Response & { [TIMING]?: Timing };

function header(t: Timing): string {
  const parts = [...t.parts].map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`);
  parts.push(`app;dur=${(performance.now() - t.start).toFixed(2)}`);
  return parts.join(', ');
}

/** First middleware of the app: starts the clock and sets the header when the headers go out. */
export function serverTiming(_req: Request, res: Response, next: NextFunction): void {
  const t: Timing = { start: performance.now(), parts: new Map() };
  (res as Timed)[TIMING] = t;
  // Node writes implicit headers through `this.writeHead` too (res.end, res.write): one place.
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) res.setHeader('Server-Timing', header(t));
    return writeHead(...args);
  }) as Response['writeHead'];
  next();
}

/** Adds `ms` to the response's part `name` (a response outside the app: nothing). */
export function addTiming(res: Response, name: string, ms: number): void {
  const t = (res as Timed)[TIMING];
  if (t) t.parts.set(name, (t.parts.get(name) ?? 0) + ms);
}

/** Awaits `work`, adding the time it took to the response's part `name`. */
export async function timed<T>(res: Response, name: string, work: Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work;
  } finally {
    addTiming(res, name, performance.now() - start);
  }
}
