// The outside world of the operator e2e suites, all on loopback: a news site serving an RSS feed
// (items added while the test runs) and its articles, fixture company sites (mapped by the
// workspace's `researchSiteMap`), and answers for the fake Messages API that follow the request's
// own schema: facts quoted from the pages it was given, a cited sequence, a reply verdict.
import http, { type Server } from 'node:http';
import type { FakeReply, FakeRequest } from '../support/fake-anthropic.js';

export interface Story {
  id: string;
  title: string;
  paragraphs: string[];
  hoursAgo?: number;
}
export interface Company {
  domain: string;
  name: string;
  paragraphs: string[];
}

export interface World {
  base: string;
  stories: Story[];
  siteBase(domain: string): string;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const page = (title: string, paragraphs: string[], nav = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>` +
  `</head><body>${nav}<main><h1>${esc(title)}</h1>${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}</main></body></html>`;

export async function startWorld(
  companies: Company[],
  opts: {
    delayMs?: number;
    /** Only these companies' sites answer after `delayMs` (default: every site). */
    slowDomains?: string[];
  } = {},
): Promise<World> {
  const started = Date.now();
  const world: World = { base: '', stories: [], siteBase: (d) => `${world.base}/site/${d}/`, close: async () => {} };
  const server: Server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', world.base);
    const slow =
      url.pathname.startsWith('/site/') &&
      (!opts.slowDomains || opts.slowDomains.some((d) => url.pathname.startsWith(`/site/${d}/`)));
    if (opts.delayMs && slow) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (url.pathname === '/robots.txt' || url.pathname.endsWith('/robots.txt'))
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    if (url.pathname === '/feed.xml') {
      const items = world.stories.map(
        (s) =>
          `<item><title>${esc(s.title)}</title><link>${world.base}/stories/${s.id}</link><guid isPermaLink="false">${s.id}</guid>
<pubDate>${new Date(started - (s.hoursAgo ?? 1) * 3_600_000).toUTCString()}</pubDate>` +
          `<description>${esc(s.paragraphs[0] ?? '')}</description></item>`,
      );
      return void res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel>` +
            `<title>Loopback Venture News</title><link>${world.base}/</link>` +
            `<description>test feed</description>${items.join('\n')}</channel></rss>`,
        );
    }
    const story = /^\/stories\/([\w-]+)$/.exec(url.pathname);
    const s = story && world.stories.find((x) => x.id === story[1]);
    if (s) return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(s.title, s.paragraphs));
    const site = /^\/site\/([\w.-]+)\/(about)?$/.exec(url.pathname);
    const c = site && companies.find((x) => x.domain === site[1]);
    if (c) {
      const nav = `<nav><a href="about">About us</a></nav>`;
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          site![2] ? page(`About ${c.name}`, c.paragraphs.slice(1), nav) : page(c.name, c.paragraphs.slice(0, 1), nav),
        );
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  world.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  world.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return world;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  minItems?: number;
  minimum?: number;
  const?: unknown;
};

/** The smallest value the JSON schema accepts (first enum member, empty strings, minimal arrays). */
function minimal(s: Schema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.anyOf) return minimal(s.anyOf.find((x) => x.type === 'null') ?? s.anyOf[0]!);
  const t = Array.isArray(s.type) ? (s.type.includes('null') ? 'null' : s.type[0]) : s.type;
  switch (t) {
    case 'object':
      return Object.fromEntries(
        (s.required ?? Object.keys(s.properties ?? {})).map((k) => [k, minimal(s.properties![k]!)]),
      );
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => minimal(s.items ?? {}));
    case 'string':
      return 'x';
    case 'number':
    case 'integer':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

const userText = (req: FakeRequest) =>
  (req.body.messages as { content: unknown }[])
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('\n');

const FOLLOW_UPS = [
  'One more thought on your growth plans. Worth a short call?',
  'A different angle: how do new reps find the right accounts in their first month?',
  'Is there someone else on your team who owns outbound? A name is plenty.',
];

/** Answers research extraction, drafting and classification the way a careful model would. */
export function answer(req: FakeRequest): FakeReply {
  const text = userText(req);
  const schema = req.body.output_config?.format?.schema as Schema | undefined;
  const answerWith = (v: unknown): FakeReply => ({ kind: 'text', text: JSON.stringify(v) });
  if (text.includes('<untrusted_page')) {
    const facts: unknown[] = [];
    const kinds = (schema?.properties?.facts?.items?.properties?.kind?.enum ?? ['company']) as string[];
    for (const m of text.matchAll(/<untrusted_page index=\\?"(\d+)\\?"[^>]*>([\s\S]*?)<\/untrusted_page>/g)) {
      const body = m[2]!.replace(/\\n/g, '\n');
      const sentence = body
        .split(/\n|(?<=\.)\s+/)
        .map((x) => x.trim())
        .find((x) => x.length >= 30 && x.endsWith('.'));
      if (sentence)
        facts.push({
          page: Number(m[1]),
          kind: kinds.includes('company') ? 'company' : kinds[0],
          text: sentence,
          quote: sentence,
        });
    }
    return answerWith({ facts });
  }
  if (schema?.properties?.steps) {
    const research = text.slice(text.indexOf('facts'));
    const ids = [...research.matchAll(/\\?"id\\?":\s*(\d+)/g)].map((m) => Number(m[1]));
    const count = [...text.matchAll(/^\d+\. (?:opener|follow_up|breakup), day offset/gm)].length || 1;
    const first = /Contact: (\S+)/.exec(text)?.[1] ?? 'there';
    // Every step different, so the draft passes the gates: a flagged draft needs its failures confirmed.
    const later = (i: number) =>
      i === count - 1
        ? 'I will stop here. If the timing changes, a reply is all it takes.'
        : FOLLOW_UPS[(i - 1) % FOLLOW_UPS.length]!;
    return answerWith({
      steps: Array.from({ length: count }, (_, i) => ({
        subject: i === 0 ? 'Congratulations on the round' : '',
        body:
          i === 0
            ? `Hi ${first},\n\nCongratulations on the new funding. Would a short call next week be useful?`
            : `Hi ${first},\n\n${later(i)}`,
        citedFactIds: ids.slice(0, i === 0 ? 2 : 1),
      })),
    });
  }
  return answerWith(schema ? minimal(schema) : {});
}
