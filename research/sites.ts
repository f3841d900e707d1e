// Where a domain's pages are actually fetched from. Normally `https://<domain>/`; a workspace
// may map a domain to another base URL (`settings.researchSiteMap`), and in demo mode every
// `.example` domain maps to the fixture sites the app serves at `/demo/sites/<domain>/`.
export interface SiteMap {
  /** The URL to fetch for a public URL (unchanged when its host is not mapped). */
  map(url: string): string;
  /** Where the robots.txt for a fetch URL lives, and the URL to check against it. */
  robotsFor(fetchUrl: string): { robotsUrl: string; asIfAt: string };
  /** The fetch URL of a domain's homepage. */
  homepage(domain: string): string;
  /** The base (origin + path prefix) a crawl of this fetch URL stays inside. */
  scopeOf(fetchUrl: string): string;
}

const DEMO_SITES_PATH = '/demo/sites/';

function demoBase(publicUrl: string, domain: string): string {
  return `${publicUrl.replace(/\/$/, '')}${DEMO_SITES_PATH}${domain}/`;
}

const stripWww = (h: string) => h.toLowerCase().replace(/^www\./, '');

/**
 * `bases`: domain → base URL (ending in /). `demoPublicUrl`: when set, any `*.example` domain
 * not in `bases` maps to the app's demo site for it.
 */
export function createSiteMap(bases: Record<string, string> = {}, demoPublicUrl?: string): SiteMap {
  const table = new Map(Object.entries(bases).map(([d, b]) => [stripWww(d), b.endsWith('/') ? b : `${b}/`]));
  const baseFor = (host: string): string | undefined => {
    const h = stripWww(host);
    return table.get(h) ?? (demoPublicUrl && h.endsWith('.example') ? demoBase(demoPublicUrl, h) : undefined);
  };
  const mappedBaseOf = (fetchUrl: string): string | undefined =>
    [...table.values(), ...(demoPublicUrl ? [`${demoPublicUrl.replace(/\/$/, '')}${DEMO_SITES_PATH}`] : [])]
      .filter((b) => fetchUrl.startsWith(b))
      .map((b) => (b.endsWith(DEMO_SITES_PATH) ? b + fetchUrl.slice(b.length).split('/')[0] + '/' : b))[0];
  return {
    map(url) {
      const u = new URL(url);
      const base = baseFor(u.hostname);
      return base ? new URL(u.pathname.replace(/^\//, '') + u.search, base).href : url;
    },
    robotsFor(fetchUrl) {
      const base = mappedBaseOf(fetchUrl);
      const u = new URL(fetchUrl);
      if (!base) return { robotsUrl: `${u.origin}/robots.txt`, asIfAt: fetchUrl };
      return { robotsUrl: `${base}robots.txt`, asIfAt: `${u.origin}/${fetchUrl.slice(base.length)}` };
    },
    homepage(domain) {
      return this.map(`https://${stripWww(domain)}/`);
    },
    scopeOf(fetchUrl) {
      return mappedBaseOf(fetchUrl) ?? `${new URL(fetchUrl).origin}/`;
    },
  };
}
