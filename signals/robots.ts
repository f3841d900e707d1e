// robots.txt for watched pages: fetched once per origin per hour through the safe fetch;
// a missing robots.txt (4xx) allows everything, as crawlers conventionally treat it.
import robotsParserModule from 'robots-parser';
import { isAppError } from '../errors.js';
import { safeFetch, type FetchOptions } from './fetch.js';

// The package's types declare an ESM default; at runtime it is the CommonJS function itself.
interface Robot {
  isAllowed(url: string, ua?: string): boolean | undefined;
}
const robotsParser = robotsParserModule as unknown as (url: string, body: string) => Robot;

const TTL_MS = 60 * 60 * 1000;
const cache = new Map<string, { at: number; robots: Robot | null }>();

/** The product token robots.txt rules are matched against. */
export const ROBOTS_AGENT = 'Prospector';

export async function robotsAllows(pageUrl: string, opts: FetchOptions, now = Date.now()): Promise<boolean> {
  const origin = new URL(pageUrl).origin;
  let entry = cache.get(origin);
  if (!entry || now - entry.at > TTL_MS) {
    const robotsUrl = `${origin}/robots.txt`;
    try {
      const r = await safeFetch(robotsUrl, {
        ...opts,
        etag: null,
        lastModified: null,
        maxBytes: 512 * 1024,
        accept: 'text/plain',
      });
      entry = { at: now, robots: robotsParser(robotsUrl, r.body.toString('utf8')) };
    } catch (err) {
      const status = isAppError(err, 'FETCH_FAILED') ? (err.details as { status?: number }).status : undefined;
      if (status === undefined || status >= 500) throw err;
      entry = { at: now, robots: null };
    }
    cache.set(origin, entry);
  }
  return entry.robots ? entry.robots.isAllowed(pageUrl, ROBOTS_AGENT) !== false : true;
}

/** Tests change robots.txt between cases. */
export function clearRobotsCache(): void {
  cache.clear();
}
