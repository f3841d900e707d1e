// The bounded same-site crawl: from the homepage's links, the pages that say most about a
// company (about, newsroom/blog, careers, product/pricing), one of each kind before seconds.
import type { PageKind } from './types.js';

const KINDS: [PageKind, RegExp][] = [
  ['about', /\b(about|about-us|company|who-we-are|our-story|team|mission)\b/i],
  ['news', /\b(news|newsroom|press|blog|media|updates|announcements|stories)\b/i],
  ['careers', /\b(careers?|jobs|join-us|hiring|work-with-us|open-roles)\b/i],
  ['product', /\b(products?|pricing|platform|solutions?|features|plans)\b/i],
];
const BINARY = /\.(pdf|jpe?g|png|gif|svg|webp|zip|gz|mp4|mp3|docx?|xlsx?|pptx?|css|js|json|xml)$/i;

const stripWww = (h: string) => h.toLowerCase().replace(/^www\./, '');

/** Same site: same host (ignoring www.) and under the site's base path. */
function inScope(url: string, scope: string): boolean {
  const u = new URL(url);
  const s = new URL(scope);
  return stripWww(u.hostname) === stripWww(s.hostname) && u.port === s.port && u.pathname.startsWith(s.pathname);
}

function kindOf(url: string, text: string): PageKind | undefined {
  const path = new URL(url).pathname;
  return KINDS.find(([, re]) => re.test(path))?.[0] ?? KINDS.find(([, re]) => re.test(text))?.[0];
}

export function pickPages(
  links: { href: string; text: string }[],
  home: string,
  scope: string,
  max: number,
): { url: string; kind: PageKind }[] {
  const seen = new Set([home.replace(/\/$/, '')]);
  const byKind = new Map<PageKind, string[]>();
  for (const l of links) {
    const key = l.href.replace(/\/$/, '');
    if (seen.has(key) || !inScope(l.href, scope) || BINARY.test(new URL(l.href).pathname)) continue;
    const kind = kindOf(l.href, l.text);
    if (!kind) continue;
    seen.add(key);
    byKind.set(kind, [...(byKind.get(kind) ?? []), l.href]);
  }
  const out: { url: string; kind: PageKind }[] = [];
  for (let round = 0; out.length < max; round++) {
    const before = out.length;
    for (const [kind] of KINDS) {
      const url = byKind.get(kind)?.[round];
      if (url && out.length < max) out.push({ url, kind });
    }
    if (out.length === before) break;
  }
  return out;
}
