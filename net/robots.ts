// robots.txt, the one gate: fetched once per robots URL (kept `ttlMs`, forever by default) through
// fetchPage, matched against the one product token. A missing robots.txt (4xx) or one that
// cannot be read as text allows everything, as crawlers conventionally treat it; a site that is
// down (5xx, unreachable, too slow) throws, so nothing is fetched that robots.txt may forbid.
import robotsParserModule from 'robots-parser';
import { AppError } from '../errors.js';
import { isOutage } from './errors.js';
import { BOT_TOKEN } from './identity.js';
import { fetchPage, type PageOptions } from './page.js';

// The package's types declare an ESM default; at runtime it is the CommonJS function itself.
interface Robot {
  isAllowed(url: string, ua?: string): boolean | undefined;
}
const robotsParser = robotsParserModule as unknown as (url: string, body: string) => Robot;

interface RobotsGateOptions {
  /** Where the robots.txt for a URL lives and the URL to check against it (mirrors, demo sites). */
  robotsFor?: (url: string) => { robotsUrl: string; asIfAt: string };
  ttlMs?: number;
  now?: () => number;
}

const atOrigin = (url: string) => ({ robotsUrl: `${new URL(url).origin}/robots.txt`, asIfAt: url });

export class RobotsGate {
  private readonly robots = new Map<string, { at: number; robot: Promise<Robot | null> }>();
  constructor(private readonly opts: RobotsGateOptions = {}) {}

  /** Whether robots.txt lets BOT_TOKEN fetch `url`; `fetch` is how robots.txt itself is fetched. */
  async allowed(url: string, fetch: PageOptions): Promise<boolean> {
    const { robotsUrl, asIfAt } = (this.opts.robotsFor ?? atOrigin)(url);
    const now = (this.opts.now ?? Date.now)();
    let entry = this.robots.get(robotsUrl);
    if (!entry || now - entry.at > (this.opts.ttlMs ?? Infinity)) {
      entry = { at: now, robot: this.load(robotsUrl, fetch) };
      this.robots.set(robotsUrl, entry);
      // A site that was down is asked again next time, not remembered as down.
      const mine = entry;
      entry.robot.catch(() => this.robots.get(robotsUrl) === mine && this.robots.delete(robotsUrl));
    }
    const robot = await entry.robot;
    return !robot || robot.isAllowed(asIfAt, BOT_TOKEN) !== false;
  }

  clear(): void {
    this.robots.clear();
  }

  private async load(robotsUrl: string, fetch: PageOptions): Promise<Robot | null> {
    try {
      const page = await fetchPage(robotsUrl, {
        ...fetch,
        acceptType: (ct) => ct === '' || /^text\/plain\b/i.test(ct),
        limits: { ...fetch.limits, maxBytes: 512 * 1024 },
      });
      return robotsParser(`${new URL(robotsUrl).origin}/robots.txt`, page.body);
    } catch (err) {
      if (isOutage(err) || !(err instanceof AppError)) throw err;
      return null;
    }
  }
}
