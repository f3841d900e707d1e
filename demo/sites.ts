// Fictional company sites for the demo accounts, served by the app itself at
// /demo/sites/<domain>/ while a demo workspace exists. In demo mode the research agent maps each
// `.example` domain here (research/sites.ts). Three are special: Kestrel Robotics needs script
// to render, Lumen Health carries JSON-LD Organization data, Brightpath Logistics is down.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { one } from '../db/index.js';
import { demoWorkspaceExists } from '../db/queries/demo.js';
import { html, raw, safeUrl, type Html } from '../review-ui/html.js';
import { DEMO_ACCOUNTS, type DemoAccount } from './data.js';

export const SCRIPTED_SITE = 'kestrel-robotics.example';
export const JSON_LD_SITE = 'lumen-health.example';
export const DOWN_SITE = 'brightpath-logistics.example';

const WHAT: Record<string, string> = {
  saas: 'builds revenue analytics software for mid-market companies',
  logistics: 'runs freight and warehousing networks for retailers',
  hardware: 'designs warehouse robots that pick and pack alongside people',
  health: 'makes patient scheduling software for clinics',
  fintech: 'processes payments for Nordic online merchants',
  data: 'builds data pipelines for enterprise analytics teams',
  biotech: 'develops lab automation for drug discovery',
  security: 'protects mid-sized companies from account takeover',
  ecommerce: 'runs online storefronts for Japanese consumer brands',
  edtech: 'teaches professional skills through short online courses',
  energy: 'builds community solar and battery projects',
  infrastructure: 'runs cloud infrastructure for fast-growing software teams',
  media: 'publishes and syndicates video for Spanish-language audiences',
  retail: 'sells outdoor gear online and in twelve stores',
  ai: 'builds AI assistants for customer support teams',
  legaltech: 'automates contract review for in-house legal teams',
  insurance: 'sells business insurance to small companies',
  manufacturing: 'produces recycled composite materials for construction',
};

/** One set of figures per company, used by every page and the JSON-LD, so research never reads two founding years. */
interface Profile {
  founded: number;
  employees: number;
  customers: number;
}
const PROFILE_OVERRIDES: Record<string, Partial<Profile>> = {
  // The stories say Lumen Health serves more than 900 clinics.
  [JSON_LD_SITE]: { founded: 2016, employees: 230, customers: 900 },
};
function profileOf(a: DemoAccount, i: number): Profile {
  return { founded: 2010 + (i % 12), employees: 60 + i * 17, customers: (i + 3) * 150, ...PROFILE_OVERRIDES[a.domain] };
}

interface SitePage {
  title: string;
  description?: string;
  paragraphs: string[];
  head?: Html;
}

function pagesFor(a: DemoAccount, i: number): Record<string, SitePage> {
  const what = WHAT[a.tags[0] ?? ''] ?? 'helps businesses grow';
  const city = a.timeZone.split('/').pop()!.replace(/_/g, ' ');
  const p = profileOf(a, i);
  return {
    '': {
      title: a.name,
      description: `${a.name} ${what}.`,
      paragraphs: [
        `${a.name} ${what}, with customers across ${a.country === 'US' ? 'North America' : 'its region'} and beyond.`,
        `Founded in ${p.founded}, the company works from its headquarters in ${city} and serves more than ${p.customers} customers.`,
      ],
    },
    about: {
      title: `About ${a.name}`,
      paragraphs: [
        `${a.name} was started by operators who had lived the problem themselves and wanted better tools for their teams.`,
        `Today ${a.name} employs ${p.employees} people and is ` +
          `${a.tags.includes('enterprise') ? 'trusted by global enterprises' : 'growing quickly'}.`,
      ],
    },
    news: {
      title: `${a.name} newsroom`,
      paragraphs: [
        `${a.name} announced this quarter that it is expanding its ${a.country} operations with a new regional team.`,
        `The company also launched a partner program so that resellers can offer ${a.name} to their own customers.`,
      ],
    },
    careers: {
      title: `Careers at ${a.name}`,
      paragraphs: [
        `${a.name} is hiring ${2 + (i % 5)} account executives and a head of sales development to support its growth plans.`,
      ],
    },
    pricing: {
      title: `Pricing — ${a.name}`,
      paragraphs: [
        `Plans for ${a.name} start at ${(i + 2) * 100} dollars per month, billed annually, with a free pilot for new teams.`,
      ],
    },
  };
}

