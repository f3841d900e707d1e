// Demo mode's own little web: a funding feed (RSS), a news feed (Atom), a newsroom page whose
// list grows while the app runs, and a Greenhouse-style job board — all about the fictional
// demo accounts, served by the app under /demo/ (only when a demo workspace exists), plus the
// signal sources that point at them. Dates are fixed at process start so polls dedup.
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { one, run, type Database } from '../db/index.js';
import { findAccountByName } from '../db/queries/accounts.js';
import { demoWorkspaceExists } from '../db/queries/demo.js';
import { insertSource } from '../db/queries/signal-sources.js';
import { renderStory } from './stories.js';

const STARTED = Date.now();
const ago = (hours: number) => new Date(STARTED - hours * 3_600_000);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface DemoStory {
  id: string;
  title: string;
  summary: string;
  hoursAgo: number;
  path: string;
}

const FUNDING: DemoStory[] = [
  {
    id: 'kestrel-series-b',
    title: 'Kestrel Robotics lands $42 million Series B to bring warehouse robots to Europe',
    summary:
      'The round was led by <b>Foundry Peak Ventures</b> with participation from Northgate Capital and Alder Partners.',
    hoursAgo: 5,
    path: 'kestrel-series-b',
  },
  {
    id: 'nimbus-seed',
    title: 'Nimbus AI emerges from stealth with $8M seed round led by Accel',
    summary: 'Nimbus AI builds support agents for mid-market SaaS companies.',
    hoursAgo: 9,
    path: 'nimbus-seed',
  },
  {
    id: 'lumen-series-a',
    title: 'Lumen Health closes €12M Series A to expand across DACH',
    summary: '<![CDATA[Berlin-based Lumen Health GmbH will use the money to hire sales staff.]]>',
    hoursAgo: 20,
    path: 'lumen-series-a',
  },
  {
    id: 'zephyr-seed',
    title: 'Zephyr Labs raises $5M seed to automate freight invoices',
    summary: 'Zephyr Labs is not one of your accounts yet: it shows up under "add as account?".',
    hoursAgo: 30,
    path: 'zephyr-seed',
  },
];

const NEWS: DemoStory[] = [
  // The same Kestrel round from a second outlet: it joins the first signal as another source.
  {
    id: 'kestrel-round-wire',
    title: 'Kestrel Robotics raises $42M Series B led by Foundry Peak',
    summary: 'Warehouse robotics maker Kestrel Robotics said on Tuesday it raised $42 million.',
    hoursAgo: 4,
    path: 'wire/kestrel',
  },
  {
    id: 'fjord-germany',
    title: 'Fjord Payments expands into Germany and the Netherlands',
    summary: 'The Oslo payments company opens offices in Berlin and Amsterdam.',
    hoursAgo: 12,
    path: 'wire/fjord-germany',
  },
  {
    id: 'tessellate-cro',
    title: 'Tessellate Data appoints Amelia Clarke as Chief Revenue Officer',
    summary: 'Clarke was previously Sales Director EMEA.',
    hoursAgo: 16,
    path: 'wire/tessellate-cro',
  },
  {
    id: 'kestrel-launch',
    title: 'Kestrel Robotics unveils autonomous picking arm',
    summary: 'A second Kestrel story within the cooldown: kept on the account, starts nothing.',
    hoursAgo: 2,
    path: 'wire/kestrel-launch',
  },
];

/** Newsroom entries appear one by one while the app runs, so the page's list changes. */
const NEWSROOM = [
  { title: 'Vantage Cloud opens new data center in Frankfurt', minutes: 0 },
  { title: 'Vantage Cloud achieves SOC 2 Type II certification', minutes: 0 },
  { title: 'Vantage Cloud partners with Helix Materials on low-carbon racks', minutes: 2 },
  { title: 'Vantage Cloud launches GPU reservations for inference workloads', minutes: 4 },
];

const JOBS = [
  { id: 4001, title: 'Sales Development Representative (SDR)', location: 'Denver, CO', dept: 'Sales' },
  { id: 4002, title: 'Senior Backend Engineer', location: 'Remote', dept: 'Engineering' },
  { id: 4003, title: 'Head of Sales, EMEA', location: 'London', dept: 'Sales' },
];

function etagged(req: Request, res: Response, type: string, body: string) {
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
  res.set('ETag', etag).set('Cache-Control', 'no-cache');
  if (req.get('if-none-match') === etag) return res.status(304).end();
  res.type(type).send(body);
}

function rss(base: string): string {
  const items = FUNDING.map(
    (s) =>
      `<item><title>${esc(s.title)}</title><link>/demo/stories/${s.path}</link><guid isPermaLink="false">${s.id}</guid>
<pubDate>${ago(s.hoursAgo).toUTCString()}</pubDate>` +
      `<description>${s.summary.startsWith('<![CDATA[') ? s.summary : esc(s.summary)}</description></item>`,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>` +
    `<title>Demo Venture Wire — funding</title><link>${base}/demo/</link>
<description>Fictional funding news for the demo accounts</description>${items.join('\n')}</channel></rss>`
  );
}

function atom(base: string): string {
  const entries = NEWS.map(
    (s) => `<entry><id>urn:demo:${s.id}</id><title>${esc(s.title)}</title><link href="${base}/demo/stories/${s.path}"/>
<updated>${ago(s.hoursAgo).toISOString()}</updated><summary type="html">${esc(s.summary)}</summary></entry>`,
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">` +
    `<title>Demo Business Wire</title><id>urn:demo:news</id>
<updated>${ago(0).toISOString()}</updated>${entries.join('\n')}</feed>`
  );
}

