// The articles the demo feeds, newsroom and job board link to. Every company, person, investor
// and figure is fictional. Research reads the signal's own article first, so a dossier cites the
// story that started it (the round, the new role, the expansion, the opening).
import { html } from '../review-ui/html.js';

interface DemoArticle {
  title: string;
  outlet: string;
  paragraphs: string[];
}

export const DEMO_STORIES: Record<string, DemoArticle> = {
  'kestrel-series-b': {
    title: 'Kestrel Robotics lands $42 million Series B to bring warehouse robots to Europe',
    outlet: 'Demo Venture Wire',
    paragraphs: [
      'Kestrel Robotics has raised $42 million in a Series B round led by Foundry Peak Ventures, ' +
        'with participation from Northgate Capital and Alder Partners.',
      'The company will use the new funding to open a European headquarters in Rotterdam ' +
        'and to double its sales team over the next twelve months.',
      'Chief executive Jenna Ortiz said Kestrel plans to hire 40 people this year, most of them in sales and field engineering.',
      'Kestrel Robotics builds picking robots that work alongside people in retail and third-party logistics warehouses.',
    ],
  },
  'nimbus-seed': {
    title: 'Nimbus AI emerges from stealth with $8M seed round',
    outlet: 'Demo Venture Wire',
    paragraphs: [
      'Nimbus AI has raised an $8 million seed round to build support agents for mid-market software companies.',
      'Co-founder and CEO Zoe Adams said the company will hire its first account executives in the spring.',
    ],
  },
  'lumen-series-a': {
    title: 'Lumen Health closes €12M Series A to expand across DACH',
    outlet: 'Demo Venture Wire',
    paragraphs: [
      'Berlin-based Lumen Health GmbH has closed a €12 million Series A round to expand its patient scheduling software ' +
        'across Germany, Austria and Switzerland.',
      'The company said it will use the money to build a sales team of fifteen people and open an office in Vienna.',
      'Lumen Health software is used by more than 900 clinics today.',
    ],
  },
  'zephyr-seed': {
    title: 'Zephyr Labs raises $5M seed to automate freight invoices',
    outlet: 'Demo Venture Wire',
    paragraphs: ['Zephyr Labs has raised a $5 million seed round to automate freight invoice checks for shippers.'],
  },
  'wire/kestrel': {
    title: 'Kestrel Robotics raises $42M Series B led by Foundry Peak',
    outlet: 'Demo Business Wire',
    paragraphs: [
      'Warehouse robotics maker Kestrel Robotics said on Tuesday it raised $42 million in a Series B round led by Foundry Peak Ventures.',
      'The company plans to open a European headquarters in Rotterdam next year.',
    ],
  },
  'wire/fjord-germany': {
    title: 'Fjord Payments expands into Germany and the Netherlands',
    outlet: 'Demo Business Wire',
    paragraphs: [
      'Fjord Payments, the Oslo payments company, is opening offices in Berlin and Amsterdam ' +
        'as it expands into Germany and the Netherlands.',
      'The company said the new offices will house a regional sales team that will serve online merchants in both countries.',
      'VP Revenue Henrik Solberg will lead the expansion and plans to hire twelve account managers by the summer.',
    ],
  },
  'wire/tessellate-cro': {
    title: 'Tessellate Data appoints Amelia Clarke as Chief Revenue Officer',
    outlet: 'Demo Business Wire',
    paragraphs: [
      'Tessellate Data has appointed Amelia Clarke as Chief Revenue Officer, effective immediately.',
      'Clarke was previously Sales Director EMEA at Tessellate Data, ' +
        'where she grew the regional business to more than 200 enterprise customers.',
      'In her new role she will lead sales, customer success and revenue operations worldwide.',
    ],
  },
  'wire/kestrel-launch': {
    title: 'Kestrel Robotics unveils autonomous picking arm',
    outlet: 'Demo Business Wire',
    paragraphs: ['Kestrel Robotics unveiled an autonomous picking arm that can handle more than 600 items an hour.'],
  },
  'vantage-0': {
    title: 'Vantage Cloud opens new data center in Frankfurt',
    outlet: 'Vantage Cloud newsroom',
    paragraphs: [
      'Vantage Cloud opened a new data center in Frankfurt to serve customers who must keep data inside the European Union.',
    ],
  },
  'vantage-1': {
    title: 'Vantage Cloud achieves SOC 2 Type II certification',
    outlet: 'Vantage Cloud newsroom',
    paragraphs: ['Vantage Cloud completed its SOC 2 Type II audit with no exceptions.'],
  },
  'vantage-2': {
    title: 'Vantage Cloud partners with Helix Materials on low-carbon racks',
    outlet: 'Vantage Cloud newsroom',
    paragraphs: [
      'Vantage Cloud and Helix Materials announced a partnership to build server racks from recycled composite materials.',
    ],
  },
  'vantage-3': {
    title: 'Vantage Cloud launches GPU reservations for inference workloads',
    outlet: 'Vantage Cloud newsroom',
    paragraphs: [
      'Vantage Cloud launched GPU reservations so that software teams can reserve inference capacity by the month.',
    ],
  },
  'jobs/quarry-security/4001': {
    title: 'Sales Development Representative (SDR) — Quarry Security',
    outlet: 'Quarry Security careers',
    paragraphs: [
      'Quarry Security is hiring a Sales Development Representative in Denver ' +
        'to build pipeline for its account takeover protection product.',
      'You will join a new team of six SDRs reporting to the SDR Manager, Tom Becker.',
    ],
  },
  'jobs/quarry-security/4002': {
    title: 'Senior Backend Engineer — Quarry Security',
    outlet: 'Quarry Security careers',
    paragraphs: ['Quarry Security is hiring a senior backend engineer to work on its detection pipeline.'],
  },
  'jobs/quarry-security/4003': {
    title: 'Head of Sales, EMEA — Quarry Security',
    outlet: 'Quarry Security careers',
    paragraphs: [
      'Quarry Security is hiring a Head of Sales for EMEA, based in London, to open its first office outside the United States.',
    ],
  },
};

/** The article page; a story we do not have gets a plain 404. */
export function renderStory(path: string): string | undefined {
  const s = DEMO_STORIES[path];
  if (!s) return undefined;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${s.title}</title>
        <meta name="description" content="${s.paragraphs[0] ?? ''}" />
      </head>
      <body>
        <header><p>${s.outlet} · a fictional outlet for the Prospector demo</p></header>
        <main>
          <article>
            <h1>${s.title}</h1>
            ${s.paragraphs.map((p) => html`<p>${p}</p>`)}
          </article>
        </main>
      </body>
    </html>`.toString();
}