const NAV = [
  ['about', 'About us'],
  ['news', 'Newsroom'],
  ['careers', 'Careers'],
  ['pricing', 'Pricing'],
];

function jsonLd(a: DemoAccount, i: number): Html {
  const p = profileOf(a, i);
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Organization',
    name: a.name,
    url: `https://${a.domain}/`,
    foundingDate: String(p.founded),
    description: `${a.name} makes patient scheduling software for clinics in Germany, Austria and Switzerland.`,
    numberOfEmployees: { '@type': 'QuantitativeValue', value: p.employees },
    address: {
      '@type': 'PostalAddress',
      streetAddress: 'Torstraße 49',
      addressLocality: 'Berlin',
      addressCountry: 'DE',
    },
    sameAs: [`https://www.linkedin.com/company/${a.domain.split('.')[0]}`],
  };
  // Only our own constants go in here; `<` is escaped so the JSON cannot close the script tag.
  return html`<script type="application/ld+json">
    ${raw(JSON.stringify(data).replace(/</g, '\\u003c'))}
  </script>`;
}

function renderPage(a: DemoAccount, p: SitePage, scripted: boolean): string {
  const nav = html`<nav>${NAV.map(([href, label]) => html`<a href="${safeUrl(href)}">${label}</a> `)}</nav>`;
  const body = scripted
    ? html`<div id="app"></div>
        <script src="app.js"></script>`
    : html`<header><a href="./">${a.name}</a> ${nav}</header>
        <main>${p.paragraphs.map((t) => html`<p>${t}</p>`)}</main>
        <footer><p>© ${a.name}. All company names on this site are fictional.</p></footer>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${p.title}</title>
        ${p.description ? html`<meta name="description" content="${p.description}" />` : ''}${p.head ?? ''}
      </head>
      <body>
        ${body}
      </body>
    </html>`.toString();
}

function appScript(p: SitePage): string {
  return `// Builds the page in the browser, as single-page apps do.
var app = document.getElementById('app');
var nav = document.createElement('nav');
${JSON.stringify(NAV)}.forEach(function (l) {
  var a = document.createElement('a'); a.href = l[0]; a.textContent = l[1]; nav.appendChild(a);
});
var main = document.createElement('main');
${JSON.stringify(p.paragraphs)}.forEach(function (t) { var el = document.createElement('p'); el.textContent = t; main.appendChild(el); });
app.appendChild(nav); app.appendChild(main);
`;
}

export function demoSiteRoutes(ctx: Pick<AppContext, 'db'>): Router {
  const router = Router();
  let checked: { at: number; demo: boolean } | undefined;
  const isDemo = async () => {
    if (!checked || Date.now() - checked.at > 30_000)
      checked = { at: Date.now(), demo: !!(await one(ctx.db, demoWorkspaceExists()))?.ok };
    return checked.demo;
  };
  router.get(/^\/demo\/sites\/([a-z0-9.-]+)\/(.*)$/, async (req: Request, res: Response, next) => {
    const [domain, rest] = [req.params[0]!, req.params[1]!];
    if (!(await isDemo())) return next();
    // A 404 here, not next(): research must not follow a login redirect and read the login page.
    const index = DEMO_ACCOUNTS.findIndex((a) => a.domain === domain);
    if (index < 0) return res.status(404).type('text/plain').send('Not found');
    const a = DEMO_ACCOUNTS[index]!;
    if (domain === DOWN_SITE) return res.status(503).type('text/plain').send('Service Unavailable');
    if (rest === 'robots.txt') return res.type('text/plain').send('User-agent: *\nAllow: /\n');
    const scripted = domain === SCRIPTED_SITE;
    const pages = pagesFor(a, index);
    const name = rest.replace(/\.js$/, '').replace(/\/$/, '');
    const page = pages[name === 'app' ? '' : name];
    if (!page) return res.status(404).type('text/plain').send('Not found');
    if (domain === JSON_LD_SITE && name === '') page.head = jsonLd(a, index);
    if (scripted && rest.endsWith('.js')) return res.type('application/javascript').send(appScript(page));
    res.type('html').send(renderPage(a, page, scripted && name === ''));
  });
  return router;
}