function newsroom(now: number): string {
  const shown = NEWSROOM.filter((n) => now - STARTED >= n.minutes * 60_000);
  const li = shown
    .map((n, i) => `<li class="press-item"><a href="/demo/stories/vantage-${i}">${esc(n.title)}</a></li>`)
    .reverse();
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Vantage Cloud — Newsroom</title></head><body>
<nav><a href="/demo/">Home</a> <a href="/demo/about">About Vantage Cloud and our mission</a></nav>
<main><h1>Newsroom</h1><ul class="press">${li.join('\n')}</ul></main>` +
    `<footer><a href="/demo/privacy">Privacy policy and cookie settings</a></footer></body></html>`
  );
}

function board(base: string): string {
  return JSON.stringify({
    jobs: JOBS.map((j) => ({
      id: j.id,
      title: j.title,
      updated_at: ago(3).toISOString(),
      location: { name: j.location },
      absolute_url: `${base}/demo/stories/jobs/quarry-security/${j.id}`,
      departments: [{ name: j.dept }],
    })),
    meta: { total: JOBS.length },
  });
}

/** Public, read-only, and only when a demo workspace exists. */
export function demoFeedRoutes(ctx: Pick<AppContext, 'db' | 'config'>): Router {
  const r = Router();
  let demoPresent = false; // once a demo workspace exists it stays
  const onlyInDemo = async (_req: Request, _res: Response, next: (err?: unknown) => void) => {
    if (!demoPresent) {
      const row = await one(ctx.db, demoWorkspaceExists());
      demoPresent = !!row?.ok;
    }
    next(demoPresent ? undefined : 'router');
  };
  r.use('/demo', onlyInDemo);
  // Watched pages honour robots.txt; in demo mode the app's own says: the demo pages only.
  r.get('/robots.txt', onlyInDemo, (_req, res) => {
    res.type('text/plain').send('User-agent: *\nAllow: /demo/\nDisallow: /\n');
  });
  r.get('/demo/feeds/funding.xml', (req, res) => etagged(req, res, 'application/rss+xml', rss(ctx.config.publicUrl)));
  r.get('/demo/feeds/news.atom', (req, res) => etagged(req, res, 'application/atom+xml', atom(ctx.config.publicUrl)));
  r.get('/demo/newsroom/vantage-cloud', (req, res) => etagged(req, res, 'text/html', newsroom(Date.now())));
  r.get('/demo/boards/v1/boards/quarry-security/jobs', (req, res) =>
    etagged(req, res, 'application/json', board(ctx.config.publicUrl)),
  );
  r.get('/demo/stories/{*path}', (req, res) => {
    const p = req.params as { path?: string | string[] };
    const page = renderStory(Array.isArray(p.path) ? p.path.join('/') : String(p.path ?? ''));
    if (!page) return res.status(404).type('text/plain').send('Not found');
    res.type('html').send(page);
  });
  return r;
}

/** Demo sources pointing at the app's own /demo/ pages (allowed to reach loopback: config.demo). */
export async function seedDemoSources(db: Database, workspaceId: number, publicUrl: string): Promise<number> {
  const accountIds: Record<string, number> = {};
  for (const name of ['Vantage Cloud', 'Quarry Security']) {
    const a = await one(db, findAccountByName(workspaceId, name));
    if (a) accountIds[name] = a.id;
  }
  const sources = [
    {
      kind: 'feed',
      name: 'Demo Venture Wire (funding RSS)',
      url: `${publicUrl}/demo/feeds/funding.xml`,
      config: { demo: true, maxAgeDays: 30 },
      every: 15,
    },
    {
      kind: 'feed',
      name: 'Demo Business Wire (news Atom)',
      url: `${publicUrl}/demo/feeds/news.atom`,
      config: { demo: true, maxAgeDays: 30 },
      every: 15,
    },
    {
      kind: 'page',
      name: 'Vantage Cloud newsroom',
      url: `${publicUrl}/demo/newsroom/vantage-cloud`,
      config: { demo: true, mode: 'links', render: 'never', accountId: accountIds['Vantage Cloud'] },
      every: 2,
    },
    {
      kind: 'greenhouse',
      name: 'Quarry Security jobs (Greenhouse)',
      url: `${publicUrl}/demo/boards/v1/boards/quarry-security/jobs`,
      config: { demo: true, company: 'Quarry Security', accountId: accountIds['Quarry Security'] },
      every: 30,
    },
  ];
  for (const s of sources) {
    await run(
      db,
      insertSource(workspaceId, {
        kind: s.kind,
        name: s.name,
        url: s.url,
        config: s.config,
        secretEnc: null,
        pollIntervalMinutes: s.every,
      }),
    );
  }
  return sources.length;
}
