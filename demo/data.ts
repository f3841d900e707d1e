// The fictional demo workspace. Every company, person and domain here is invented; domains use
// the reserved `.example` TLD so nothing can ever be sent to a real address.
import type { SendingWindow, TemplateStep } from '../db/queries/templates.js';

export interface DemoAccount {
  name: string;
  domain: string;
  timeZone: string;
  country: string;
  tags: string[];
  aliases?: string[];
  contacts: { first: string; last: string; title: string; timeZone?: string; champion?: boolean }[];
}

// One account a row: "name | domain | time zone | country | tags (space-separated) | aliases?", then one
// "first | last | title | champion?" a contact.
const ACCOUNT_ROWS: [string, ...string[]][] = [
  [
    'Northwind Analytics | northwind-analytics.example | America/New_York | US | saas mid-market',
    'Dana | Whitfield | VP of Sales',
    'Omar | Haddad | Head of RevOps',
  ],
  [
    'Brightpath Logistics | brightpath-logistics.example | America/Chicago | US | logistics',
    'Priya | Raman | Chief Revenue Officer',
  ],
  [
    'Kestrel Robotics | kestrel-robotics.example | America/Los_Angeles | US | hardware series-b',
    'Marcus | Lee | Director of Sales Development',
    'Jenna | Ortiz | CEO',
  ],
  [
    'Lumen Health GmbH | lumen-health.example | Europe/Berlin | DE | health | Lumen Health',
    'Katrin | Vogel | Head of Sales DACH',
  ],
  ['Fjord Payments | fjord-payments.example | Europe/Oslo | NO | fintech', 'Henrik | Solberg | VP Revenue'],
  [
    'Tessellate Data | tessellate-data.example | Europe/London | GB | data enterprise',
    'Amelia | Clarke | Sales Director EMEA',
    'Ravi | Patel | RevOps Manager',
  ],
  ['Orchid Bio | orchid-bio.example | America/New_York | US | biotech', 'Grace | Kim | Head of Business Development'],
  [
    'Quarry Security | quarry-security.example | America/Denver | US | security series-a',
    'Luis | Moreno | VP Sales',
    'Tom | Becker | SDR Manager',
  ],
  ['Sakura Commerce | sakura-commerce.example | Asia/Tokyo | JP | ecommerce', 'Yuki | Tanaka | Head of Growth'],
  [
    'Banyan Learning | banyan-learning.example | Asia/Kolkata | IN | edtech',
    'Ananya | Iyer | Chief Commercial Officer',
  ],
  [
    'Coral Reef Energy | coral-reef-energy.example | Australia/Sydney | AU | energy',
    'Jack | Murray | National Sales Manager',
  ],
  [
    'Pinecrest Software | pinecrest-software.example | America/Toronto | CA | saas',
    'Sophie | Tremblay | VP of Revenue Operations',
  ],
  [
    'Atlas Freight | atlas-freight.example | America/Sao_Paulo | BR | logistics',
    'Beatriz | Souza | Diretora Comercial',
  ],
  [
    'Meridian Insurance | meridian-insurance.example | Europe/Paris | FR | insurance enterprise',
    'Camille | Durand | Head of Sales',
  ],
  [
    'Helix Materials | helix-materials.example | Europe/Amsterdam | NL | manufacturing',
    'Daan | de Vries | Commercial Director',
  ],
  [
    'Vantage Cloud | vantage-cloud.example | America/Los_Angeles | US | infrastructure series-c',
    'Nina | Park | VP Sales | champion',
    'Eli | Goldberg | Sales Engineer',
  ],
  ['Cobalt Media | cobalt-media.example | Europe/Madrid | ES | media', 'Lucía | Fernández | Directora de Ventas'],
  ['Summit Outdoor Co | summit-outdoor.example | America/Denver | US | retail', 'Ben | Carter | Head of Partnerships'],
  ['Nimbus AI | nimbus-ai.example | America/New_York | US | ai seed', 'Zoe | Adams | Co-founder & CEO'],
  ['Granite Legal | granite-legal.example | Europe/Dublin | IE | legaltech', 'Aoife | Byrne | Head of Revenue'],
];

type AccountCells = [name: string, domain: string, timeZone: string, country: string, tags: string, aliases?: string];
type ContactCells = [first: string, last: string, title: string, champion?: string];
const cells = (row: string) => row.split(' | ');

export const DEMO_ACCOUNTS: DemoAccount[] = ACCOUNT_ROWS.map(([account, ...contacts]) => {
  const [name, domain, timeZone, country, tags, aliases] = cells(account) as AccountCells;
  return {
    name,
    domain,
    timeZone,
    country,
    tags: tags.split(' '),
    ...(aliases && { aliases: aliases.split(', ') }),
    contacts: contacts.map((contact) => {
      const [first, last, title, champion] = cells(contact) as ContactCells;
      return { first, last, title, ...(champion && { champion: true }) };
    }),
  };
});

/** Known-good shape: opener, three follow-ups, break-up on days 0, 3, 7, 12, 18. */
export const DEFAULT_TEMPLATE_STEPS: TemplateStep[] = [
  { kind: 'opener', delayDays: 0 },
  { kind: 'follow_up', delayDays: 3 },
  { kind: 'follow_up', delayDays: 4 },
  { kind: 'follow_up', delayDays: 5 },
  { kind: 'breakup', delayDays: 6 },
];
export const DEFAULT_WINDOW: SendingWindow = { days: [2, 3, 4], start: '09:00', end: '11:00' };
export const FALLBACK_WINDOW: SendingWindow = { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' };

/** The template every new workspace (and the demo's) starts with, as its default. */
export const DEFAULT_TEMPLATE = {
  name: 'Signal-led, 5 steps',
  description: 'Opener carries the signal; three follow-ups each add something new; a polite break-up.',
  steps: DEFAULT_TEMPLATE_STEPS,
  window: DEFAULT_WINDOW,
  fallback: FALLBACK_WINDOW,
  fallbackAfterDays: 3,
  isDefault: true,
};

export const DEMO_PLAYBOOK = {
  company: 'Prospector Demo Co',
  whoWeAre: 'We help revenue teams turn buying signals into timely, relevant outreach.',
  valueProps: [
    'Reps spend their time on accounts that are in motion now',
    'Every email cites a verifiable reason to write',
  ],
  proofPoints: ['A 40-rep team cut research time per account from 20 minutes to 3'],
  tone: 'plain, specific, brief; no hype',
  bannedPhrases: ['just following up', 'touching base', 'circle back', 'synergy'],
  callToAction: 'a 20-minute call next week',
  senderPersona: 'an account executive who has done the homework',
};
