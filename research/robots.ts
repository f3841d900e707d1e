// robots.txt, fetched once per site and dossier (and cached like any page). A missing or
// unreadable robots.txt allows everything; a Disallow for our agent or `*` is honoured.
import robotsParserModule from 'robots-parser';
import { isAppError } from '../errors.js';
import { fetchPage, type FetchOptions } from './fetch.js';
import type { SiteMap } from './sites.js';

export const ROBOTS_AGENT = 'ProspectorBot';

// The package is CommonJS with an ESM-style declaration: at runtime the default import is the function.
type Parse = (typeof robotsParserModule)['default'];
type Robot = ReturnType<Parse>;
const robotsParser = ((robotsParserModule as unknown as { default?: Parse }).default ?? robotsParserModule) as Parse;

export class RobotsGate {
  private readonly robots = new Map<string, Promise<Robot | null>>();
  constructor(
    private readonly opts: FetchOptions,
    private readonly sites: SiteMap,
  ) {}

  async allowed(url: string): Promise<boolean> {
    const { robotsUrl, asIfAt } = this.sites.robotsFor(url);
    let robot = this.robots.get(robotsUrl);
    if (!robot) {
      robot = this.load(robotsUrl);
      this.robots.set(robotsUrl, robot);
    }
    const r = await robot;
    return !r || r.isAllowed(asIfAt, ROBOTS_AGENT) !== false;
  }

  private async load(robotsUrl: string): Promise<Robot | null> {
    try {
      const page = await fetchPage(robotsUrl, {
        ...this.opts,
        accept: (ct) => ct === '' || /^text\/plain\b/i.test(ct),
        limits: { ...this.opts.limits, maxBytes: 512 * 1024 },
      });
      const origin = new URL(robotsUrl).origin;
      return robotsParser(`${origin}/robots.txt`, page.body);
    } catch (err) {
      if (isAppError(err)) return null;
      throw err;
    }
  }
}
